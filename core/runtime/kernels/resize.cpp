// Resize (opset 10-13) and Upsample (opset 7-9), nearest and linear, any rank. Both modes are
// separable, so the output is computed one resized axis at a time; axes that keep their size
// under an identity mapping are skipped.
#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "runtime/kernels/kernel_helpers.h"
#include "runtime/kernels/kernels.h"
#include "runtime/parallel.h"

namespace qf::kernels {
namespace {

struct ResizeSettings {
    bool linear = false;
    std::string coordinateMode;  // ONNX coordinate_transformation_mode
    std::string nearestMode;     // ONNX nearest_mode, or "simple" for Upsample and Resize-10
    float extrapolation = 0.0f;  // tf_crop_and_resize outside the input
};

// How one axis is resampled: output position t reads source positions lo[t] and hi[t] with
// weights 1 - weight[t] and weight[t], or the extrapolation value when outside[t].
struct AxisResample {
    std::vector<int64_t> lo, hi;
    std::vector<float> weight;
    std::vector<char> outside;
    bool identity = true;
};

// One axis's geometry. Like ONNX's reference, `resized` is in * scale before flooring when
// scales are given (sizes when they are), which only matters for scales that do not give a
// whole output length: align_corners then differs from onnxruntime, which uses the floor.
struct AxisGeometry {
    int64_t in = 1, out = 1;
    float scale = 1.0f, resized = 1.0f;
    float roiStart = 0.0f, roiEnd = 1.0f;
};

// Source coordinate of output position x along an axis (ONNX Resize's table).
float sourceCoordinate(const ResizeSettings& s, const AxisGeometry& g, float x) {
    const float scale = g.scale, resized = g.resized, in = static_cast<float>(g.in);
    const std::string& mode = s.coordinateMode;
    if (mode == "half_pixel") return (x + 0.5f) / scale - 0.5f;
    if (mode == "pytorch_half_pixel") return resized > 1.0f ? (x + 0.5f) / scale - 0.5f : 0.0f;
    if (mode == "align_corners") return resized > 1.0f ? x * (in - 1.0f) / (resized - 1.0f) : 0.0f;
    if (mode == "asymmetric") return x / scale;
    if (mode == "tf_half_pixel_for_nn") return (x + 0.5f) / scale;
    // tf_crop_and_resize: the roi is in normalized input coordinates.
    const float span = (g.roiEnd - g.roiStart) * (in - 1.0f);
    return g.roiStart * (in - 1.0f) + (resized > 1.0f ? x * span / (resized - 1.0f) : 0.5f * span);
}

int64_t nearestIndex(const ResizeSettings& s, float coordinate, bool downsampling) {
    const float below = std::floor(coordinate);
    const float fraction = coordinate - below;
    const std::string& mode = s.nearestMode;
    if (mode == "floor") return static_cast<int64_t>(below);
    if (mode == "ceil") return static_cast<int64_t>(std::ceil(coordinate));
    if (mode == "round_prefer_ceil")
        return static_cast<int64_t>(fraction >= 0.5f ? below + 1 : below);
    if (mode == "simple")  // onnxruntime's rule for the pre-11 ops
        return static_cast<int64_t>(downsampling ? std::ceil(coordinate) : below);
    return static_cast<int64_t>(fraction > 0.5f ? below + 1 : below);  // round_prefer_floor
}

AxisResample planAxis(const ResizeSettings& s, const AxisGeometry& g) {
    const int64_t in = g.in, out = g.out;
    AxisResample plan;
    plan.lo.resize(static_cast<size_t>(out));
    plan.hi.resize(static_cast<size_t>(out));
    plan.weight.assign(static_cast<size_t>(out), 0.0f);
    plan.outside.assign(static_cast<size_t>(out), 0);
    plan.identity = in == out;
    const bool cropAndResize = s.coordinateMode == "tf_crop_and_resize";
    for (int64_t t = 0; t < out; ++t) {
        const auto k = static_cast<size_t>(t);
        const float x = sourceCoordinate(s, g, static_cast<float>(t));
        if (cropAndResize && (x < 0.0f || x > static_cast<float>(in - 1))) {
            plan.outside[k] = 1;
            plan.identity = false;
            continue;
        }
        if (s.linear) {
            const float below = std::floor(x);
            plan.lo[k] = std::clamp<int64_t>(static_cast<int64_t>(below), 0, in - 1);
            plan.hi[k] = std::clamp<int64_t>(static_cast<int64_t>(below) + 1, 0, in - 1);
            plan.weight[k] = plan.lo[k] == plan.hi[k] ? 0.0f : x - below;
        } else {
            plan.lo[k] = plan.hi[k] =
                std::clamp<int64_t>(nearestIndex(s, x, g.scale < 1.0f), 0, in - 1);
        }
        if (plan.lo[k] != t || plan.weight[k] != 0.0f) plan.identity = false;
    }
    return plan;
}

// Resamples one axis of `values` (shape `shape`), returning the new values; shape is updated.
std::vector<float> resampleAxis(const std::vector<float>& values, Shape& shape, size_t axis,
                                const AxisResample& plan, float extrapolation) {
    const int64_t outer = product(shape, 0, axis);
    const int64_t in = shape[axis], out = static_cast<int64_t>(plan.lo.size());
    const int64_t inner = product(shape, axis + 1, shape.size());
    std::vector<float> result(static_cast<size_t>(outer * out * inner));
    parallelFor(outer, outer * out * inner >= (1 << 15), [&](int64_t oBegin, int64_t oEnd) {
        for (int64_t o = oBegin; o < oEnd; ++o) {
            const float* src = values.data() + o * in * inner;
            float* dst = result.data() + o * out * inner;
            for (int64_t t = 0; t < out; ++t) {
                const auto k = static_cast<size_t>(t);
                float* target = dst + t * inner;
                const float* a = src + plan.lo[k] * inner;
                const float* b = src + plan.hi[k] * inner;
                const float w = plan.weight[k];
                if (plan.outside[k])
                    std::fill(target, target + inner, extrapolation);
                else if (w == 0.0f)
                    std::copy(a, a + inner, target);
                else
                    for (int64_t j = 0; j < inner; ++j) target[j] = (1.0f - w) * a[j] + w * b[j];
            }
        }
    });
    shape[axis] = out;
    return result;
}

// The usual image case, only the two innermost axes resized: one pass over the output instead
// of two, interpolating along x first and then along y as ONNX's reference does.
std::vector<float> resamplePlanes(const std::vector<float>& values, Shape& shape,
                                  const AxisResample& rows, const AxisResample& columns,
                                  bool linear, float extrapolation) {
    const size_t rank = shape.size();
    const int64_t planes = product(shape, 0, rank - 2);
    const int64_t inH = shape[rank - 2], inW = shape[rank - 1];
    const auto outH = static_cast<int64_t>(rows.lo.size());
    const auto outW = static_cast<int64_t>(columns.lo.size());
    std::vector<float> result(static_cast<size_t>(planes * outH * outW));
    parallelFor(
        planes, planes * outH * outW >= (1 << 15), [&](int64_t planeBegin, int64_t planeEnd) {
            for (int64_t plane = planeBegin; plane < planeEnd; ++plane) {
                const float* src = values.data() + plane * inH * inW;
                float* dst = result.data() + plane * outH * outW;
                for (int64_t oy = 0; oy < outH; ++oy) {
                    const auto y = static_cast<size_t>(oy);
                    float* target = dst + oy * outW;
                    const float* top = src + rows.lo[y] * inW;
                    const float* bottom = src + rows.hi[y] * inW;
                    const float wy = rows.weight[y];
                    for (int64_t ox = 0; ox < outW; ++ox) {
                        const auto x = static_cast<size_t>(ox);
                        if (rows.outside[y] || columns.outside[x]) {
                            target[ox] = extrapolation;
                        } else if (!linear) {
                            target[ox] = top[columns.lo[x]];
                        } else {
                            const float wx = columns.weight[x];
                            const float upper =
                                (1.0f - wx) * top[columns.lo[x]] + wx * top[columns.hi[x]];
                            const float lower =
                                (1.0f - wx) * bottom[columns.lo[x]] + wx * bottom[columns.hi[x]];
                            target[ox] = (1.0f - wy) * upper + wy * lower;
                        }
                    }
                }
            }
        });
    shape[rank - 2] = outH;
    shape[rank - 1] = outW;
    return result;
}

void runResize(const Node& node, const std::vector<const Tensor*>& inputs,
               std::vector<Tensor>& outputs, bool legacy) {
    const Tensor& x = requireInput(node, inputs, 0);
    if (!x.isFloat()) kernelError(node, "expects a float input");
    const int rank = x.rank();
    const auto axes = static_cast<size_t>(rank);

    ResizeSettings s;
    const std::string mode = node.attrString("mode", "nearest");
    if (mode == "linear" || mode == "bilinear")
        s.linear = true;
    else if (mode != "nearest")
        kernelError(node, "mode '" + mode + "' is not supported (nearest and linear are)");
    s.coordinateMode =
        node.attrString("coordinate_transformation_mode", legacy ? "asymmetric" : "half_pixel");
    s.nearestMode = node.attrString("nearest_mode", legacy ? "simple" : "round_prefer_floor");
    s.extrapolation = node.attrFloat("extrapolation_value", 0.0f);
    static const char* const kCoordinateModes[] = {"half_pixel",           "pytorch_half_pixel",
                                                   "align_corners",        "asymmetric",
                                                   "tf_half_pixel_for_nn", "tf_crop_and_resize"};
    if (std::find(std::begin(kCoordinateModes), std::end(kCoordinateModes), s.coordinateMode) ==
        std::end(kCoordinateModes))
        kernelError(node,
                    "coordinate_transformation_mode '" + s.coordinateMode + "' is not supported");

    // Upsample-7 carries scales as an attribute, Upsample-9 and Resize-10 as input 1,
    // Resize-11+ as inputs roi, scales, sizes (either of the last two may be empty).
    std::vector<float> scales, roi;
    std::vector<int64_t> sizes;
    if (legacy) {
        if (node.has("scales"))
            scales = node.attrFloats("scales");
        else
            scales = requireInput(node, inputs, 1).asFloats();
    } else {
        if (inputs.size() > 1 && inputs[1]) roi = inputs[1]->asFloats();
        if (inputs.size() > 2 && inputs[2]) scales = inputs[2]->asFloats();
        if (inputs.size() > 3 && inputs[3]) sizes = inputs[3]->asInts();
    }
    if (!sizes.empty() && sizes.size() != axes)
        kernelError(node, "needs one size per axis of " + shapeToString(x.shape));
    if (sizes.empty() && scales.size() != axes)
        kernelError(node, "needs one scale per axis of " + shapeToString(x.shape));
    if (s.coordinateMode == "tf_crop_and_resize" && roi.size() != 2 * axes)
        kernelError(node, "tf_crop_and_resize needs an roi of two values per axis");

    std::vector<AxisGeometry> geometry(axes);
    Shape outShape(axes);
    for (size_t k = 0; k < axes; ++k) {
        AxisGeometry& g = geometry[k];
        g.in = x.shape[k];
        if (roi.size() == 2 * axes) {
            g.roiStart = roi[k];
            g.roiEnd = roi[k + axes];
        }
        if (!sizes.empty()) {
            g.out = sizes[k];
            g.scale = g.in > 0 ? static_cast<float>(g.out) / static_cast<float>(g.in) : 1.0f;
            g.resized = static_cast<float>(g.out);
        } else {
            if (!(scales[k] > 0.0f)) kernelError(node, "scales must be positive");
            const double extent =
                s.coordinateMode == "tf_crop_and_resize" ? g.roiEnd - g.roiStart : 1.0;
            const double resized = static_cast<double>(g.in) * scales[k];
            g.out = static_cast<int64_t>(std::floor(resized * extent));
            g.scale = scales[k];
            g.resized = static_cast<float>(resized);
        }
        outShape[k] = g.out;
        if (g.out < 0 || (g.in == 0 && g.out > 0))
            kernelError(
                node, "cannot resize " + shapeToString(x.shape) + " to " + shapeToString(outShape));
    }

    if (shapeOnly({&x}, outputs[0], outShape, x.dtype)) return;
    allocatableNumel(outShape);
    std::vector<AxisResample> plans;
    size_t firstResized = axes;
    for (size_t k = 0; k < axes; ++k) {
        plans.push_back(planAxis(s, geometry[k]));
        if (!plans.back().identity) firstResized = std::min(firstResized, k);
    }
    Shape shape = x.shape;
    std::vector<float> values;
    if (axes >= 2 && firstResized == axes - 2) {
        values =
            resamplePlanes(x.f, shape, plans[axes - 2], plans[axes - 1], s.linear, s.extrapolation);
    } else {
        values = x.f;
        for (size_t k = 0; k < axes; ++k)
            if (!plans[k].identity)
                values = resampleAxis(values, shape, k, plans[k], s.extrapolation);
    }
    Tensor& y = outputs[0];
    y.dtype = x.dtype;
    y.shape = outShape;
    y.f = std::move(values);
}

}  // namespace

void resize(const Node& node, const std::vector<const Tensor*>& inputs,
            std::vector<Tensor>& outputs) {
    // Resize-10 has exactly the inputs X and scales and Upsample's semantics.
    runResize(node, inputs, outputs, inputs.size() == 2);
}

void upsample(const Node& node, const std::vector<const Tensor*>& inputs,
              std::vector<Tensor>& outputs) {
    runResize(node, inputs, outputs, true);
}

}  // namespace qf::kernels

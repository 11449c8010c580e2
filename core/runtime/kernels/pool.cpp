// Max and average pooling (ONNX semantics, which with ceil_mode = 1 and count_include_pad = 1
// are also Caffe's), and global pooling.
#include <algorithm>
#include <cmath>
#include <limits>

#include "runtime/kernels/kernels.h"
#include "runtime/kernels/scratch.h"
#include "runtime/kernels/spatial.h"
#include "runtime/parallel.h"
#include "runtime/value_pool.h"

namespace qf::kernels {
namespace {

int64_t pooledSize(int64_t in, int64_t padBegin, int64_t padEnd, int64_t kernel, int64_t stride,
                   int64_t dilation, bool ceilMode) {
    const int64_t span = in + padBegin + padEnd - ((kernel - 1) * dilation + 1);
    int64_t out = (ceilMode ? (span + stride - 1) / stride : span / stride) + 1;
    // A last window that would start inside the end padding is dropped (Caffe and ONNX agree).
    if (ceilMode && (out - 1) * stride >= in + padBegin) --out;
    return out;
}

// Max pooling of one plane through a padded copy (padding −inf, which no max takes), one tap
// of the window at a time over a whole output row, so the loops vectorise and need no bounds:
// the generic loop spent a tenth of an int8 ResNet-18 run in its one 3×3 max pool. Every
// output takes its taps in the generic loop's order, so NaN inputs give what they give there.
void maxPoolPlane(const float* in, int64_t inH, int64_t inW, const Window2d& w, int64_t outH,
                  int64_t outW, float* out) {
    const int64_t paddedH = (outH - 1) * w.strideH + w.kernelH;
    const int64_t paddedW = (outW - 1) * w.strideW + w.kernelW;
    const Scratch<float, 3> padded(static_cast<size_t>(paddedH * paddedW));
    padPlane(in, inH, inW, w.padTop, w.padLeft, paddedH, paddedW,
             -std::numeric_limits<float>::infinity(), padded.data());
    const int64_t strideW = w.strideW;
    for (int64_t oy = 0; oy < outH; ++oy) {
        float* row = out + oy * outW;
        std::fill(row, row + outW, -std::numeric_limits<float>::infinity());
        for (int64_t ky = 0; ky < w.kernelH; ++ky) {
            const float* source = padded.data() + (oy * w.strideH + ky) * paddedW;
            for (int64_t kx = 0; kx < w.kernelW; ++kx) {
                const float* tap = source + kx;
                if (strideW == 1)
                    for (int64_t ox = 0; ox < outW; ++ox) row[ox] = std::max(row[ox], tap[ox]);
                else
                    for (int64_t ox = 0; ox < outW; ++ox)
                        row[ox] = std::max(row[ox], tap[ox * strideW]);
            }
        }
    }
}

// `reduce` pools one output window; `plane`, when it returns true, pooled a whole plane.
template <typename Reduce, typename Plane>
void pool2d(const Node& node, const std::vector<const Tensor*>& inputs,
            std::vector<Tensor>& outputs, Reduce reduce, Plane plane) {
    const Tensor& x = requireInput(node, inputs, 0);
    if (!x.isFloat())
        kernelError(
            node, std::string("pooling of ") + dataTypeName(x.dtype) + " tensors is not supported");
    if (x.rank() != 4 && x.rank() != 3)
        kernelError(node, "expects a 3-D or 4-D input, got " + shapeToString(x.shape));
    if (node.outputs.size() > 1 && !node.outputs[1].empty())
        kernelError(node, "the Indices output is not supported");
    const bool is2d = x.rank() == 4;
    const int64_t batchChannels = x.shape[0] * x.shape[1];
    const int64_t inH = is2d ? x.shape[2] : 1, inW = x.shape[x.rank() - 1];
    Window2d w = readWindow(node, x.rank() - 2, {});
    applyAutoPad(node, w, inH, inW);
    // A window that can lie wholly in the padding pools nothing (Caffe and ONNX Runtime refuse
    // it too).
    if (std::max(w.padTop, w.padBottom) >= w.kernelH ||
        std::max(w.padLeft, w.padRight) >= w.kernelW)
        kernelError(node, "pads must be smaller than the kernel " +
                              shapeToString(is2d ? Shape{w.kernelH, w.kernelW} : Shape{w.kernelW}));
    const bool ceilMode = node.attrInt("ceil_mode", 0) != 0;
    const int64_t outH =
        pooledSize(inH, w.padTop, w.padBottom, w.kernelH, w.strideH, w.dilationH, ceilMode);
    const int64_t outW =
        pooledSize(inW, w.padLeft, w.padRight, w.kernelW, w.strideW, w.dilationW, ceilMode);
    if (outH <= 0 || outW <= 0)
        kernelError(node, "input " + shapeToString(x.shape) + " is smaller than the window");
    Tensor& y = outputs[0];
    const Shape outShape =
        is2d ? Shape{x.shape[0], x.shape[1], outH, outW} : Shape{x.shape[0], x.shape[1], outW};
    if (shapeOnly(inputs, y, outShape, DataType::Float32)) return;
    y = floatsToOverwrite(outShape);
    parallelFor(batchChannels, batchChannels * outH * outW > 16384,
                [&](int64_t planeBegin, int64_t planeEnd) {
                    for (int64_t k = planeBegin; k < planeEnd; ++k) {
                        const float* in = x.f.data() + k * inH * inW;
                        float* out = y.f.data() + k * outH * outW;
                        if (plane(in, inH, inW, w, outH, outW, out)) continue;
                        for (int64_t oy = 0; oy < outH; ++oy)
                            for (int64_t ox = 0; ox < outW; ++ox)
                                out[oy * outW + ox] =
                                    reduce(in, inH, inW, oy * w.strideH - w.padTop,
                                           ox * w.strideW - w.padLeft, w);
                    }
                });
}

}  // namespace

void maxPool(const Node& node, const std::vector<const Tensor*>& inputs,
             std::vector<Tensor>& outputs) {
    pool2d(
        node, inputs, outputs,
        [](const float* in, int64_t inH, int64_t inW, int64_t y0, int64_t x0, const Window2d& w) {
            float best = -std::numeric_limits<float>::infinity();
            for (int64_t ky = 0; ky < w.kernelH; ++ky) {
                const int64_t iy = y0 + ky * w.dilationH;
                if (iy < 0 || iy >= inH) continue;
                for (int64_t kx = 0; kx < w.kernelW; ++kx) {
                    const int64_t ix = x0 + kx * w.dilationW;
                    if (ix >= 0 && ix < inW) best = std::max(best, in[iy * inW + ix]);
                }
            }
            return best;
        },
        [](const float* in, int64_t inH, int64_t inW, const Window2d& w, int64_t outH, int64_t outW,
           float* out) {
            if (w.dilationH != 1 || w.dilationW != 1) return false;
            maxPoolPlane(in, inH, inW, w, outH, outW, out);
            return true;
        });
}

void averagePool(const Node& node, const std::vector<const Tensor*>& inputs,
                 std::vector<Tensor>& outputs) {
    const bool includePad = node.attrInt("count_include_pad", 0) != 0;
    pool2d(
        node, inputs, outputs,
        [includePad](const float* in, int64_t inH, int64_t inW, int64_t y0, int64_t x0,
                     const Window2d& w) {
            // With padding counted, the divisor is the window clipped to the padded input
            // (a ceil-mode overhang beyond the padding is not counted), as Caffe does.
            const int64_t yEnd =
                std::min(y0 + (w.kernelH - 1) * w.dilationH + 1, inH + w.padBottom);
            const int64_t xEnd = std::min(x0 + (w.kernelW - 1) * w.dilationW + 1, inW + w.padRight);
            float sum = 0.0f;
            int64_t valid = 0;
            for (int64_t iy = y0; iy < yEnd; iy += w.dilationH) {
                if (iy < 0 || iy >= inH) continue;
                for (int64_t ix = x0; ix < xEnd; ix += w.dilationW) {
                    if (ix < 0 || ix >= inW) continue;
                    sum += in[iy * inW + ix];
                    ++valid;
                }
            }
            const int64_t padded = ((yEnd - y0 + w.dilationH - 1) / w.dilationH) *
                                   ((xEnd - x0 + w.dilationW - 1) / w.dilationW);
            const int64_t count = includePad ? padded : valid;
            return count > 0 ? sum / static_cast<float>(count) : 0.0f;
        },
        [](const float*, int64_t, int64_t, const Window2d&, int64_t, int64_t, float*) {
            return false;
        });
}

namespace {

template <typename Reduce>
void globalPool(const Node& node, const std::vector<const Tensor*>& inputs,
                std::vector<Tensor>& outputs, Reduce reduce) {
    const Tensor& x = requireInput(node, inputs, 0);
    if (!x.isFloat())
        kernelError(
            node, std::string("pooling of ") + dataTypeName(x.dtype) + " tensors is not supported");
    if (x.rank() < 3)
        kernelError(node, "expects an input with spatial axes, got " + shapeToString(x.shape));
    Shape shape = x.shape;
    int64_t planeSize = 1;
    for (size_t k = 2; k < shape.size(); ++k) {
        planeSize *= shape[k];
        shape[k] = 1;
    }
    Tensor& y = outputs[0];
    if (shapeOnly(inputs, y, shape, DataType::Float32)) return;
    y = floatsToOverwrite(shape);
    const int64_t planes = x.shape[0] * x.shape[1];
    for (int64_t p = 0; p < planes; ++p) y.f[p] = reduce(x.f.data() + p * planeSize, planeSize);
}

}  // namespace

void globalAveragePool(const Node& node, const std::vector<const Tensor*>& inputs,
                       std::vector<Tensor>& outputs) {
    globalPool(node, inputs, outputs, [](const float* in, int64_t size) {
        double sum = 0.0;
        for (int64_t k = 0; k < size; ++k) sum += in[k];
        return static_cast<float>(sum / static_cast<double>(size));
    });
}

void globalMaxPool(const Node& node, const std::vector<const Tensor*>& inputs,
                   std::vector<Tensor>& outputs) {
    globalPool(node, inputs, outputs,
               [](const float* in, int64_t size) { return *std::max_element(in, in + size); });
}

}  // namespace qf::kernels

// Data movement and shape arithmetic: Concat, Flatten, Reshape, Transpose, Squeeze, Unsqueeze,
// Identity/Dropout, Shape, Gather, Cast, ConstantOfShape, Constant, Slice, Pad and Caffe's Crop.
// All of them work on integer tensors too, since ONNX exports compute shapes with them.
#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <type_traits>

#include "runtime/kernels/kernel_helpers.h"
#include "runtime/kernels/kernels.h"
#include "runtime/parallel.h"

namespace qf::kernels {
namespace {

constexpr int64_t kParallelMin = 1 << 16;

std::string intsToString(const std::vector<int64_t>& values) {
    std::string text = "[";
    for (size_t k = 0; k < values.size(); ++k) text += (k ? ", " : "") + std::to_string(values[k]);
    return text + "]";
}

// A strided view of a source tensor: element (i0, i1, ...) of `shape` sits at
// base + sum(ik * strides[k]). Transpose, Slice and Crop are copies of such views.
struct StridedView {
    Shape shape;
    std::vector<int64_t> strides;
    int64_t base = 0;
};

// Drops unit axes and merges neighbours that are contiguous in the source too, so a copy runs
// over as few and as long inner rows as the view allows.
StridedView simplify(const StridedView& view) {
    StridedView merged;
    merged.base = view.base;
    for (size_t k = 0; k < view.shape.size(); ++k) {
        if (view.shape[k] == 1) continue;
        if (!merged.shape.empty() && merged.strides.back() == view.strides[k] * view.shape[k]) {
            merged.shape.back() *= view.shape[k];
            merged.strides.back() = view.strides[k];
        } else {
            merged.shape.push_back(view.shape[k]);
            merged.strides.push_back(view.strides[k]);
        }
    }
    if (merged.shape.empty()) {
        merged.shape.push_back(1);
        merged.strides.push_back(1);
    }
    return merged;
}

// Copies the view of `source` into `dest`, which holds shapeNumel(view.shape) elements.
template <typename T>
void copyView(const std::vector<T>& source, const StridedView& view, std::vector<T>& dest) {
    dest.resize(static_cast<size_t>(allocatableNumel(view.shape)));
    if (dest.empty()) return;
    const StridedView v = simplify(view);
    const size_t outerRank = v.shape.size() - 1;
    const int64_t inner = v.shape.back(), innerStride = v.strides.back();
    const int64_t rows = product(v.shape, 0, outerRank);
    const T* in = source.data();
    T* out = dest.data();
    parallelFor(rows, rows * inner >= kParallelMin, [&](int64_t rowBegin, int64_t rowEnd) {
        for (int64_t row = rowBegin; row < rowEnd; ++row) {
            int64_t rest = row, offset = v.base;
            for (size_t k = outerRank; k-- > 0;) {
                offset += (rest % v.shape[k]) * v.strides[k];
                rest /= v.shape[k];
            }
            const T* from = in + offset;
            T* to = out + row * inner;
            if (innerStride == 1)
                std::copy(from, from + inner, to);
            else
                for (int64_t j = 0; j < inner; ++j) to[j] = from[j * innerStride];
        }
    });
}

void copyView(const Tensor& source, const StridedView& view, Tensor& dest) {
    if (shapeOnly({&source}, dest, view.shape, source.dtype)) return;
    dest.shape = view.shape;
    withStorage(source, dest, [&view](const auto& in, auto& out) { copyView(in, view, out); });
}

// Axes given as an attribute (older opsets) or as input k (opset 13+); empty when neither.
std::vector<int64_t> axesOf(const Node& node, const std::vector<const Tensor*>& inputs, size_t k) {
    if (node.has("axes")) return node.attrInts("axes");
    return optionalInts(inputs, k);
}

DataType castTarget(const Node& node) {
    // ONNX TensorProto element types.
    const int64_t to = node.attrInt("to", 0);
    switch (to) {
        case 1:
            return DataType::Float32;
        case 2:
            return DataType::UInt8;
        case 3:
            return DataType::Int8;
        case 6:
            return DataType::Int32;
        case 7:
            return DataType::Int64;
        case 9:
            return DataType::Bool;
        case 11:
            return DataType::Float64;
        default:
            kernelError(node,
                        "casting to element type " + std::to_string(to) + " is not supported");
    }
}

// A float converted to an integer type: truncation toward zero as C does, saturated at the
// int64 range so NaN and infinities stay defined.
int64_t floatToInt(float value, DataType type) {
    if (type == DataType::Bool) return value != 0.0f ? 1 : 0;
    if (std::isnan(value)) return 0;
    constexpr float limit = 9.2233720368547758e18f;  // 2^63
    if (value >= limit) return wrapToType(std::numeric_limits<int64_t>::max(), type);
    if (value <= -limit) return wrapToType(std::numeric_limits<int64_t>::min(), type);
    return wrapToType(static_cast<int64_t>(value), type);
}

// Per-axis source index of every output position of Pad; -1 selects the constant.
std::vector<int64_t> padIndexMap(int64_t inSize, int64_t before, int64_t outSize,
                                 const std::string& mode) {
    std::vector<int64_t> map(static_cast<size_t>(outSize));
    for (int64_t o = 0; o < outSize; ++o) {
        int64_t src = o - before;
        if (src < 0 || src >= inSize) {
            if (mode == "edge") {
                src = std::clamp<int64_t>(src, 0, inSize - 1);
            } else if (mode == "reflect") {
                if (inSize == 1) {
                    src = 0;
                } else {
                    const int64_t period = 2 * (inSize - 1);
                    src = ((src % period) + period) % period;
                    if (src >= inSize) src = period - src;
                }
            } else {
                src = -1;
            }
        }
        map[static_cast<size_t>(o)] = src;
    }
    return map;
}

template <typename T>
void padCopy(const std::vector<T>& in, const Shape& inShape, const Shape& outShape,
             const std::vector<std::vector<int64_t>>& maps, T fill, std::vector<T>& out) {
    out.assign(static_cast<size_t>(allocatableNumel(outShape)), fill);
    if (out.empty()) return;
    const size_t rank = outShape.size();
    if (rank == 0) {
        out[0] = in[0];
        return;
    }
    const std::vector<int64_t> inStrides = stridesOf(inShape);
    const int64_t inner = outShape.back();
    const int64_t rows = product(outShape, 0, rank - 1);
    const std::vector<int64_t>& innerMap = maps.back();
    parallelFor(rows, rows * inner >= kParallelMin, [&](int64_t rowBegin, int64_t rowEnd) {
        for (int64_t row = rowBegin; row < rowEnd; ++row) {
            int64_t rest = row, offset = 0;
            bool inside = true;
            for (size_t k = rank - 1; k-- > 0;) {
                const int64_t src = maps[k][static_cast<size_t>(rest % outShape[k])];
                rest /= outShape[k];
                if (src < 0) inside = false;
                offset += src * inStrides[k];
            }
            if (!inside) continue;  // a padded row: already the constant
            T* to = out.data() + row * inner;
            const T* from = in.data() + offset;
            for (int64_t j = 0; j < inner; ++j) {
                const int64_t src = innerMap[static_cast<size_t>(j)];
                if (src >= 0) to[j] = from[src];
            }
        }
    });
}

}  // namespace

void concat(const Node& node, const std::vector<const Tensor*>& inputs,
            std::vector<Tensor>& outputs) {
    const Tensor& first = requireInput(node, inputs, 0);
    if (first.rank() == 0) kernelError(node, "cannot concatenate scalars");
    const int axis = normalizeAxis(node, node.attrInt("axis", 1), first.rank());
    Shape outShape = first.shape;
    outShape[static_cast<size_t>(axis)] = 0;
    for (size_t k = 0; k < inputs.size(); ++k) {
        const Tensor& x = requireInput(node, inputs, k);
        bool fits = x.rank() == first.rank() && x.isFloat() == first.isFloat();
        for (int d = 0; fits && d < x.rank(); ++d)
            fits =
                d == axis || x.shape[static_cast<size_t>(d)] == first.shape[static_cast<size_t>(d)];
        if (!fits)
            kernelError(node, "input " + std::to_string(k) + " " + dataTypeName(x.dtype) +
                                  shapeToString(x.shape) + " does not fit input 0 " +
                                  dataTypeName(first.dtype) + shapeToString(first.shape));
        outShape[static_cast<size_t>(axis)] += x.shape[static_cast<size_t>(axis)];
    }
    Tensor& y = outputs[0];
    if (shapeOnly(inputs, y, outShape, first.dtype)) return;
    const int64_t outer = product(first.shape, 0, static_cast<size_t>(axis));
    const int64_t outRow = product(outShape, static_cast<size_t>(axis), outShape.size());
    y.shape = outShape;
    withStorage(first, y, [&](const auto&, auto& out) {
        out.resize(static_cast<size_t>(allocatableNumel(outShape)));
        int64_t column = 0;
        for (const Tensor* x : inputs) {
            const auto& in = valuesOf<typename std::decay_t<decltype(out)>::value_type>(*x);
            const int64_t row = product(x->shape, static_cast<size_t>(axis), x->shape.size());
            for (int64_t o = 0; o < outer; ++o)
                std::copy(in.begin() + o * row, in.begin() + (o + 1) * row,
                          out.begin() + o * outRow + column);
            column += row;
        }
    });
}

void flatten(const Node& node, const std::vector<const Tensor*>& inputs,
             std::vector<Tensor>& outputs) {
    const Tensor& x = requireInput(node, inputs, 0);
    const int rank = x.rank();
    if (node.has("end_axis")) {
        // Caffe: axes axis..end_axis (inclusive) become one.
        const int first = normalizeAxis(node, node.attrInt("axis", 1), rank);
        const int last = normalizeAxis(node, node.attrInt("end_axis", -1), rank, "end_axis");
        if (last < first) kernelError(node, "end_axis comes before axis");
        Shape shape(x.shape.begin(), x.shape.begin() + first);
        shape.push_back(
            product(x.shape, static_cast<size_t>(first), static_cast<size_t>(last) + 1));
        shape.insert(shape.end(), x.shape.begin() + last + 1, x.shape.end());
        reshapedCopy(node, x, shape, outputs[0]);
        return;
    }
    // ONNX: always 2-D; axis may equal the rank.
    int64_t axis = node.attrInt("axis", 1);
    if (axis < -rank || axis > rank)
        kernelError(node, "axis " + std::to_string(axis) + " is out of range for rank " +
                              std::to_string(rank));
    if (axis < 0) axis += rank;
    const auto split = static_cast<size_t>(axis);
    reshapedCopy(node, x, {product(x.shape, 0, split), product(x.shape, split, x.shape.size())},
                 outputs[0]);
}

void reshape(const Node& node, const std::vector<const Tensor*>& inputs,
             std::vector<Tensor>& outputs) {
    const Tensor& x = requireInput(node, inputs, 0);
    const int rank = x.rank();
    // The dims being replaced: all of them for ONNX, [axis, axis + num_axes) for Caffe.
    int64_t begin = 0, end = rank;
    std::vector<int64_t> spec;
    bool allowZero = false;
    if (node.has("shape")) {
        spec = node.attrInts("shape");
        const int64_t axis = node.attrInt("axis", 0);
        const int64_t numAxes = node.attrInt("num_axes", -1);
        begin = axis >= 0 ? axis : rank + axis + 1;  // Caffe: -1 is past the last axis
        end = numAxes == -1 ? rank : begin + numAxes;
        if (begin < 0 || begin > rank || end < begin || end > rank)
            kernelError(node, "axis/num_axes do not fit input " + shapeToString(x.shape));
    } else {
        spec = requireInput(node, inputs, 1).asInts();
        allowZero = node.attrInt("allowzero", 0) != 0;
    }
    Shape shape(x.shape.begin(), x.shape.begin() + begin);
    int inferred = -1;
    for (size_t k = 0; k < spec.size(); ++k) {
        int64_t dim = spec[k];
        if (dim == 0 && !allowZero) {
            const int64_t source = begin + static_cast<int64_t>(k);
            if (source >= rank)
                kernelError(node, "shape " + intsToString(spec) + " copies a missing dim");
            dim = x.shape[static_cast<size_t>(source)];
        } else if (dim == -1) {
            if (inferred >= 0) kernelError(node, "shape " + intsToString(spec) + " has two -1");
            inferred = static_cast<int>(shape.size());
            dim = 1;
        } else if (dim < 0) {
            kernelError(node, "shape " + intsToString(spec) + " has a negative dim");
        }
        shape.push_back(dim);
    }
    shape.insert(shape.end(), x.shape.begin() + end, x.shape.end());
    if (inferred >= 0) {
        const int64_t known = shapeNumel(shape);
        if (known == 0 || x.numel() % known != 0)
            kernelError(node, "cannot infer the -1 of " + intsToString(spec) + " for input " +
                                  shapeToString(x.shape));
        shape[static_cast<size_t>(inferred)] = x.numel() / known;
    }
    reshapedCopy(node, x, shape, outputs[0]);
}

void transpose(const Node& node, const std::vector<const Tensor*>& inputs,
               std::vector<Tensor>& outputs) {
    const Tensor& x = requireInput(node, inputs, 0);
    const int rank = x.rank();
    std::vector<int64_t> perm = node.attrInts("perm");
    if (perm.empty())
        for (int k = rank - 1; k >= 0; --k) perm.push_back(k);
    if (static_cast<int>(perm.size()) != rank)
        kernelError(node,
                    "perm " + intsToString(perm) + " does not fit rank " + std::to_string(rank));
    std::vector<bool> used(static_cast<size_t>(rank), false);
    const std::vector<int64_t> inStrides = stridesOf(x.shape);
    StridedView view;
    for (int64_t p : perm) {
        const int axis = normalizeAxis(node, p, rank, "perm entry");
        if (used[static_cast<size_t>(axis)])
            kernelError(node, "perm " + intsToString(perm) + " repeats an axis");
        used[static_cast<size_t>(axis)] = true;
        view.shape.push_back(x.shape[static_cast<size_t>(axis)]);
        view.strides.push_back(inStrides[static_cast<size_t>(axis)]);
    }
    copyView(x, view, outputs[0]);
}

void squeeze(const Node& node, const std::vector<const Tensor*>& inputs,
             std::vector<Tensor>& outputs) {
    const Tensor& x = requireInput(node, inputs, 0);
    const std::vector<int64_t> axes = axesOf(node, inputs, 1);
    std::vector<bool> drop(x.shape.size(), false);
    if (axes.empty()) {
        for (size_t k = 0; k < x.shape.size(); ++k) drop[k] = x.shape[k] == 1;
    } else {
        for (int64_t a : axes) {
            const int axis = normalizeAxis(node, a, x.rank());
            if (x.shape[static_cast<size_t>(axis)] != 1)
                kernelError(node, "cannot squeeze axis " + std::to_string(a) + " of " +
                                      shapeToString(x.shape));
            drop[static_cast<size_t>(axis)] = true;
        }
    }
    Shape shape;
    for (size_t k = 0; k < x.shape.size(); ++k)
        if (!drop[k]) shape.push_back(x.shape[k]);
    reshapedCopy(node, x, shape, outputs[0]);
}

void unsqueeze(const Node& node, const std::vector<const Tensor*>& inputs,
               std::vector<Tensor>& outputs) {
    const Tensor& x = requireInput(node, inputs, 0);
    const std::vector<int64_t> axes = axesOf(node, inputs, 1);
    if (axes.empty()) kernelError(node, "needs axes");
    const int outRank = x.rank() + static_cast<int>(axes.size());
    std::vector<bool> inserted(static_cast<size_t>(outRank), false);
    for (int64_t a : axes) {
        const int axis = normalizeAxis(node, a, outRank);
        if (inserted[static_cast<size_t>(axis)])
            kernelError(node, "axes " + intsToString(axes) + " repeat an axis");
        inserted[static_cast<size_t>(axis)] = true;
    }
    Shape shape;
    size_t next = 0;
    for (int k = 0; k < outRank; ++k)
        shape.push_back(inserted[static_cast<size_t>(k)] ? 1 : x.shape[next++]);
    reshapedCopy(node, x, shape, outputs[0]);
}

void identity(const Node& node, const std::vector<const Tensor*>& inputs,
              std::vector<Tensor>& outputs) {
    const Tensor& x = requireInput(node, inputs, 0);
    // Dropout(data, ratio?, training_mode?): inference only.
    if (node.op == "Dropout" && inputs.size() > 2 && inputs[2] && !inputs[2]->asInts().empty() &&
        inputs[2]->asInts()[0] != 0)
        kernelError(node, "training-mode Dropout is not supported");
    outputs[0] = x;
    if (outputs.size() > 1 && !shapeOnly(inputs, outputs[1], x.shape, DataType::Bool)) {
        // Dropout's mask: nothing is dropped at inference.
        outputs[1] = Tensor::ints(x.shape, std::vector<int64_t>(static_cast<size_t>(x.numel()), 1),
                                  DataType::Bool);
    }
}

void shape(const Node& node, const std::vector<const Tensor*>& inputs,
           std::vector<Tensor>& outputs) {
    const Tensor& x = requireInput(node, inputs, 0);
    const int64_t rank = x.rank();
    // Opset 15 start/end: negative counts from the end, both clamp to [0, rank].
    auto clampAxis = [rank](int64_t axis) {
        return std::clamp<int64_t>(axis < 0 ? axis + rank : axis, 0, rank);
    };
    const int64_t start = clampAxis(node.attrInt("start", 0));
    const int64_t end = clampAxis(node.attrInt("end", rank));
    const std::vector<int64_t> dims(x.shape.begin() + start,
                                    x.shape.begin() + std::max(start, end));
    outputs[0] = Tensor::ints({static_cast<int64_t>(dims.size())}, dims, DataType::Int64);
}

void gather(const Node& node, const std::vector<const Tensor*>& inputs,
            std::vector<Tensor>& outputs) {
    const Tensor& data = requireInput(node, inputs, 0);
    const Tensor& indexTensor = requireInput(node, inputs, 1);
    if (indexTensor.isFloat()) kernelError(node, "indices must be integers");
    if (data.rank() == 0) kernelError(node, "cannot gather from a scalar");
    const int axis = normalizeAxis(node, node.attrInt("axis", 0), data.rank());
    const int64_t dim = data.shape[static_cast<size_t>(axis)];
    std::vector<int64_t> indices = indexTensor.i;
    for (int64_t& index : indices) {
        if (index < -dim || index >= dim)
            kernelError(node, "index " + std::to_string(index) + " is out of range for axis " +
                                  std::to_string(axis) + " of " + shapeToString(data.shape));
        if (index < 0) index += dim;
    }
    Shape shape(data.shape.begin(), data.shape.begin() + axis);
    shape.insert(shape.end(), indexTensor.shape.begin(), indexTensor.shape.end());
    shape.insert(shape.end(), data.shape.begin() + axis + 1, data.shape.end());
    const int64_t outer = product(data.shape, 0, static_cast<size_t>(axis));
    const int64_t inner = product(data.shape, static_cast<size_t>(axis) + 1, data.shape.size());
    const auto count = static_cast<int64_t>(indices.size());
    Tensor& y = outputs[0];
    if (shapeOnly(inputs, y, shape, data.dtype)) return;
    y.shape = shape;
    withStorage(data, y, [&](const auto& in, auto& out) {
        out.resize(static_cast<size_t>(allocatableNumel(shape)));
        for (int64_t o = 0; o < outer; ++o)
            for (int64_t t = 0; t < count; ++t) {
                const auto from = in.begin() + (o * dim + indices[static_cast<size_t>(t)]) * inner;
                std::copy(from, from + inner, out.begin() + (o * count + t) * inner);
            }
    });
}

void cast(const Node& node, const std::vector<const Tensor*>& inputs,
          std::vector<Tensor>& outputs) {
    const Tensor& x = requireInput(node, inputs, 0);
    const DataType target = castTarget(node);
    if (shapeOnly(inputs, outputs[0], x.shape, target)) return;
    Tensor y;
    y.dtype = target;
    y.shape = x.shape;
    if (isFloating(target)) {
        y.f = x.asFloats();
    } else if (x.isFloat()) {
        y.i.resize(x.f.size());
        std::transform(x.f.begin(), x.f.end(), y.i.begin(),
                       [target](float v) { return floatToInt(v, target); });
    } else {
        y.i = x.i;
        wrapInts(y);
    }
    outputs[0] = std::move(y);
}

void constantOfShape(const Node& node, const std::vector<const Tensor*>& inputs,
                     std::vector<Tensor>& outputs) {
    const Shape shape = requireInput(node, inputs, 0).asInts();
    for (int64_t dim : shape)
        if (dim < 0) kernelError(node, "shape " + intsToString(shape) + " has a negative dim");
    Tensor value = Tensor::floats({1}, 0.0f);
    if (node.has("value")) {
        value = node.attrs.at("value").t;
        if (value.numel() != 1) kernelError(node, "value must hold one element");
    }
    if (shapeOnly(inputs, outputs[0], shape, value.dtype)) return;
    Tensor y = makeTensor(value.dtype, shape);
    if (y.isFloat())
        std::fill(y.f.begin(), y.f.end(), value.f[0]);
    else
        std::fill(y.i.begin(), y.i.end(), value.i[0]);
    outputs[0] = std::move(y);
}

void constant(const Node& node, const std::vector<const Tensor*>&, std::vector<Tensor>& outputs) {
    if (node.has("value")) {
        outputs[0] = node.attrs.at("value").t;
    } else if (node.has("value_float")) {
        outputs[0] = Tensor::floats({}, std::vector<float>{node.attrFloat("value_float", 0.0f)});
    } else if (node.has("value_floats")) {
        const std::vector<float> values = node.attrFloats("value_floats");
        outputs[0] = Tensor::floats({static_cast<int64_t>(values.size())}, values);
    } else if (node.has("value_int")) {
        outputs[0] = Tensor::ints({}, {node.attrInt("value_int", 0)});
    } else if (node.has("value_ints")) {
        const std::vector<int64_t> values = node.attrInts("value_ints");
        outputs[0] = Tensor::ints({static_cast<int64_t>(values.size())}, values);
    } else {
        kernelError(node, "has no supported value attribute");
    }
}

void slice(const Node& node, const std::vector<const Tensor*>& inputs,
           std::vector<Tensor>& outputs) {
    const Tensor& x = requireInput(node, inputs, 0);
    const int rank = x.rank();
    // Opset < 10 gives starts/ends/axes as attributes, later opsets as inputs 1..4.
    const bool fromAttrs = node.has("starts");
    const std::vector<int64_t> starts =
        fromAttrs ? node.attrInts("starts") : requireInput(node, inputs, 1).asInts();
    const std::vector<int64_t> ends =
        fromAttrs ? node.attrInts("ends") : requireInput(node, inputs, 2).asInts();
    std::vector<int64_t> axes = fromAttrs ? node.attrInts("axes") : optionalInts(inputs, 3);
    std::vector<int64_t> steps = fromAttrs ? std::vector<int64_t>{} : optionalInts(inputs, 4);
    if (axes.empty())
        for (size_t k = 0; k < starts.size(); ++k) axes.push_back(static_cast<int64_t>(k));
    if (steps.empty()) steps.assign(starts.size(), 1);
    if (ends.size() != starts.size() || axes.size() != starts.size() ||
        steps.size() != starts.size())
        kernelError(node, "starts, ends, axes and steps differ in length");

    const std::vector<int64_t> inStrides = stridesOf(x.shape);
    StridedView view{x.shape, inStrides, 0};
    std::vector<bool> seen(static_cast<size_t>(rank), false);
    for (size_t k = 0; k < starts.size(); ++k) {
        const auto axis = static_cast<size_t>(normalizeAxis(node, axes[k], rank));
        if (seen[axis]) kernelError(node, "axes " + intsToString(axes) + " repeat an axis");
        seen[axis] = true;
        const int64_t dim = x.shape[axis], step = steps[k];
        if (step == 0) kernelError(node, "step 0");
        int64_t start = starts[k] < 0 ? starts[k] + dim : starts[k];
        int64_t end = ends[k] < 0 ? ends[k] + dim : ends[k];
        int64_t count;
        if (step > 0) {
            start = std::clamp<int64_t>(start, 0, dim);
            end = std::clamp<int64_t>(end, 0, dim);
            count = end > start ? (end - start + step - 1) / step : 0;
        } else {
            start = std::clamp<int64_t>(start, 0, dim - 1);
            end = std::clamp<int64_t>(end, -1, dim - 1);
            count = start > end ? (start - end - step - 1) / -step : 0;
        }
        view.shape[axis] = count;
        view.strides[axis] = inStrides[axis] * step;
        if (count > 0) view.base += start * inStrides[axis];
    }
    copyView(x, view, outputs[0]);
}

void pad(const Node& node, const std::vector<const Tensor*>& inputs, std::vector<Tensor>& outputs) {
    const Tensor& x = requireInput(node, inputs, 0);
    const int rank = x.rank();
    const std::string mode = node.attrString("mode", "constant");
    if (mode != "constant" && mode != "reflect" && mode != "edge")
        kernelError(node, "mode '" + mode + "' is not supported");
    // Opset < 11: attributes pads and value; later: inputs pads, constant_value?, axes?.
    const bool fromAttrs = node.has("pads");
    const std::vector<int64_t> pads =
        fromAttrs ? node.attrInts("pads") : requireInput(node, inputs, 1).asInts();
    std::vector<int64_t> axes = fromAttrs ? std::vector<int64_t>{} : optionalInts(inputs, 3);
    if (axes.empty())
        for (int k = 0; k < rank; ++k) axes.push_back(k);
    if (pads.size() != 2 * axes.size())
        kernelError(node,
                    "pads " + intsToString(pads) + " do not fit input " + shapeToString(x.shape));

    std::vector<int64_t> before(static_cast<size_t>(rank), 0), after(static_cast<size_t>(rank), 0);
    for (size_t k = 0; k < axes.size(); ++k) {
        const auto axis = static_cast<size_t>(normalizeAxis(node, axes[k], rank));
        before[axis] = pads[k];
        after[axis] = pads[k + axes.size()];
    }
    Shape outShape = x.shape;
    std::vector<std::vector<int64_t>> maps(static_cast<size_t>(rank));
    for (size_t k = 0; k < outShape.size(); ++k) {
        outShape[k] += before[k] + after[k];
        if (outShape[k] < 0)
            kernelError(
                node, "pads " + intsToString(pads) + " remove more than " + shapeToString(x.shape));
        if (x.shape[k] == 0 && outShape[k] > 0 && mode != "constant")
            kernelError(node, "cannot " + mode + "-pad an empty axis");
    }
    // The fill value is not needed for the shape (and may be hollow then).
    if (shapeOnly(inputs, outputs[0], outShape, x.dtype)) return;
    float floatFill = fromAttrs ? node.attrFloat("value", 0.0f) : 0.0f;
    int64_t intFill = 0;
    if (!fromAttrs && inputs.size() > 2 && inputs[2] && inputs[2]->numel() > 0) {
        floatFill = inputs[2]->asFloats()[0];
        intFill = inputs[2]->asInts()[0];
    }
    allocatableNumel(outShape);
    for (size_t k = 0; k < outShape.size(); ++k)
        maps[k] = padIndexMap(x.shape[k], before[k], outShape[k], mode);
    Tensor& y = outputs[0];
    y.dtype = x.dtype;
    y.shape = outShape;
    if (x.isFloat())
        padCopy(x.f, x.shape, outShape, maps, floatFill, y.f);
    else
        padCopy(x.i, x.shape, outShape, maps, wrapToType(intFill, x.dtype), y.i);
}

void crop(const Node& node, const std::vector<const Tensor*>& inputs,
          std::vector<Tensor>& outputs) {
    const Tensor& x = requireInput(node, inputs, 0);
    const Tensor& reference = requireInput(node, inputs, 1);
    const int rank = x.rank();
    if (reference.rank() != rank)
        kernelError(node, "reference " + shapeToString(reference.shape) + " and input " +
                              shapeToString(x.shape) + " differ in rank");
    const int axis = normalizeAxis(node, node.attrInt("axis", 2), rank);
    const std::vector<int64_t> offsets = node.attrInts("offset");
    const auto cropped = static_cast<size_t>(rank - axis);
    if (offsets.size() > 1 && offsets.size() != cropped)
        kernelError(node, "needs one offset, or one per axis from " + std::to_string(axis));
    StridedView view{x.shape, stridesOf(x.shape), 0};
    for (size_t k = 0; k < cropped; ++k) {
        const size_t d = static_cast<size_t>(axis) + k;
        const int64_t offset = offsets.empty() ? 0 : offsets.size() == 1 ? offsets[0] : offsets[k];
        if (offset < 0 || offset + reference.shape[d] > x.shape[d])
            kernelError(node, "crop of " + shapeToString(reference.shape) + " at offset " +
                                  std::to_string(offset) + " leaves input " +
                                  shapeToString(x.shape));
        view.shape[d] = reference.shape[d];
        view.base += offset * view.strides[d];
    }
    copyView(x, view, outputs[0]);
}

}  // namespace qf::kernels

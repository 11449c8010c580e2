#pragma once
// Small helpers shared by the activation, elementwise, shape, resize and softmax kernels.
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "runtime/kernel.h"

namespace qf::kernels {

// An axis in [-rank, rank) as an index in [0, rank).
inline int normalizeAxis(const Node& node, int64_t axis, int rank, const char* what = "axis") {
    if (axis < -rank || axis >= rank)
        kernelError(node, std::string(what) + " " + std::to_string(axis) +
                              " is out of range for rank " + std::to_string(rank));
    return static_cast<int>(axis < 0 ? axis + rank : axis);
}

// Row-major strides of a shape, in elements.
inline std::vector<int64_t> stridesOf(const Shape& shape) {
    std::vector<int64_t> strides(shape.size(), 1);
    for (size_t k = shape.size(); k-- > 1;) strides[k - 1] = strides[k] * shape[k];
    return strides;
}

inline int64_t product(const Shape& shape, size_t begin, size_t end) {
    int64_t p = 1;
    for (size_t k = begin; k < end && k < shape.size(); ++k) p *= shape[k];
    return p;
}

// Integer tensors hold every element type in int64; results are brought back into the range of
// the declared type the way the C types (and ONNX runtimes) wrap.
inline int64_t wrapToType(int64_t value, DataType type) {
    switch (type) {
        case DataType::Int32:
            return static_cast<int32_t>(value);
        case DataType::Int8:
            return static_cast<int8_t>(value);
        case DataType::UInt8:
            return static_cast<uint8_t>(value);
        case DataType::Bool:
            return value != 0 ? 1 : 0;
        default:
            return value;
    }
}

inline void wrapInts(Tensor& t) {
    if (t.isFloat() || t.dtype == DataType::Int64) return;
    for (auto& v : t.i) v = wrapToType(v, t.dtype);
}

// A tensor of `shape` and `dtype`, its storage (f or i) sized and zeroed.
inline Tensor makeTensor(DataType dtype, Shape shape) {
    Tensor t;
    t.dtype = dtype;
    t.shape = std::move(shape);
    if (t.isFloat())
        t.f.assign(static_cast<size_t>(t.numel()), 0.0f);
    else
        t.i.assign(static_cast<size_t>(t.numel()), 0);
    return t;
}

// The storage of a tensor by element type: float for floating tensors, int64 for the rest.
template <typename T>
const std::vector<T>& valuesOf(const Tensor& t);
template <>
inline const std::vector<float>& valuesOf<float>(const Tensor& t) {
    return t.f;
}
template <>
inline const std::vector<int64_t>& valuesOf<int64_t>(const Tensor& t) {
    return t.i;
}

// Runs fn(source values, destination values) on the storage that the dtype of `in` selects:
// data-movement kernels are written once for float and integer tensors. `out` gets in's dtype.
template <typename Fn>
void withStorage(const Tensor& in, Tensor& out, Fn&& fn) {
    out.dtype = in.dtype;
    if (in.isFloat())
        fn(in.f, out.f);
    else
        fn(in.i, out.i);
}

// Moves an input through unchanged except for its shape (Reshape, Flatten, Squeeze...).
inline void reshapedCopy(const Node& node, const Tensor& in, Shape shape, Tensor& out) {
    if (shapeNumel(shape) != in.numel())
        kernelError(node,
                    "cannot reshape " + shapeToString(in.shape) + " to " + shapeToString(shape));
    if (shapeOnly({&in}, out, shape, in.dtype)) return;
    out.dtype = in.dtype;
    out.f = in.f;
    out.i = in.i;
    out.shape = std::move(shape);
}

// Every value of an optional input as int64, or `fallback` when the input is absent.
inline std::vector<int64_t> optionalInts(const std::vector<const Tensor*>& inputs, size_t k,
                                         std::vector<int64_t> fallback = {}) {
    if (k < inputs.size() && inputs[k]) return inputs[k]->asInts();
    return fallback;
}

}  // namespace qf::kernels

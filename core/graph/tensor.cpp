#include "graph/tensor.h"

#include <atomic>
#include <cstdlib>
#include <limits>

#include "util/error.h"

namespace qf {

bool isFloating(DataType type) { return type == DataType::Float32 || type == DataType::Float64; }

const char* dataTypeName(DataType type) {
    switch (type) {
        case DataType::Float32:
            return "float32";
        case DataType::Float64:
            return "float64";
        case DataType::Int64:
            return "int64";
        case DataType::Int32:
            return "int32";
        case DataType::Int8:
            return "int8";
        case DataType::UInt8:
            return "uint8";
        case DataType::Bool:
            return "bool";
    }
    return "?";
}

int64_t shapeNumel(const Shape& shape) {
    // A product past int64 (dimensions read from a file can be anything) saturates instead of
    // overflowing: no real count equals it, and allocatableNumel refuses it.
    int64_t values = 1;
    for (const int64_t d : shape)
        if (__builtin_mul_overflow(values, d, &values)) return std::numeric_limits<int64_t>::max();
    return values;
}

namespace {

std::atomic<int64_t>& tensorValuesLimit() {
    static std::atomic<int64_t> limit = [] {
        constexpr int64_t kDefault = kDefaultMaxTensorValues;
        const char* text = std::getenv("QUANTFOLD_MAX_TENSOR_VALUES");
        if (!text || !*text) return kDefault;
        char* end = nullptr;
        const long long value = std::strtoll(text, &end, 10);
        return end && *end == '\0' && value > 0 ? static_cast<int64_t>(value) : kDefault;
    }();
    return limit;
}

}  // namespace

int64_t maxTensorValues() { return tensorValuesLimit().load(std::memory_order_relaxed); }

void setMaxTensorValues(int64_t limit) {
    if (limit <= 0) throw Error("the tensor limit must be positive");
    tensorValuesLimit().store(limit, std::memory_order_relaxed);
}

int64_t allocatableNumel(const Shape& shape) {
    const int64_t limit = maxTensorValues();
    int64_t values = 1;
    for (const int64_t d : shape) {
        if (d < 0) throw TensorTooLarge("a tensor cannot have the shape " + shapeToString(shape));
        if (d != 0 && values > limit / d)
            throw TensorTooLarge("a tensor of shape " + shapeToString(shape) +
                                 " would hold more than " + std::to_string(limit) +
                                 " values (the limit; --max-tensor-values or "
                                 "QUANTFOLD_MAX_TENSOR_VALUES raises it)");
        values *= d;
    }
    return values;
}

std::string shapeToString(const Shape& shape) {
    std::string text = "[";
    for (size_t k = 0; k < shape.size(); ++k) {
        if (k) text += "x";
        text += std::to_string(shape[k]);
    }
    return text + "]";
}

Tensor Tensor::floats(Shape shape, std::vector<float> values) {
    Tensor t;
    t.shape = std::move(shape);
    t.f = std::move(values);
    if (static_cast<int64_t>(t.f.size()) != t.numel())
        throw Error("tensor of shape " + shapeToString(t.shape) + " given " +
                    std::to_string(t.f.size()) + " values");
    return t;
}

Tensor Tensor::floats(Shape shape, float fill) {
    Tensor t;
    t.shape = std::move(shape);
    t.f.assign(static_cast<size_t>(allocatableNumel(t.shape)), fill);
    return t;
}

Tensor Tensor::ints(Shape shape, std::vector<int64_t> values, DataType type) {
    Tensor t;
    t.dtype = type;
    t.shape = std::move(shape);
    t.i = std::move(values);
    if (static_cast<int64_t>(t.i.size()) != t.numel())
        throw Error("tensor of shape " + shapeToString(t.shape) + " given " +
                    std::to_string(t.i.size()) + " values");
    return t;
}

Tensor Tensor::hollow(Shape shape, DataType type) {
    Tensor t;
    t.dtype = type;
    t.shape = std::move(shape);
    return t;
}

int64_t Tensor::numel() const { return shapeNumel(shape); }

bool Tensor::hasValues() const {
    return static_cast<int64_t>(isFloat() ? f.size() : i.size()) == numel();
}

int64_t Tensor::dim(int axis) const {
    if (axis < 0) axis += rank();
    if (axis < 0 || axis >= rank())
        throw Error("axis out of range for shape " + shapeToString(shape));
    return shape[static_cast<size_t>(axis)];
}

namespace {

void requireValues(const Tensor& t) {
    if (!t.hasValues())
        throw ValuesUnknown("the values of a tensor of shape " + shapeToString(t.shape) +
                            " are known only when the model runs");
}

}  // namespace

std::vector<int64_t> Tensor::asInts() const {
    requireValues(*this);
    if (!isFloat()) return i;
    std::vector<int64_t> out(f.size());
    for (size_t k = 0; k < f.size(); ++k) out[k] = static_cast<int64_t>(f[k]);
    return out;
}

std::vector<float> Tensor::asFloats() const {
    requireValues(*this);
    if (isFloat()) return f;
    std::vector<float> out(i.size());
    for (size_t k = 0; k < i.size(); ++k) out[k] = static_cast<float>(i[k]);
    return out;
}

}  // namespace qf

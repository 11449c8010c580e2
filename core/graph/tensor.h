#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "util/error.h"

namespace qf {

using Shape = std::vector<int64_t>;

// Element types that models carry. Floating types are held in Tensor::f, integer and boolean
// types in Tensor::i; the tag remembers the original type so exporters write it back as it was.
enum class DataType { Float32, Float64, Int64, Int32, Int8, UInt8, Bool };

bool isFloating(DataType type);
const char* dataTypeName(DataType type);

struct Tensor {
    DataType dtype = DataType::Float32;
    Shape shape;
    std::vector<float> f;
    std::vector<int64_t> i;

    static Tensor floats(Shape shape, std::vector<float> values);
    static Tensor floats(Shape shape, float fill = 0.0f);
    static Tensor ints(Shape shape, std::vector<int64_t> values, DataType type = DataType::Int64);
    // A shape and a type without values: what shape inference knows of a tensor computed from
    // the model's inputs (runtime/shape_inference.h).
    static Tensor hollow(Shape shape, DataType type = DataType::Float32);

    bool isFloat() const { return isFloating(dtype); }
    int64_t numel() const;
    int64_t dim(int axis) const;  // negative axis counts from the end
    int rank() const { return static_cast<int>(shape.size()); }
    // False for a hollow tensor: its storage does not hold numel() values.
    bool hasValues() const;
    // Values as int64 whatever the storage; shape arithmetic reads constants through this.
    // Both throw ValuesUnknown for a hollow tensor.
    std::vector<int64_t> asInts() const;
    std::vector<float> asFloats() const;
};

int64_t shapeNumel(const Shape& shape);

// Thrown when a value is read from a hollow tensor: during shape inference, an output shape that
// depends on values known only when the model runs (a Reshape to a computed shape).
struct ValuesUnknown : Error {
    using Error::Error;
};

// The most values one tensor may hold: 1 G (4 GB of floats) unless QUANTFOLD_MAX_TENSOR_VALUES
// says otherwise. Shapes come from files, and a Resize scale of 1e6 or a pad of 100 000 would
// otherwise end in std::bad_alloc or an out-of-memory kill instead of an error.
int64_t maxTensorValues();
constexpr int64_t kDefaultMaxTensorValues = int64_t{1} << 30;
// Replaces that limit for the whole process (the CLI's --max-tensor-values); throws for <= 0.
void setMaxTensorValues(int64_t limit);

// Thrown, before anything is allocated, for a shape with a negative dimension, an element count
// that overflows, or more values than maxTensorValues(). The executor adds the node's name.
struct TensorTooLarge : Error {
    using Error::Error;
};

// shapeNumel(shape) once the shape is known to be allocatable; throws TensorTooLarge otherwise.
int64_t allocatableNumel(const Shape& shape);
std::string shapeToString(const Shape& shape);

}  // namespace qf

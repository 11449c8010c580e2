// Binary and variadic elementwise ops with numpy broadcasting: Add, Sub, Mul, Div, Sum, Max, and
// Caffe's Eltwise. Integer operands (shape arithmetic) get integer math, anything else float.
#include <algorithm>
#include <string>

#include "runtime/kernels/broadcast.h"
#include "runtime/kernels/kernel_helpers.h"
#include "runtime/kernels/kernels.h"
#include "runtime/parallel.h"
#include "runtime/value_pool.h"

namespace qf::kernels {
namespace {

// The integer type of a result: Int64 wins, so shape arithmetic mixing Int32 and Int64 stays wide.
DataType integerResultType(const Tensor& a, const Tensor& b) {
    if (a.dtype == DataType::Int64 || b.dtype == DataType::Int64) return DataType::Int64;
    return a.dtype;
}

DataType floatResultType(const Tensor& a, const Tensor& b) {
    const bool bothDouble = a.dtype == DataType::Float64 && b.dtype == DataType::Float64;
    const bool doubleWithInt = (a.dtype == DataType::Float64 && !b.isFloat()) ||
                               (b.dtype == DataType::Float64 && !a.isFloat());
    return bothDouble || doubleWithInt ? DataType::Float64 : DataType::Float32;
}

template <typename FloatOp, typename IntOp>
Tensor binary(const Node& node, const Tensor& a, const Tensor& b, FloatOp floatOp, IntOp intOp) {
    Shape outShape;
    if (!broadcastShape(a.shape, b.shape, outShape))
        kernelError(
            node, "cannot broadcast " + shapeToString(a.shape) + " with " + shapeToString(b.shape));
    const DataType type =
        !a.isFloat() && !b.isFloat() ? integerResultType(a, b) : floatResultType(a, b);
    Tensor out;
    if (shapeOnly({&a, &b}, out, outShape, type)) return out;
    const BroadcastPlan plan = planBroadcast(a.shape, b.shape, outShape);
    if (!a.isFloat() && !b.isFloat()) {
        out = makeTensor(type, outShape);
        broadcastApply(plan, a.i.data(), b.i.data(), out.i.data(), intOp);
        wrapInts(out);
        return out;
    }
    // An integer operand next to a float one (a Caffe-built graph, a Cast-less model) is
    // promoted; ONNX itself requires equal types.
    std::vector<float> promotedA, promotedB;
    if (!a.isFloat()) promotedA = a.asFloats();
    if (!b.isFloat()) promotedB = b.asFloats();
    const float* pa = a.isFloat() ? a.f.data() : promotedA.data();
    const float* pb = b.isFloat() ? b.f.data() : promotedB.data();
    out = floatsToOverwrite(outShape);  // broadcastApply writes every value
    out.dtype = type;
    broadcastApply(plan, pa, pb, out.f.data(), floatOp);
    return out;
}

struct Plus {
    template <typename T>
    T operator()(T x, T y) const {
        return x + y;
    }
};
struct Minus {
    template <typename T>
    T operator()(T x, T y) const {
        return x - y;
    }
};
struct Times {
    template <typename T>
    T operator()(T x, T y) const {
        return x * y;
    }
};
struct Divide {
    // Integer division truncates toward zero (C++ and ONNX runtimes agree).
    template <typename T>
    T operator()(T x, T y) const {
        return x / y;
    }
};
struct Maximum {
    template <typename T>
    T operator()(T x, T y) const {
        return x < y ? y : x;
    }
};

template <typename Op>
void binaryKernel(const Node& node, const std::vector<const Tensor*>& inputs,
                  std::vector<Tensor>& outputs, Op op) {
    outputs[0] = binary(node, requireInput(node, inputs, 0), requireInput(node, inputs, 1), op, op);
}

// Sum and Max: a left fold of the binary op over every input, broadcasting as it goes.
template <typename Op>
void variadicKernel(const Node& node, const std::vector<const Tensor*>& inputs,
                    std::vector<Tensor>& outputs, Op op) {
    Tensor result = requireInput(node, inputs, 0);
    for (size_t k = 1; k < inputs.size(); ++k)
        result = binary(node, result, requireInput(node, inputs, k), op, op);
    outputs[0] = std::move(result);
}

}  // namespace

void add(const Node& node, const std::vector<const Tensor*>& inputs, std::vector<Tensor>& outputs) {
    binaryKernel(node, inputs, outputs, Plus{});
}

void sub(const Node& node, const std::vector<const Tensor*>& inputs, std::vector<Tensor>& outputs) {
    binaryKernel(node, inputs, outputs, Minus{});
}

void mul(const Node& node, const std::vector<const Tensor*>& inputs, std::vector<Tensor>& outputs) {
    binaryKernel(node, inputs, outputs, Times{});
}

void div(const Node& node, const std::vector<const Tensor*>& inputs, std::vector<Tensor>& outputs) {
    const Tensor& a = requireInput(node, inputs, 0);
    const Tensor& b = requireInput(node, inputs, 1);
    if (!a.isFloat() && !b.isFloat() && std::find(b.i.begin(), b.i.end(), 0) != b.i.end())
        kernelError(node, "integer division by zero");
    outputs[0] = binary(node, a, b, Divide{}, Divide{});
}

void sum(const Node& node, const std::vector<const Tensor*>& inputs, std::vector<Tensor>& outputs) {
    variadicKernel(node, inputs, outputs, Plus{});
}

void max(const Node& node, const std::vector<const Tensor*>& inputs, std::vector<Tensor>& outputs) {
    variadicKernel(node, inputs, outputs, Maximum{});
}

void eltwise(const Node& node, const std::vector<const Tensor*>& inputs,
             std::vector<Tensor>& outputs) {
    enum Operation { kProd = 0, kSum = 1, kMax = 2 };
    const int64_t operation = node.attrInt("operation", kSum);
    if (operation != kProd && operation != kSum && operation != kMax)
        kernelError(node, "unknown operation " + std::to_string(operation));
    const Tensor& first = requireInput(node, inputs, 0);
    if (!first.isFloat()) kernelError(node, "expects float inputs");
    for (size_t k = 1; k < inputs.size(); ++k) {
        const Tensor& x = requireInput(node, inputs, k);
        if (x.shape != first.shape || !x.isFloat())
            kernelError(node, "input " + std::to_string(k) + " " + shapeToString(x.shape) +
                                  " does not match input 0 " + shapeToString(first.shape));
    }
    const std::vector<float> coeffs = node.attrFloats("coeffs");
    if (!coeffs.empty() && (operation != kSum || coeffs.size() != inputs.size()))
        kernelError(node, "coeffs need one value per input, for SUM only");
    if (shapeOnly(inputs, outputs[0], first.shape, first.dtype)) return;

    Tensor out = floatsToOverwrite(first.shape);
    out.dtype = first.dtype;
    const int64_t n = out.numel();
    float* y = out.f.data();
    const float firstCoeff = coeffs.empty() ? 1.0f : coeffs[0];
    const float* x0 = first.f.data();
    // The first input, scaled by its coefficient: what the running result starts from.
    const auto start = [&](int64_t j) { return firstCoeff != 1.0f ? x0[j] * firstCoeff : x0[j]; };
    if (inputs.size() == 1)
        for (int64_t j = 0; j < n; ++j) y[j] = start(j);
    for (size_t k = 1; k < inputs.size(); ++k) {
        const float* x = inputs[k]->f.data();
        const float coeff = coeffs.empty() ? 1.0f : coeffs[k];
        const bool fromFirst = k == 1;  // the first pass reads input 0, later ones the result
        const auto apply = [&](auto op) {
            parallelFor(n, n >= (1 << 16), [&](int64_t jBegin, int64_t jEnd) {
                for (int64_t j = jBegin; j < jEnd; ++j)
                    y[j] = op(fromFirst ? start(j) : y[j], x[j]);
            });
        };
        switch (operation) {
            case kProd:
                apply([](float a, float b) { return a * b; });
                break;
            case kMax:
                apply([](float a, float b) { return std::max(a, b); });
                break;
            default:
                apply([coeff](float a, float b) { return a + coeff * b; });
                break;
        }
    }
    outputs[0] = std::move(out);
}

}  // namespace qf::kernels

// Pointwise activations: Relu, LeakyRelu, PRelu, Clip, Sigmoid, HardSigmoid, HardSwish, Tanh,
// Exp, and Caffe's Power.
#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <type_traits>

#include "runtime/kernels/broadcast.h"
#include "runtime/kernels/kernel_helpers.h"
#include "runtime/kernels/kernels.h"
#include "runtime/parallel.h"
#include "runtime/value_pool.h"

namespace qf::kernels {
namespace {

constexpr int64_t kParallelMin = 1 << 15;

const Tensor& floatInput(const Node& node, const std::vector<const Tensor*>& inputs) {
    const Tensor& x = requireInput(node, inputs, 0);
    if (!x.isFloat())
        kernelError(node, std::string("expects a float input, got ") + dataTypeName(x.dtype));
    return x;
}

// y = fn(x) elementwise; y keeps x's shape and float type. In place when the executor hands x
// over as y (kernelRunsInPlace).
template <typename Fn>
void unary(const Node& node, const std::vector<const Tensor*>& inputs, std::vector<Tensor>& outputs,
           Fn fn) {
    const Tensor& x = floatInput(node, inputs);
    Tensor& y = outputs[0];
    if (&x != &y) {
        if (shapeOnly(inputs, y, x.shape, x.dtype)) return;
        y = floatsToOverwrite(x.shape);
        y.dtype = x.dtype;
    }
    const int64_t n = static_cast<int64_t>(x.f.size());
    const float* in = x.f.data();
    float* out = y.f.data();
    parallelFor(n, n >= kParallelMin, [&](int64_t jBegin, int64_t jEnd) {
        for (int64_t j = jBegin; j < jEnd; ++j) {
            out[j] = fn(in[j]);
        }
    });
}

// One bound of Clip: input k when given (opset 11+), else the attribute (older opsets).
template <typename T>
T clipBound(const Node& node, const std::vector<const Tensor*>& inputs, size_t k, const char* attr,
            T fallback) {
    if (k < inputs.size() && inputs[k]) {
        const Tensor& bound = *inputs[k];
        if (bound.numel() != 1) kernelError(node, std::string(attr) + " must be a scalar");
        if constexpr (std::is_floating_point_v<T>)
            return static_cast<T>(bound.asFloats()[0]);
        else
            return bound.asInts()[0];
    }
    if (node.has(attr)) return static_cast<T>(node.attrFloat(attr, 0.0f));
    return fallback;
}

}  // namespace

void relu(const Node& node, const std::vector<const Tensor*>& inputs,
          std::vector<Tensor>& outputs) {
    unary(node, inputs, outputs, [](float v) { return v > 0.0f ? v : 0.0f; });
}

void leakyRelu(const Node& node, const std::vector<const Tensor*>& inputs,
               std::vector<Tensor>& outputs) {
    const float alpha = node.attrFloat("alpha", 0.01f);
    unary(node, inputs, outputs, [alpha](float v) { return v >= 0.0f ? v : v * alpha; });
}

void prelu(const Node& node, const std::vector<const Tensor*>& inputs,
           std::vector<Tensor>& outputs) {
    const Tensor& x = floatInput(node, inputs);
    const Tensor& slope = requireInput(node, inputs, 1);
    if (!slope.isFloat()) kernelError(node, "expects a float slope");
    // The slope broadcasts to X, never the other way round.
    Shape outShape;
    if (!broadcastShape(x.shape, slope.shape, outShape) || outShape != x.shape)
        kernelError(node, "slope " + shapeToString(slope.shape) + " does not broadcast to " +
                              shapeToString(x.shape));
    Tensor& y = outputs[0];
    if (shapeOnly(inputs, y, x.shape, x.dtype)) return;
    y = makeTensor(x.dtype, x.shape);
    broadcastApply(planBroadcast(x.shape, slope.shape, outShape), x.f.data(), slope.f.data(),
                   y.f.data(), [](float v, float s) { return v >= 0.0f ? v : v * s; });
}

void clip(const Node& node, const std::vector<const Tensor*>& inputs,
          std::vector<Tensor>& outputs) {
    const Tensor& x = requireInput(node, inputs, 0);
    if (shapeOnly(inputs, outputs[0], x.shape, x.dtype)) return;  // the bounds may be hollow too
    if (x.isFloat()) {
        constexpr float inf = std::numeric_limits<float>::infinity();
        const float lo = clipBound<float>(node, inputs, 1, "min", -inf);
        const float hi = clipBound<float>(node, inputs, 2, "max", inf);
        unary(node, inputs, outputs, [lo, hi](float v) { return std::min(std::max(v, lo), hi); });
        return;
    }
    const int64_t lo =
        clipBound<int64_t>(node, inputs, 1, "min", std::numeric_limits<int64_t>::min());
    const int64_t hi =
        clipBound<int64_t>(node, inputs, 2, "max", std::numeric_limits<int64_t>::max());
    Tensor& y = outputs[0];
    y.dtype = x.dtype;
    y.shape = x.shape;
    y.i.resize(x.i.size());
    std::transform(x.i.begin(), x.i.end(), y.i.begin(),
                   [lo, hi](int64_t v) { return std::min(std::max(v, lo), hi); });
}

void sigmoid(const Node& node, const std::vector<const Tensor*>& inputs,
             std::vector<Tensor>& outputs) {
    unary(node, inputs, outputs, [](float v) { return 1.0f / (1.0f + std::exp(-v)); });
}

void hardSigmoid(const Node& node, const std::vector<const Tensor*>& inputs,
                 std::vector<Tensor>& outputs) {
    const float alpha = node.attrFloat("alpha", 0.2f);
    const float beta = node.attrFloat("beta", 0.5f);
    unary(node, inputs, outputs,
          [alpha, beta](float v) { return std::min(std::max(alpha * v + beta, 0.0f), 1.0f); });
}

void hardSwish(const Node& node, const std::vector<const Tensor*>& inputs,
               std::vector<Tensor>& outputs) {
    unary(node, inputs, outputs,
          [](float v) { return v * std::min(std::max(v / 6.0f + 0.5f, 0.0f), 1.0f); });
}

void tanh(const Node& node, const std::vector<const Tensor*>& inputs,
          std::vector<Tensor>& outputs) {
    unary(node, inputs, outputs, [](float v) { return std::tanh(v); });
}

void exp(const Node& node, const std::vector<const Tensor*>& inputs, std::vector<Tensor>& outputs) {
    unary(node, inputs, outputs, [](float v) { return std::exp(v); });
}

void power(const Node& node, const std::vector<const Tensor*>& inputs,
           std::vector<Tensor>& outputs) {
    const float exponent = node.attrFloat("power", 1.0f);
    const float scale = node.attrFloat("scale", 1.0f);
    const float shift = node.attrFloat("shift", 0.0f);
    if (exponent == 1.0f) {
        unary(node, inputs, outputs, [scale, shift](float v) { return shift + scale * v; });
    } else if (exponent == 2.0f) {
        unary(node, inputs, outputs, [scale, shift](float v) {
            const float base = shift + scale * v;
            return base * base;
        });
    } else {
        unary(node, inputs, outputs,
              [exponent, scale, shift](float v) { return std::pow(shift + scale * v, exponent); });
    }
}

}  // namespace qf::kernels

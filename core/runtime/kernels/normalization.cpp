// Per-channel affine ops: ONNX BatchNormalization (inference form) and Caffe's Scale and Bias.
#include <cmath>

#include "runtime/kernels/kernels.h"
#include "runtime/parallel.h"
#include "runtime/value_pool.h"

namespace qf::kernels {
namespace {

// y[o, c, i] = x[o, c, i] * mul[c] + add[c] over an [outer, channels, inner] view of x; in place
// when the executor hands x over as y (kernelRunsInPlace).
void channelAffine(const Tensor& x, int64_t axis, const std::vector<float>& mul,
                   const std::vector<float>& add, Tensor& y) {
    const int64_t channels = static_cast<int64_t>(mul.empty() ? add.size() : mul.size());
    int64_t outer = 1;
    for (int64_t k = 0; k < axis; ++k) outer *= x.shape[k];
    const int64_t inner = x.numel() / std::max<int64_t>(outer * channels, 1);
    if (&x != &y) y = floatsToOverwrite(x.shape);  // every value is written below
    y.dtype = DataType::Float32;
    parallelFor(outer * channels, x.numel() > 65536, [&](int64_t ocBegin, int64_t ocEnd) {
        for (int64_t oc = ocBegin; oc < ocEnd; ++oc) {
            const int64_t c = oc % channels;
            const float m = mul.empty() ? 1.0f : mul[c];
            const float a = add.empty() ? 0.0f : add[c];
            const float* src = x.f.data() + oc * inner;
            float* dst = y.f.data() + oc * inner;
            for (int64_t k = 0; k < inner; ++k) dst[k] = src[k] * m + a;
        }
    });
}

// Input 0, which these ops need as floats (an integer tensor has no float storage to scale).
const Tensor& floatInput(const Node& node, const std::vector<const Tensor*>& inputs) {
    const Tensor& x = requireInput(node, inputs, 0);
    if (!x.isFloat())
        kernelError(node, std::string("expects a float input, got ") + dataTypeName(x.dtype));
    return x;
}

int64_t checkedAxis(const Node& node, const Tensor& x, int64_t channels) {
    int64_t axis = node.attrInt("axis", 1);
    if (axis < 0) axis += x.rank();
    if (axis < 0 || axis >= x.rank())
        kernelError(node, "axis out of range for input " + shapeToString(x.shape));
    int64_t covered = 1;
    for (int64_t k = axis; k < x.rank() && covered < channels; ++k) covered *= x.shape[k];
    if (covered != channels)
        kernelError(node, "parameter of " + std::to_string(channels) +
                              " values does not match input " + shapeToString(x.shape) +
                              " at axis " + std::to_string(axis));
    return axis;
}

}  // namespace

void batchNormalization(const Node& node, const std::vector<const Tensor*>& inputs,
                        std::vector<Tensor>& outputs) {
    const Tensor& x = floatInput(node, inputs);
    const Tensor& gamma = requireInput(node, inputs, 1);
    const Tensor& beta = requireInput(node, inputs, 2);
    const Tensor& mean = requireInput(node, inputs, 3);
    const Tensor& var = requireInput(node, inputs, 4);
    if (x.rank() < 2) kernelError(node, "input must have a channel axis");
    const int64_t channels = x.shape[1];
    if (gamma.numel() != channels || beta.numel() != channels || mean.numel() != channels ||
        var.numel() != channels)
        kernelError(node, "parameters do not have " + std::to_string(channels) + " channels");
    if (shapeOnly(inputs, outputs[0], x.shape, DataType::Float32)) return;
    const float epsilon = node.attrFloat("epsilon", 1e-5f);
    std::vector<float> mul(channels), add(channels);
    for (int64_t c = 0; c < channels; ++c) {
        mul[c] = gamma.f[c] / std::sqrt(var.f[c] + epsilon);
        add[c] = beta.f[c] - mean.f[c] * mul[c];
    }
    channelAffine(x, 1, mul, add, outputs[0]);
}

void scale(const Node& node, const std::vector<const Tensor*>& inputs,
           std::vector<Tensor>& outputs) {
    const Tensor& x = floatInput(node, inputs);
    const Tensor& factors = requireInput(node, inputs, 1);
    const Tensor* offsets = inputs.size() > 2 ? inputs[2] : nullptr;
    if (offsets && offsets->numel() != factors.numel())
        kernelError(node, "scale and bias sizes differ");
    const int64_t axis = checkedAxis(node, x, factors.numel());
    if (shapeOnly(inputs, outputs[0], x.shape, DataType::Float32)) return;
    channelAffine(x, axis, factors.f, offsets ? offsets->f : std::vector<float>{}, outputs[0]);
}

void bias(const Node& node, const std::vector<const Tensor*>& inputs,
          std::vector<Tensor>& outputs) {
    const Tensor& x = floatInput(node, inputs);
    const Tensor& offsets = requireInput(node, inputs, 1);
    const int64_t axis = checkedAxis(node, x, offsets.numel());
    if (shapeOnly(inputs, outputs[0], x.shape, DataType::Float32)) return;
    channelAffine(x, axis, {}, offsets.f, outputs[0]);
}

}  // namespace qf::kernels

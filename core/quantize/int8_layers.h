#pragma once
// The ops that run in true int8 arithmetic: input quantized (u8, or s8 stored with +128),
// int8 x int8 -> int32 accumulation, and an epilogue that dequantizes with the per-channel
// weight scale and adds the bias. Their outputs are float, so whatever follows (another
// quantized op quantizing at its own input scale, or an FP32 op) reads real values.
#include <limits>
#include <memory>
#include <vector>

#include "graph/graph.h"
#include "quantize/activation_quantization.h"
#include "quantize/int8_gemm.h"
#include "quantize/weight_quantization.h"

namespace qf {

class Int8Layer {
public:
    virtual ~Int8Layer() = default;
    // inputs as the node's: data first (float), weights and bias are already inside the layer.
    // With `activation`, a fused ReLU/ReLU6 (fuseActivation) clamps the output in the epilogue.
    virtual void run(const Tensor& input, Tensor& output, bool activation = true) const = 0;

    // Fuses a following ReLU (0, inf) or ReLU6 / Clip (low, high) into the epilogue.
    void fuseActivation(float low, float high) {
        low_ = low;
        high_ = high;
    }

    // Bias correction: adds the mean FP32-minus-int8 error of each output channel to its bias.
    void correctBias(const std::vector<float>& delta) {
        for (size_t c = 0; c < bias_.size() && c < delta.size(); ++c) bias_[c] += delta[c];
    }
    size_t outputChannels() const { return bias_.size(); }

protected:
    // The clamp the epilogue applies: the fused activation's, or none.
    float lowest(bool activation) const { return activation ? low_ : -std::numeric_limits<float>::infinity(); }
    float highest(bool activation) const { return activation ? high_ : std::numeric_limits<float>::infinity(); }

    std::vector<float> bias_;  // per output channel, FP32, added in the epilogue
    float low_ = -std::numeric_limits<float>::infinity();
    float high_ = std::numeric_limits<float>::infinity();
};

struct Int8LayerOptions {
    bool perChannelWeights = true;
    Int8Kernel kernel = bestInt8Kernel();
};

// Builds the int8 form of a Conv (grouped, depthwise), ConvTranspose or Gemm node of `graph`.
std::unique_ptr<Int8Layer> makeInt8Layer(const Graph& graph, const Node& node,
                                         const ActivationQuantization& input,
                                         const Int8LayerOptions& options);

}  // namespace qf

#pragma once
#include <cstdint>
#include <vector>

#include "graph/graph.h"

namespace qf {

// Symmetric int8 weights of a Conv / ConvTranspose / Gemm, one scale per output channel (or one
// for the whole tensor): q = round(w / scale) in [-127, 127], scale = max|w| / 127. A channel
// whose weights are all zero gets scale 0 and zeros, never inf or NaN.
struct QuantizedWeights {
    std::vector<int8_t> values;  // same layout as the float weights
    std::vector<float> scales;   // per output channel (repeated when per-tensor)
};

// Output channels of a quantizable node and the channel each weight element belongs to.
int64_t outputChannelsOf(const Node& node, const Tensor& weights);
std::vector<int64_t> outputChannelOfElements(const Node& node, const Tensor& weights);

QuantizedWeights quantizeWeights(const Node& node, const Tensor& weights, bool perChannel);

// The ncnn-style multiplier 127 / max|w| per output channel (0 for an all-zero channel).
std::vector<float> ncnnWeightScales(const QuantizedWeights& weights);

bool isQuantizableOp(const std::string& op);  // Conv, ConvTranspose, Gemm

}  // namespace qf

#include "quantize/weight_quantization.h"

#include <algorithm>
#include <cmath>

#include "graph/op_traits.h"
#include "util/error.h"

namespace qf {

bool isQuantizableOp(const std::string& op) { return opTraits(op).quantizable; }

int64_t outputChannelsOf(const Node& node, const Tensor& weights) {
    if (node.op == "Conv") return weights.shape.at(0);
    if (node.op == "ConvTranspose") return weights.shape.at(1) * node.attrInt("group", 1);
    if (node.op == "Gemm")
        return node.attrInt("transB", 0) ? weights.shape.at(0) : weights.shape.at(1);
    throw Error("node '" + node.name + "' (" + node.op + ") has no quantizable weights");
}

std::vector<int64_t> outputChannelOfElements(const Node& node, const Tensor& weights) {
    std::vector<int64_t> channel(static_cast<size_t>(weights.numel()));
    if (node.op == "Conv") {
        const int64_t perChannel = weights.numel() / weights.shape[0];
        for (size_t k = 0; k < channel.size(); ++k)
            channel[k] = static_cast<int64_t>(k) / perChannel;
    } else if (node.op == "ConvTranspose") {
        // [Cin, Cout/group, kh, kw]: output channel = group(ic) * Cout/group + j.
        const int64_t groupOut = weights.shape[1];
        const int64_t spatial = weights.numel() / (weights.shape[0] * groupOut);
        const int64_t groupIn = weights.shape[0] / node.attrInt("group", 1);
        for (size_t k = 0; k < channel.size(); ++k) {
            const int64_t ic = static_cast<int64_t>(k) / (groupOut * spatial);
            const int64_t j = (static_cast<int64_t>(k) / spatial) % groupOut;
            channel[k] = (ic / groupIn) * groupOut + j;
        }
    } else {
        const bool transB = node.attrInt("transB", 0) != 0;
        const int64_t cols = weights.shape[1];
        for (size_t k = 0; k < channel.size(); ++k)
            channel[k] = transB ? static_cast<int64_t>(k) / cols : static_cast<int64_t>(k) % cols;
    }
    return channel;
}

QuantizedWeights quantizeWeights(const Node& node, const Tensor& weights, bool perChannel) {
    const int64_t channels = outputChannelsOf(node, weights);
    const auto channelOf = outputChannelOfElements(node, weights);
    std::vector<float> maxAbs(static_cast<size_t>(channels), 0.0f);
    for (size_t k = 0; k < weights.f.size(); ++k) {
        const float v = std::fabs(weights.f[k]);
        if (!std::isfinite(v))
            throw Error("node '" + node.name +
                        "': weights hold NaN or infinite values; cannot quantize");
        float& slot = maxAbs[static_cast<size_t>(channelOf[k])];
        slot = std::max(slot, v);
    }
    if (!perChannel)
        std::fill(maxAbs.begin(), maxAbs.end(), *std::max_element(maxAbs.begin(), maxAbs.end()));
    QuantizedWeights result;
    result.scales.resize(maxAbs.size());
    for (size_t c = 0; c < maxAbs.size(); ++c) result.scales[c] = maxAbs[c] / 127.0f;
    result.values.resize(weights.f.size());
    for (size_t k = 0; k < weights.f.size(); ++k) {
        const float scale = result.scales[static_cast<size_t>(channelOf[k])];
        const float q = scale > 0.0f ? std::nearbyint(weights.f[k] / scale) : 0.0f;
        result.values[k] = static_cast<int8_t>(std::clamp(q, -127.0f, 127.0f));
    }
    return result;
}

std::vector<float> ncnnWeightScales(const QuantizedWeights& weights) {
    std::vector<float> scales(weights.scales.size());
    for (size_t c = 0; c < scales.size(); ++c)
        scales[c] = weights.scales[c] > 0.0f ? 1.0f / weights.scales[c] : 0.0f;
    return scales;
}

}  // namespace qf

#pragma once
// What the Properties panel shows about a node or a model, computed as plain data (no widgets)
// so it can be tested on its own and computed away from the GUI thread.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "graph/graph.h"
#include "runtime/layer_cost.h"

namespace qf::ui {

struct WeightStatistics {
    int64_t count = 0;
    double min = 0.0;
    double max = 0.0;
    double mean = 0.0;
    double std = 0.0;  // population standard deviation
    int64_t zeros = 0;
    int64_t nonFinite = 0;  // NaN and ±inf, left out of the other figures
};
WeightStatistics weightStatistics(const Tensor& tensor);

// The range of one output channel's weights of a convolution.
struct ChannelRange {
    float min = 0.0f;
    float max = 0.0f;
    bool allZero() const { return min == 0.0f && max == 0.0f; }
};
// Per output channel of a Conv (W [Cout, Cin/g, k...]) or ConvTranspose (W [Cin, Cout/g, k...]);
// empty for other ops or when the weight is not a constant.
std::vector<ChannelRange> outputChannelRanges(const Graph& graph, const Node& node);

// A BatchNormalization's per-channel parameters. A channel is flagged when its variance is
// below kNearZeroVarianceEpsilons · ε: there ε dominates √(var + ε), the channel carried next to
// no signal on the data the statistics came from, and folding scales it by about γ/√ε.
struct BatchNormChannels {
    std::vector<float> mean, variance, gamma, beta;
    float epsilon = 1e-5f;
    std::vector<int> nearZeroVariance;  // channel indices
};
constexpr float kNearZeroVarianceEpsilons = 10.0f;
constexpr float kNearZeroChannelRatio = 1e-3f;
std::optional<BatchNormChannels> batchNormChannels(const Graph& graph, const Node& node);

// A Caffe Scale layer's per-channel multiplier γ and offset β (β = 0 without a bias blob).
struct ScaleChannels {
    std::vector<float> gamma, beta;
};
std::optional<ScaleChannels> scaleChannels(const Graph& graph, const Node& node);

struct TensorRow {
    std::string name;
    std::optional<Shape> shape;  // empty when unknown
    bool isWeight = false;
    std::string producer;  // node name; "" for graph inputs and weights
};

struct WeightRow {
    std::string name;
    Shape shape;
    std::string dtype;
    WeightStatistics statistics;
};

struct NodeProperties {
    int index = -1;
    std::string name, op, kind;
    std::vector<std::pair<std::string, std::string>> attributes;  // name, value text
    std::vector<TensorRow> inputs, outputs;
    std::vector<WeightRow> weights;
    LayerCost cost;
    std::vector<ChannelRange> channelRanges;  // convolutions
    std::vector<int> zeroChannels;            // indices into channelRanges
    // Channels not all zero whose largest |w| is below kNearZeroChannelRatio of the layer's:
    // dead channels that training decayed towards zero (they carry noise, and an int8
    // per-channel scale made from their range is tiny).
    std::vector<int> nearZeroChannels;
    std::optional<BatchNormChannels> batchNorm;
    // A Caffe BatchNorm carries γ = 1, β = 0; its real γ and β are in the Scale layer after it.
    std::string scaleLayerAfter;
    std::optional<ScaleChannels> scale;
};
// `shapes` as runtime/shape_inference.h gives them; may be empty or partial.
NodeProperties describeNode(const Graph& graph, int index,
                            const std::map<std::string, Shape>& shapes);

struct LayerCostRow {
    std::string name, op;
    LayerCost cost;
};

struct ModelSummary {
    std::string name, format;
    int nodeCount = 0;
    std::vector<TensorRow> inputs, outputs;
    std::map<std::string, int> opCounts;
    ModelCost cost;
    std::vector<LayerCostRow> heaviestLayers;  // by MACs, largest first (at most 10)
    int weightCount = 0;
};
ModelSummary summarizeModel(const Graph& graph, const std::map<std::string, Shape>& shapes);

}  // namespace qf::ui

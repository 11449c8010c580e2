#include "ui/properties/node_properties.h"

#include <algorithm>
#include <cmath>

#include "graph/op_traits.h"

namespace qf::ui {

namespace {

std::optional<Shape> knownShape(const Graph& graph, const std::string& tensor,
                                const std::map<std::string, Shape>& shapes) {
    if (const Tensor* weight = graph.weight(tensor)) return weight->shape;
    if (const auto found = shapes.find(tensor); found != shapes.end()) return found->second;
    // Declared graph inputs and outputs carry a shape even when inference could not run.
    for (const auto* list : {&graph.inputs, &graph.outputs})
        for (const auto& value : *list)
            if (value.name == tensor && !value.shape.empty()) return value.shape;
    return std::nullopt;
}

TensorRow tensorRow(const Graph& graph, const std::string& tensor,
                    const std::map<std::string, Shape>& shapes) {
    TensorRow row;
    row.name = tensor;
    row.shape = knownShape(graph, tensor, shapes);
    row.isWeight = graph.isWeight(tensor);
    if (const int producer = graph.producerIndex(tensor); producer >= 0)
        row.producer = graph.nodes[producer].name;
    return row;
}

std::vector<float> floatsOf(const Graph& graph, const std::string& tensor) {
    const Tensor* weight = graph.weight(tensor);
    return weight ? weight->asFloats() : std::vector<float>{};
}

}  // namespace

WeightStatistics weightStatistics(const Tensor& tensor) {
    WeightStatistics stats;
    const std::vector<float> values = tensor.asFloats();
    // Welford's running mean and variance: stable for large tensors with a big mean.
    double mean = 0.0, m2 = 0.0;
    for (const float v : values) {
        if (!std::isfinite(v)) {
            ++stats.nonFinite;
            continue;
        }
        if (stats.count == 0) stats.min = stats.max = v;
        stats.min = std::min(stats.min, static_cast<double>(v));
        stats.max = std::max(stats.max, static_cast<double>(v));
        if (v == 0.0f) ++stats.zeros;
        ++stats.count;
        const double delta = v - mean;
        mean += delta / static_cast<double>(stats.count);
        m2 += delta * (v - mean);
    }
    stats.mean = mean;
    stats.std = stats.count > 0 ? std::sqrt(m2 / static_cast<double>(stats.count)) : 0.0;
    return stats;
}

std::vector<ChannelRange> outputChannelRanges(const Graph& graph, const Node& node) {
    if (node.op != "Conv" && node.op != "ConvTranspose") return {};
    const Tensor* weight = graph.weight(node.input(1));
    if (!weight || weight->rank() < 2) return {};
    const std::vector<float> w = weight->asFloats();
    const int64_t dim0 = weight->shape[0], dim1 = weight->shape[1];
    const int64_t kernel = weight->numel() / (dim0 * dim1);
    const int64_t groups = std::max<int64_t>(1, node.attrInt("group", 1));
    const bool transposed = node.op == "ConvTranspose";
    if (transposed && dim0 % groups != 0) return {};
    const int64_t outputs = transposed ? dim1 * groups : dim0;
    std::vector<ChannelRange> ranges(static_cast<size_t>(outputs));
    std::vector<bool> seen(ranges.size(), false);
    const auto add = [&](int64_t channel, float v) {
        ChannelRange& r = ranges[static_cast<size_t>(channel)];
        if (!seen[static_cast<size_t>(channel)]) {
            r.min = r.max = v;
            seen[static_cast<size_t>(channel)] = true;
        }
        r.min = std::min(r.min, v);
        r.max = std::max(r.max, v);
    };
    for (int64_t a = 0; a < dim0; ++a)
        for (int64_t b = 0; b < dim1; ++b) {
            // Conv: W[oc][ic]; ConvTranspose: W[ic][j], output channel (group of ic)·(Cout/g) + j.
            const int64_t channel = transposed ? (a / (dim0 / groups)) * dim1 + b : a;
            const float* tap = w.data() + (a * dim1 + b) * kernel;
            for (int64_t k = 0; k < kernel; ++k) add(channel, tap[k]);
        }
    return ranges;
}

std::optional<BatchNormChannels> batchNormChannels(const Graph& graph, const Node& node) {
    if (node.op != "BatchNormalization") return std::nullopt;
    BatchNormChannels bn;
    bn.gamma = floatsOf(graph, node.input(1));
    bn.beta = floatsOf(graph, node.input(2));
    bn.mean = floatsOf(graph, node.input(3));
    bn.variance = floatsOf(graph, node.input(4));
    bn.epsilon = node.attrFloat("epsilon", 1e-5f);
    const size_t channels = bn.variance.size();
    if (channels == 0 || bn.gamma.size() != channels || bn.beta.size() != channels ||
        bn.mean.size() != channels)
        return std::nullopt;
    for (size_t c = 0; c < channels; ++c)
        if (bn.variance[c] < kNearZeroVarianceEpsilons * bn.epsilon)
            bn.nearZeroVariance.push_back(static_cast<int>(c));
    return bn;
}

std::optional<ScaleChannels> scaleChannels(const Graph& graph, const Node& node) {
    if (node.op != "Scale" || !graph.isWeight(node.input(1))) return std::nullopt;
    ScaleChannels scale;
    scale.gamma = floatsOf(graph, node.input(1));
    scale.beta = floatsOf(graph, node.input(2));
    if (scale.beta.empty()) scale.beta.assign(scale.gamma.size(), 0.0f);
    if (scale.gamma.empty() || scale.beta.size() != scale.gamma.size()) return std::nullopt;
    return scale;
}

NodeProperties describeNode(const Graph& graph, int index,
                            const std::map<std::string, Shape>& shapes) {
    const Node& node = graph.nodes.at(static_cast<size_t>(index));
    NodeProperties p;
    p.index = index;
    p.name = node.name;
    p.op = node.op;
    p.kind = opKindName(opTraits(node.op).kind);
    for (const auto& [name, value] : node.attrs) p.attributes.emplace_back(name, value.toString());
    for (const auto& input : node.inputs) {
        if (input.empty()) continue;
        p.inputs.push_back(tensorRow(graph, input, shapes));
        const Tensor* weight = graph.weight(input);
        const bool listed = std::any_of(p.weights.begin(), p.weights.end(),
                                        [&](const WeightRow& row) { return row.name == input; });
        if (weight && !listed)
            p.weights.push_back(
                {input, weight->shape, dataTypeName(weight->dtype), weightStatistics(*weight)});
    }
    for (const auto& output : node.outputs) p.outputs.push_back(tensorRow(graph, output, shapes));
    p.cost = layerCost(graph, node, shapes);
    p.channelRanges = outputChannelRanges(graph, node);
    float largest = 0.0f;
    for (const ChannelRange& r : p.channelRanges)
        largest = std::max({largest, std::abs(r.min), std::abs(r.max)});
    for (size_t c = 0; c < p.channelRanges.size(); ++c) {
        const ChannelRange& r = p.channelRanges[c];
        if (r.allZero())
            p.zeroChannels.push_back(static_cast<int>(c));
        else if (std::max(std::abs(r.min), std::abs(r.max)) < kNearZeroChannelRatio * largest)
            p.nearZeroChannels.push_back(static_cast<int>(c));
    }
    p.batchNorm = batchNormChannels(graph, node);
    if (p.batchNorm && !node.outputs.empty()) {
        const std::vector<int> consumers = graph.consumerIndices(node.outputs[0]);
        if (consumers.size() == 1 && graph.nodes[consumers[0]].op == "Scale")
            p.scaleLayerAfter = graph.nodes[consumers[0]].name;
    }
    p.scale = scaleChannels(graph, node);
    return p;
}

ModelSummary summarizeModel(const Graph& graph, const std::map<std::string, Shape>& shapes) {
    ModelSummary s;
    s.name = graph.name;
    s.format = graph.format;
    s.nodeCount = static_cast<int>(graph.nodes.size());
    for (const auto& input : graph.inputs)
        if (!graph.isWeight(input.name)) s.inputs.push_back(tensorRow(graph, input.name, shapes));
    for (const auto& output : graph.outputs)
        s.outputs.push_back(tensorRow(graph, output.name, shapes));
    s.opCounts = graph.opCounts();
    s.cost = modelCost(graph, shapes);
    s.weightCount = static_cast<int>(graph.weights.size());
    for (size_t k = 0; k < graph.nodes.size(); ++k)
        if (s.cost.layers[k].macs.value_or(0) > 0)
            s.heaviestLayers.push_back({graph.nodes[k].name, graph.nodes[k].op, s.cost.layers[k]});
    std::stable_sort(
        s.heaviestLayers.begin(), s.heaviestLayers.end(),
        [](const LayerCostRow& a, const LayerCostRow& b) { return *a.cost.macs > *b.cost.macs; });
    if (s.heaviestLayers.size() > 10) s.heaviestLayers.resize(10);
    return s;
}

}  // namespace qf::ui

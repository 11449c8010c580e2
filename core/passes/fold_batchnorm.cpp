#include "passes/fold_batchnorm.h"

#include <cmath>

#include "graph/op_traits.h"

namespace qf {
namespace {

// The affine node as y = x * mul[c] + add[c] over channel axis 1.
struct ChannelAffine {
    std::vector<float> mul, add;
};

bool allFinite(const std::vector<float>& values) {
    for (const float v : values)
        if (!std::isfinite(v)) return false;
    return true;
}

std::string nonFiniteReason(const Graph& graph, const std::string& tensor) {
    const Tensor* t = graph.weight(tensor);
    if (t && t->isFloat() && !allFinite(t->f))
        return "'" + tensor + "' holds NaN or infinite values";
    return "";
}

std::string constantReason(const Graph& graph, const Node& node, size_t input, const char* role) {
    if (node.input(input).empty()) return std::string(role) + " is missing";
    if (!graph.isWeight(node.input(input)))
        return std::string(role) + " comes from tensor '" + node.input(input) + "', not a constant";
    return nonFiniteReason(graph, node.input(input));
}

// Fills `affine` from the node's parameters, or returns why it cannot fold.
std::string readAffine(const Graph& graph, const Node& node, ChannelAffine& affine) {
    if (node.op == "BatchNormalization") {
        const char* roles[] = {"scale", "bias", "mean", "variance"};
        for (size_t k = 1; k <= 4; ++k)
            if (auto reason = constantReason(graph, node, k, roles[k - 1]); !reason.empty())
                return reason;
        for (size_t k = 1; k < node.outputs.size(); ++k)
            if (!node.outputs[k].empty()) return "it has training outputs (running mean/variance)";
        const auto& gamma = graph.weight(node.input(1))->f;
        const auto& beta = graph.weight(node.input(2))->f;
        const auto& mean = graph.weight(node.input(3))->f;
        const auto& var = graph.weight(node.input(4))->f;
        if (beta.size() != gamma.size() || mean.size() != gamma.size() ||
            var.size() != gamma.size())
            return "its parameters have different lengths";
        const float epsilon = node.attrFloat("epsilon", 1e-5f);
        affine.mul.resize(gamma.size());
        affine.add.resize(gamma.size());
        for (size_t c = 0; c < gamma.size(); ++c) {
            if (var[c] < 0.0f)
                return "variance is negative (" + std::to_string(var[c]) + ") in channel " +
                       std::to_string(c);
            if (var[c] + epsilon <= 0.0f)
                return "variance + epsilon is zero in channel " + std::to_string(c);
            affine.mul[c] = gamma[c] / std::sqrt(var[c] + epsilon);
            affine.add[c] = beta[c] - mean[c] * affine.mul[c];
        }
        return "";
    }
    if (node.attrInt("axis", 1) != 1 || node.attrInt("num_axes", 1) != 1)
        return "it does not act on channel axis 1 alone";
    if (node.op == "Scale") {
        if (auto reason = constantReason(graph, node, 1, "scale"); !reason.empty()) return reason;
        affine.mul = graph.weight(node.input(1))->f;
        if (!node.input(2).empty()) {
            if (auto reason = constantReason(graph, node, 2, "bias"); !reason.empty())
                return reason;
            affine.add = graph.weight(node.input(2))->f;
            if (affine.add.size() != affine.mul.size()) return "scale and bias lengths differ";
        } else {
            affine.add.assign(affine.mul.size(), 0.0f);
        }
        return "";
    }
    if (node.op == "Bias") {
        if (auto reason = constantReason(graph, node, 1, "bias"); !reason.empty()) return reason;
        affine.add = graph.weight(node.input(1))->f;
        affine.mul.assign(affine.add.size(), 1.0f);
        return "";
    }
    return "it is not a per-channel affine op";
}

bool isFoldTarget(const std::string& op) { return opTraits(op).foldTarget; }

// Output channels of a Conv / ConvTranspose / Gemm, or why its weights cannot absorb a fold.
std::string targetChannels(const Graph& graph, const Node& target, int64_t& channels) {
    const Tensor* w = graph.weight(target.input(1));
    if (!w) return "the weights of '" + target.name + "' are not a constant";
    if (graph.consumerIndices(target.input(1)).size() > 1)
        return "the weights of '" + target.name + "' are shared with another node";
    if (auto reason = nonFiniteReason(graph, target.input(1)); !reason.empty())
        return "the weights of '" + target.name + "': " + reason;
    if (!target.input(2).empty()) {
        if (!graph.isWeight(target.input(2)))
            return "the bias of '" + target.name + "' is not a constant";
        if (graph.consumerIndices(target.input(2)).size() > 1)
            return "the bias of '" + target.name + "' is shared with another node";
    }
    if (target.op == "Conv") {
        channels = w->shape.at(0);
    } else if (target.op == "ConvTranspose") {
        channels = w->shape.at(1) * target.attrInt("group", 1);
    } else {
        if (target.attrFloat("alpha", 1.0f) != 1.0f || target.attrFloat("beta", 1.0f) != 1.0f)
            return "Gemm '" + target.name + "' has alpha or beta other than 1";
        if (w->rank() != 2) return "Gemm '" + target.name + "' has non-2-D weights";
        channels = target.attrInt("transB", 0) ? w->shape[0] : w->shape[1];
        if (!target.input(2).empty()) {
            const int64_t biasSize = graph.weight(target.input(2))->numel();
            if (biasSize != channels && biasSize != 1)
                return "the bias of Gemm '" + target.name + "' is not a per-output vector";
        }
    }
    return "";
}

FoldCandidate examine(const Graph& graph, int affineIndex, bool throughAffine) {
    const Node& node = graph.nodes[affineIndex];
    FoldCandidate candidate;
    candidate.affine = node.name;
    candidate.affineOp = node.op;
    ChannelAffine affine;
    if (auto reason = readAffine(graph, node, affine); !reason.empty()) {
        candidate.reason = "cannot fold: " + reason;
        return candidate;
    }
    candidate.channels = static_cast<int64_t>(affine.mul.size());
    const std::string& input = node.input(0);
    const int producerIndex = graph.producerIndex(input);
    if (producerIndex < 0) {
        candidate.reason = "its input '" + input + "' is a model input, not a layer output";
        return candidate;
    }
    const Node& producer = graph.nodes[producerIndex];
    if (graph.consumerIndices(input).size() > 1 || graph.isGraphOutput(input)) {
        candidate.reason = "its input '" + input + "' is also read elsewhere, so '" +
                           producer.name + "' must keep its output unchanged";
        return candidate;
    }
    if (isAffineOp(producer.op)) {
        const FoldCandidate upstream = examine(graph, producerIndex, true);
        if (!throughAffine || !upstream.foldable()) {
            candidate.reason =
                "it follows " + producer.op + " '" + producer.name + "', which is not folded";
            return candidate;
        }
        candidate.target = upstream.target;
        candidate.targetOp = upstream.targetOp;
        if (upstream.channels != candidate.channels)
            candidate.reason = "channel counts of '" + producer.name + "' and it differ";
        return candidate;
    }
    if (!isFoldTarget(producer.op)) {
        candidate.reason = "it follows " + producer.op + " '" + producer.name +
                           "'; only Conv, ConvTranspose and Gemm/InnerProduct can absorb it";
        return candidate;
    }
    int64_t channels = 0;
    if (auto reason = targetChannels(graph, producer, channels); !reason.empty()) {
        candidate.reason = reason;
        return candidate;
    }
    if (channels != candidate.channels) {
        candidate.reason = "'" + producer.name + "' has " + std::to_string(channels) +
                           " output channels but it has " + std::to_string(candidate.channels);
        return candidate;
    }
    candidate.target = producer.name;
    candidate.targetOp = producer.op;
    return candidate;
}

// Rewrites target's weights and bias so it computes affine(target(x)); returns whether a bias
// had to be created.
bool absorb(Graph& graph, Node& target, const ChannelAffine& affine) {
    Tensor& w = graph.weights.at(target.input(1));
    const int64_t channels = static_cast<int64_t>(affine.mul.size());
    if (target.op == "Conv") {
        const int64_t perChannel = w.numel() / channels;
        for (int64_t c = 0; c < channels; ++c)
            for (int64_t k = 0; k < perChannel; ++k) w.f[c * perChannel + k] *= affine.mul[c];
    } else if (target.op == "ConvTranspose") {
        // Weights are [Cin, Cout/group, kh, kw]: output channel = group * Cout/group + j.
        const int64_t inChannels = w.shape[0];
        const int64_t groupOut = w.shape[1];
        const int64_t group = channels / groupOut;
        const int64_t spatial = w.numel() / (inChannels * groupOut);
        const int64_t groupIn = inChannels / group;
        for (int64_t ic = 0; ic < inChannels; ++ic)
            for (int64_t j = 0; j < groupOut; ++j) {
                const float m = affine.mul[(ic / groupIn) * groupOut + j];
                float* kernel = w.f.data() + (ic * groupOut + j) * spatial;
                for (int64_t k = 0; k < spatial; ++k) kernel[k] *= m;
            }
    } else {  // Gemm: output channel n is row n of B when transB, else column n.
        const bool transB = target.attrInt("transB", 0) != 0;
        const int64_t rows = w.shape[0], cols = w.shape[1];
        for (int64_t r = 0; r < rows; ++r)
            for (int64_t c = 0; c < cols; ++c) w.f[r * cols + c] *= affine.mul[transB ? r : c];
    }

    bool created = false;
    if (target.input(2).empty()) {
        if (target.inputs.size() < 3) target.inputs.resize(3);
        const std::string base =
            graph.format == "caffe" ? target.name + "$1" : target.name + "_bias";
        target.inputs[2] = graph.addWeight(base, Tensor::floats({channels}, 0.0f));
        created = true;
    }
    Tensor& b = graph.weights.at(target.inputs[2]);
    if (b.numel() == 1 && channels != 1) b = Tensor::floats({channels}, b.f[0]);
    for (int64_t c = 0; c < channels; ++c) b.f[c] = b.f[c] * affine.mul[c] + affine.add[c];
    return created;
}

}  // namespace

bool isAffineOp(const std::string& op) { return opTraits(op).affine; }

std::vector<FoldCandidate> findFoldCandidates(const Graph& graph) {
    std::vector<FoldCandidate> candidates;
    for (size_t k = 0; k < graph.nodes.size(); ++k)
        if (isAffineOp(graph.nodes[k].op))
            candidates.push_back(examine(graph, static_cast<int>(k), true));
    return candidates;
}

FoldReport foldBatchNorm(Graph& graph, const std::set<std::string>& only) {
    FoldReport report;
    std::vector<std::string> affineNames;
    for (const auto& node : graph.nodes)
        if (isAffineOp(node.op) && (only.empty() || only.count(node.name)))
            affineNames.push_back(node.name);
    // Topological order means a BatchNorm folds before the Scale that follows it, so by the
    // time the Scale is examined its producer is the conv itself.
    for (const auto& name : affineNames) {
        const int index = graph.nodeIndex(name);
        FoldCandidate candidate = examine(graph, index, false);
        if (!candidate.foldable()) {
            report.skipped.push_back(candidate);
            continue;
        }
        const Node affineNode = graph.nodes[index];
        ChannelAffine affine;
        readAffine(graph, affineNode, affine);
        Node& target = graph.nodes[graph.nodeIndex(candidate.target)];
        FoldRecord record{affineNode.name, affineNode.op,      target.name,
                          target.op,       candidate.channels, false};
        record.biasCreated = absorb(graph, target, affine);
        target.outputs[0] = affineNode.outputs[0];
        graph.nodes.erase(graph.nodes.begin() + graph.nodeIndex(name));
        report.folded.push_back(record);
    }
    graph.removeUnusedWeights();
    return report;
}

}  // namespace qf

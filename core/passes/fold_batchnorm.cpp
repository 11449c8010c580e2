#include "passes/fold_batchnorm.h"

#include <algorithm>
#include <cmath>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

#include "graph/op_traits.h"
#include "passes/graph_edit.h"

namespace qf {
namespace {

// Why a node cannot fold: the typed reason and the text for people. Empty when it can.
struct Refusal {
    FoldRefusal kind = FoldRefusal::None;
    std::string text;
    explicit operator bool() const { return kind != FoldRefusal::None; }
};

Refusal refuse(FoldRefusal kind, std::string text) { return {kind, std::move(text)}; }

// Producers and reader counts of every tensor, built once so that examining every affine node
// of a graph is linear in its size (Graph::producerIndex / consumerIndices scan all nodes). The
// bulk fold keeps it up to date as it folds.
class TensorIndex {
public:
    explicit TensorIndex(const Graph& graph) {
        producer_.reserve(graph.nodes.size() * 2);
        readers_.reserve(graph.nodes.size() * 4);
        for (size_t k = 0; k < graph.nodes.size(); ++k) {
            const Node& node = graph.nodes[k];
            for (const auto& out : node.outputs)
                if (!out.empty()) producer_.emplace(out, static_cast<int>(k));
            for (size_t i = 0; i < node.inputs.size(); ++i)
                if (!node.inputs[i].empty() && readsFirstAt(node, i)) ++readers_[node.inputs[i]];
        }
        for (const auto& out : graph.outputs) graphOutputs_.insert(out.name);
    }

    int producer(const std::string& tensor) const {
        const auto it = producer_.find(tensor);
        return it == producer_.end() ? -1 : it->second;
    }
    // How many nodes read the tensor (a node reading it twice counts once).
    int readerCount(const std::string& tensor) const {
        const auto it = readers_.find(tensor);
        return it == readers_.end() ? 0 : it->second;
    }
    bool isGraphOutput(const std::string& tensor) const { return graphOutputs_.count(tensor) != 0; }
    // What Graph::addWeight checks, without its scan of every node.
    bool nameTaken(const Graph& graph, const std::string& name) const {
        return graph.isWeight(name) || producer_.count(name) != 0;
    }

    // After the target at `targetIndex` absorbed `affine`: the affine node reads and writes
    // nothing any more; the target writes the affine node's output and reads its new bias.
    void folded(const Node& affine, int affineIndex, const Node& target, int targetIndex,
                const std::string& targetOldOutput, const std::string* createdBias) {
        for (size_t i = 0; i < affine.inputs.size(); ++i)
            if (!affine.inputs[i].empty() && readsFirstAt(affine, i)) --readers_[affine.inputs[i]];
        const auto old = producer_.find(targetOldOutput);
        if (old != producer_.end() && old->second == targetIndex) producer_.erase(old);
        for (const auto& out : affine.outputs) {
            const auto it = producer_.find(out);
            if (it != producer_.end() && it->second == affineIndex) producer_.erase(it);
        }
        producer_[target.outputs[0]] = targetIndex;
        if (createdBias) ++readers_[*createdBias];
    }

private:
    // Whether input i is the node's first read of that tensor.
    static bool readsFirstAt(const Node& node, size_t i) {
        for (size_t j = 0; j < i; ++j)
            if (node.inputs[j] == node.inputs[i]) return false;
        return true;
    }

    std::unordered_map<std::string, int> producer_;  // first producer, as Graph::producerIndex
    std::unordered_map<std::string, int> readers_;   // distinct reading nodes
    std::unordered_set<std::string> graphOutputs_;
};

// The affine node as y = x * mul[c] + add[c] over channel axis 1.
struct ChannelAffine {
    std::vector<float> mul, add;
};

bool allFinite(const std::vector<float>& values) {
    for (const float v : values)
        if (!std::isfinite(v)) return false;
    return true;
}

Refusal nonFinite(const Graph& graph, const std::string& tensor) {
    const Tensor* t = graph.weight(tensor);
    if (t && t->isFloat() && !allFinite(t->f))
        return refuse(FoldRefusal::NonFiniteParameters,
                      "'" + tensor + "' holds NaN or infinite values");
    return {};
}

Refusal notConstant(const Graph& graph, const Node& node, size_t input, const char* role) {
    if (node.input(input).empty())
        return refuse(FoldRefusal::ParametersNotConstant, std::string(role) + " is missing");
    if (!graph.isWeight(node.input(input)))
        return refuse(
            FoldRefusal::ParametersNotConstant,
            std::string(role) + " comes from tensor '" + node.input(input) + "', not a constant");
    return nonFinite(graph, node.input(input));
}

// Fills `affine` from the node's parameters, or returns why it cannot fold.
Refusal readAffine(const Graph& graph, const Node& node, ChannelAffine& affine) {
    if (!isAffine(node)) return refuse(FoldRefusal::NotAffine, "it is not a per-channel affine op");
    if (node.op == "BatchNormalization") {
        const char* roles[] = {"scale", "bias", "mean", "variance"};
        for (size_t k = 1; k <= 4; ++k)
            if (auto refusal = notConstant(graph, node, k, roles[k - 1])) return refusal;
        for (size_t k = 1; k < node.outputs.size(); ++k)
            if (!node.outputs[k].empty())
                return refuse(FoldRefusal::HasTrainingOutputs,
                              "it has training outputs (running mean/variance)");
        const auto& gamma = graph.weight(node.input(1))->f;
        const auto& beta = graph.weight(node.input(2))->f;
        const auto& mean = graph.weight(node.input(3))->f;
        const auto& var = graph.weight(node.input(4))->f;
        if (beta.size() != gamma.size() || mean.size() != gamma.size() ||
            var.size() != gamma.size())
            return refuse(FoldRefusal::ParameterLengthsDiffer,
                          "its parameters have different lengths");
        const float epsilon = node.attrFloat("epsilon", 1e-5f);
        affine.mul.resize(gamma.size());
        affine.add.resize(gamma.size());
        for (size_t c = 0; c < gamma.size(); ++c) {
            if (var[c] < 0.0f)
                return refuse(FoldRefusal::NegativeVariance,
                              "variance is negative (" + std::to_string(var[c]) + ") in channel " +
                                  std::to_string(c));
            if (var[c] + epsilon <= 0.0f)
                return refuse(FoldRefusal::NegativeVariance,
                              "variance + epsilon is zero in channel " + std::to_string(c));
            affine.mul[c] = gamma[c] / std::sqrt(var[c] + epsilon);
            affine.add[c] = beta[c] - mean[c] * affine.mul[c];
        }
        return {};
    }
    if (node.attrInt("axis", 1) != 1 || node.attrInt("num_axes", 1) != 1)
        return refuse(FoldRefusal::NotPerChannel, "it does not act on channel axis 1 alone");
    if (node.op == "Scale") {
        if (auto refusal = notConstant(graph, node, 1, "scale")) return refusal;
        affine.mul = graph.weight(node.input(1))->f;
        if (!node.input(2).empty()) {
            if (auto refusal = notConstant(graph, node, 2, "bias")) return refusal;
            affine.add = graph.weight(node.input(2))->f;
            if (affine.add.size() != affine.mul.size())
                return refuse(FoldRefusal::ParameterLengthsDiffer, "scale and bias lengths differ");
        } else {
            affine.add.assign(affine.mul.size(), 0.0f);
        }
        return {};
    }
    if (node.op == "Bias") {
        if (auto refusal = notConstant(graph, node, 1, "bias")) return refusal;
        affine.add = graph.weight(node.input(1))->f;
        affine.mul.assign(affine.add.size(), 1.0f);
        return {};
    }
    return refuse(FoldRefusal::NotAffine, "it is not a per-channel affine op");
}

// Output channels of a Conv / ConvTranspose / Gemm, or why its weights cannot absorb a fold.
Refusal targetChannels(const Graph& graph, const TensorIndex& index, const Node& target,
                       int64_t& channels) {
    const Tensor* w = graph.weight(target.input(1));
    if (!w)
        return refuse(FoldRefusal::ParametersNotConstant,
                      "the weights of '" + target.name + "' are not a constant");
    if (index.readerCount(target.input(1)) > 1)
        return refuse(FoldRefusal::SharedWeights,
                      "the weights of '" + target.name + "' are shared with another node");
    if (auto refusal = nonFinite(graph, target.input(1)))
        return refuse(refusal.kind, "the weights of '" + target.name + "': " + refusal.text);
    if (!target.input(2).empty()) {
        if (!graph.isWeight(target.input(2)))
            return refuse(FoldRefusal::ParametersNotConstant,
                          "the bias of '" + target.name + "' is not a constant");
        if (index.readerCount(target.input(2)) > 1)
            return refuse(FoldRefusal::SharedWeights,
                          "the bias of '" + target.name + "' is shared with another node");
    }
    if (target.op == "Conv") {
        channels = w->shape.at(0);
    } else if (target.op == "ConvTranspose") {
        channels = w->shape.at(1) * target.attrInt("group", 1);
    } else {
        if (target.attrFloat("alpha", 1.0f) != 1.0f || target.attrFloat("beta", 1.0f) != 1.0f)
            return refuse(FoldRefusal::UnsupportedTarget,
                          "Gemm '" + target.name + "' has alpha or beta other than 1");
        if (w->rank() != 2)
            return refuse(FoldRefusal::UnsupportedTarget,
                          "Gemm '" + target.name + "' has non-2-D weights");
        channels = target.attrInt("transB", 0) ? w->shape[0] : w->shape[1];
        if (!target.input(2).empty()) {
            const int64_t biasSize = graph.weight(target.input(2))->numel();
            if (biasSize != channels && biasSize != 1)
                return refuse(FoldRefusal::UnsupportedTarget,
                              "the bias of Gemm '" + target.name + "' is not a per-output vector");
        }
    }
    return {};
}

// Candidates already examined, by node index (findFoldCandidates walks in topological order,
// so a chain's upstream link is examined before the link that follows it).
struct Examined {
    const std::vector<FoldCandidate>& candidates;
    std::unordered_map<int, size_t> position;  // node index -> index into candidates
};

FoldCandidate examine(const Graph& graph, const TensorIndex& index, int affineIndex,
                      bool throughAffine, Examined* examined) {
    const Node& node = graph.nodes[static_cast<size_t>(affineIndex)];
    FoldCandidate candidate;
    candidate.affine = node.name;
    candidate.affineOp = node.op;
    const auto fail = [&](Refusal refusal) {
        candidate.refusal = refusal.kind;
        candidate.reason = std::move(refusal.text);
        return candidate;
    };
    ChannelAffine affine;
    if (auto refusal = readAffine(graph, node, affine))
        return fail(refuse(refusal.kind, "cannot fold: " + refusal.text));
    candidate.channels = static_cast<int64_t>(affine.mul.size());
    const std::string& input = node.input(0);
    const int producerIndex = index.producer(input);
    if (producerIndex < 0)
        return fail(refuse(FoldRefusal::NoFoldableProducer,
                           "its input '" + input + "' is a model input, not a layer output"));
    const Node& producer = graph.nodes[static_cast<size_t>(producerIndex)];
    if (index.readerCount(input) > 1 || index.isGraphOutput(input))
        return fail(refuse(FoldRefusal::ProducerHasOtherReaders,
                           "its input '" + input + "' is also read elsewhere, so '" +
                               producer.name + "' must keep its output unchanged"));
    if (isAffine(producer)) {
        FoldCandidate upstream;
        const auto known = examined ? examined->position.find(producerIndex)
                                    : std::unordered_map<int, size_t>::iterator();
        if (examined && known != examined->position.end())
            upstream = examined->candidates[known->second];
        else
            upstream = examine(graph, index, producerIndex, true, examined);
        if (!throughAffine || !upstream.foldable())
            return fail(refuse(
                FoldRefusal::FollowsUnfoldedAffine,
                "it follows " + producer.op + " '" + producer.name + "', which is not folded"));
        candidate.target = upstream.target;
        candidate.targetOp = upstream.targetOp;
        if (upstream.channels != candidate.channels)
            fail(refuse(FoldRefusal::ChannelMismatch,
                        "channel counts of '" + producer.name + "' and it differ"));
        return candidate;
    }
    if (!isFoldTarget(producer)) {
        const FoldRefusal kind = opTraits(producer.op).kind == OpKind::Activation
                                     ? FoldRefusal::FollowsNonLinear
                                     : FoldRefusal::NoFoldableProducer;
        return fail(refuse(kind, "it follows " + producer.op + " '" + producer.name +
                                     "'; only Conv, ConvTranspose and Gemm/InnerProduct can "
                                     "absorb it"));
    }
    int64_t channels = 0;
    if (auto refusal = targetChannels(graph, index, producer, channels)) return fail(refusal);
    if (channels != candidate.channels)
        return fail(refuse(FoldRefusal::ChannelMismatch, "'" + producer.name + "' has " +
                                                             std::to_string(channels) +
                                                             " output channels but it has " +
                                                             std::to_string(candidate.channels)));
    candidate.target = producer.name;
    candidate.targetOp = producer.op;
    return candidate;
}

// Target weights w' = w * m[c] in the target's layout.
Tensor scaledWeights(const Node& target, const Tensor& weights, const ChannelAffine& affine) {
    Tensor w = weights;
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
    return w;
}

// One fold, worked out but not yet done: the target node as it will be and every weight it
// sets (null: drops).
struct FoldPlan {
    int affineIndex = -1;
    int targetIndex = -1;
    Node target;
    std::vector<NamedWeight> weights;
    bool biasCreated = false;
};

// Plans folding the affine node at `affineIndex` into its producer, which
// examine(..., throughAffine = false) found foldable.
FoldPlan planFold(const Graph& graph, const TensorIndex& index, int affineIndex) {
    const Node& affineNode = graph.nodes[static_cast<size_t>(affineIndex)];
    ChannelAffine affine;
    readAffine(graph, affineNode, affine);
    FoldPlan plan;
    plan.affineIndex = affineIndex;
    plan.targetIndex = index.producer(affineNode.input(0));
    plan.target = graph.nodes[static_cast<size_t>(plan.targetIndex)];
    Node& target = plan.target;
    const int64_t channels = static_cast<int64_t>(affine.mul.size());

    const std::string weightsName = target.input(1);
    plan.weights.push_back({weightsName, std::make_shared<Tensor>(scaledWeights(
                                             target, *graph.weight(weightsName), affine))});
    Tensor bias;
    if (target.input(2).empty()) {
        // Named as Graph::addWeight would; Caffe's blob naming lets the exporter write it as
        // blob 1.
        const std::string base =
            graph.format == "caffe" ? target.name + "$1" : target.name + "_bias";
        std::string name = base;
        for (int k = 2; index.nameTaken(graph, name); ++k) name = base + "_" + std::to_string(k);
        if (target.inputs.size() < 3) target.inputs.resize(3);
        target.inputs[2] = name;
        bias = Tensor::floats({channels}, 0.0f);
        plan.biasCreated = true;
    } else {
        bias = *graph.weight(target.input(2));
    }
    if (bias.numel() == 1 && channels != 1) bias = Tensor::floats({channels}, bias.f[0]);
    for (int64_t c = 0; c < channels; ++c) bias.f[c] = bias.f[c] * affine.mul[c] + affine.add[c];
    plan.weights.push_back({target.inputs[2], std::make_shared<Tensor>(std::move(bias))});
    target.outputs[0] = affineNode.outputs[0];

    // The affine node's parameters that nothing else reads go with it.
    for (size_t k = 1; k < affineNode.inputs.size(); ++k) {
        const std::string& parameter = affineNode.inputs[k];
        if (parameter.empty() || !graph.isWeight(parameter)) continue;
        if (index.readerCount(parameter) > 1 || index.isGraphOutput(parameter)) continue;
        if (std::find(target.inputs.begin(), target.inputs.end(), parameter) != target.inputs.end())
            continue;
        const bool listed =
            std::any_of(plan.weights.begin(), plan.weights.end(),
                        [&](const NamedWeight& weight) { return weight.name == parameter; });
        if (!listed) plan.weights.push_back({parameter, nullptr});
    }
    return plan;
}

std::string describeFold(const FoldCandidate& candidate) {
    return "Fold " + candidate.affineOp + " '" + candidate.affine + "' into " + candidate.targetOp +
           " '" + candidate.target + "'";
}

}  // namespace

const char* foldRefusalName(FoldRefusal refusal) {
    switch (refusal) {
        case FoldRefusal::None:
            return "none";
        case FoldRefusal::UnknownNode:
            return "unknown node";
        case FoldRefusal::NotAffine:
            return "not affine";
        case FoldRefusal::NotPerChannel:
            return "not per channel";
        case FoldRefusal::NoFoldableProducer:
            return "no foldable producer";
        case FoldRefusal::FollowsNonLinear:
            return "follows a non-linear op";
        case FoldRefusal::FollowsUnfoldedAffine:
            return "follows an unfolded affine op";
        case FoldRefusal::ProducerHasOtherReaders:
            return "producer has other readers";
        case FoldRefusal::ParametersNotConstant:
            return "parameters not constant";
        case FoldRefusal::NonFiniteParameters:
            return "non-finite parameters";
        case FoldRefusal::NegativeVariance:
            return "negative variance";
        case FoldRefusal::ParameterLengthsDiffer:
            return "parameter lengths differ";
        case FoldRefusal::HasTrainingOutputs:
            return "has training outputs";
        case FoldRefusal::SharedWeights:
            return "shared weights";
        case FoldRefusal::ChannelMismatch:
            return "channel mismatch";
        case FoldRefusal::UnsupportedTarget:
            return "unsupported target";
    }
    return "unknown";
}

FoldError::FoldError(FoldCandidate candidate)
    : Error(Diagnostic{Severity::Error, {}, 0, 0, candidate.affine, {}, candidate.reason},
            "cannot fold " +
                (candidate.affineOp.empty() ? std::string("node") : candidate.affineOp) + " '" +
                candidate.affine + "': " + candidate.reason),
      candidate_(std::move(candidate)) {}

void FoldReport::forgetUndo() {
    for (auto& record : folded) {
        record.affineNode = Node();
        record.targetNode = Node();
        record.previousWeights.clear();
    }
    droppedUnused.clear();
}

bool isAffineOp(const std::string& op) { return opTraits(op).affine; }

std::vector<FoldCandidate> findFoldCandidates(const Graph& graph) {
    const TensorIndex index(graph);
    std::vector<FoldCandidate> candidates;
    Examined examined{candidates, {}};
    for (size_t k = 0; k < graph.nodes.size(); ++k) {
        if (!isAffine(graph.nodes[k])) continue;
        const int nodeIndex = static_cast<int>(k);
        FoldCandidate candidate = examine(graph, index, nodeIndex, true, &examined);
        examined.position.emplace(nodeIndex, candidates.size());
        candidates.push_back(std::move(candidate));
    }
    return candidates;
}

GraphEdit foldOne(Graph& graph, const std::string& affineNode) {
    graph.assignMissingIds();
    const int affineIndex = graph.nodeIndex(affineNode);
    if (affineIndex < 0) {
        FoldCandidate unknown;
        unknown.affine = affineNode;
        unknown.refusal = FoldRefusal::UnknownNode;
        unknown.reason = "there is no node of that name";
        throw FoldError(std::move(unknown));
    }
    const TensorIndex index(graph);
    FoldCandidate candidate = examine(graph, index, affineIndex, false, nullptr);
    if (!candidate.foldable()) throw FoldError(std::move(candidate));
    FoldPlan plan = planFold(graph, index, affineIndex);

    GraphEdit edit;
    edit.description = describeFold(candidate);
    GraphEdit::NodeStep replace;
    replace.kind = GraphEdit::NodeStep::Kind::Replace;
    replace.node = std::move(plan.target);
    GraphEdit::NodeStep erase;
    erase.kind = GraphEdit::NodeStep::Kind::Erase;
    erase.index = static_cast<size_t>(affineIndex);
    erase.node.id = graph.nodes[erase.index].id;
    erase.node.name = graph.nodes[erase.index].name;
    edit.nodeSteps.push_back(std::move(replace));
    edit.nodeSteps.push_back(std::move(erase));
    edit.weights = std::move(plan.weights);
    return edit.apply(graph);
}

FoldReport foldBatchNorm(Graph& graph, const std::set<std::string>& only) {
    graph.assignMissingIds();
    FoldReport report;
    std::vector<int> affineIndices;
    for (size_t k = 0; k < graph.nodes.size(); ++k)
        if (isAffine(graph.nodes[k]) && (only.empty() || only.count(graph.nodes[k].name)))
            affineIndices.push_back(static_cast<int>(k));

    // The same folds as foldOne on each node in turn, without its per-fold scans: nodes stay
    // where they are (folded ones marked) until the end, and the tensor index follows each fold.
    // Topological order means a BatchNorm folds before the Scale that follows it, so by the
    // time the Scale is examined its producer is the conv itself.
    TensorIndex index(graph);
    std::vector<bool> removed(graph.nodes.size(), false);
    size_t removedSoFar = 0;
    for (const int affineIndex : affineIndices) {
        FoldCandidate candidate = examine(graph, index, affineIndex, false, nullptr);
        if (!candidate.foldable()) {
            report.skipped.push_back(std::move(candidate));
            continue;
        }
        FoldPlan plan = planFold(graph, index, affineIndex);
        Node& affine = graph.nodes[static_cast<size_t>(affineIndex)];
        Node& target = graph.nodes[static_cast<size_t>(plan.targetIndex)];

        FoldRecord record;
        record.affine = affine.name;
        record.affineOp = affine.op;
        record.target = target.name;
        record.targetOp = target.op;
        record.channels = candidate.channels;
        record.biasCreated = plan.biasCreated;
        // The index the affine node has in the graph foldOne would have folded so far: every
        // node removed before it stood before it.
        record.affineIndex = static_cast<size_t>(affineIndex) - removedSoFar;
        for (const auto& weight : plan.weights)
            record.previousWeights.push_back({weight.name, graph.weights.shared(weight.name)});

        record.targetNode = std::move(target);
        target = std::move(plan.target);
        for (auto& weight : plan.weights) graph.weights.setShared(weight.name, weight.tensor);
        index.folded(affine, affineIndex, target, plan.targetIndex, record.targetNode.outputs[0],
                     plan.biasCreated ? &target.inputs[2] : nullptr);
        record.affineNode = std::move(affine);
        removed[static_cast<size_t>(affineIndex)] = true;
        ++removedSoFar;
        report.folded.push_back(std::move(record));
    }
    if (removedSoFar > 0) {
        std::vector<Node> kept;
        kept.reserve(graph.nodes.size() - removedSoFar);
        for (size_t k = 0; k < graph.nodes.size(); ++k)
            if (!removed[k]) kept.push_back(std::move(graph.nodes[k]));
        graph.nodes = std::move(kept);
        ++graph.revision;
    }

    // As Graph::removeUnusedWeights, keeping what it drops (weights nobody read before the pass;
    // the folds dropped their own) so the pass can be undone.
    std::unordered_set<std::string_view> used;
    used.reserve(graph.nodes.size() * 4);
    for (const auto& node : graph.nodes) used.insert(node.inputs.begin(), node.inputs.end());
    for (const auto& out : graph.outputs) used.insert(out.name);
    for (const auto& weight : graph.weights)
        if (!used.count(weight.first))
            report.droppedUnused.push_back({weight.first, graph.weights.shared(weight.first)});
    for (const auto& weight : report.droppedUnused) graph.weights.erase(weight.name);
    if (!report.droppedUnused.empty()) ++graph.revision;
    return report;
}

}  // namespace qf

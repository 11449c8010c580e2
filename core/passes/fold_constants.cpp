#include "passes/fold_constants.h"

#include "runtime/kernel.h"

namespace qf {

std::vector<std::string> foldConstants(Graph& graph) {
    // All or nothing: the folded values go to a copy of the weights (which shares every tensor,
    // so it costs no weight copy), and the graph changes only once every kernel has run. A
    // kernel that throws leaves the graph exactly as it was.
    WeightStore weights = graph.weights;
    std::vector<std::string> folded;
    std::vector<bool> isFolded(graph.nodes.size(), false);
    for (size_t n = 0; n < graph.nodes.size(); ++n) {
        const Node& node = graph.nodes[n];
        const Kernel kernel = findKernel(node.op);
        bool constant = kernel != nullptr;
        for (const auto& in : node.inputs)
            if (!in.empty() && !weights.contains(in)) constant = false;
        for (const auto& out : node.outputs)
            if (graph.isGraphOutput(out)) constant = false;
        if (!constant) continue;
        std::vector<const Tensor*> inputs;
        for (const auto& in : node.inputs) inputs.push_back(in.empty() ? nullptr : weights.get(in));
        std::vector<Tensor> outputs(node.outputs.size());
        kernel(node, inputs, outputs);
        for (size_t k = 0; k < outputs.size(); ++k)
            if (!node.outputs[k].empty()) weights.set(node.outputs[k], std::move(outputs[k]));
        folded.push_back(node.name);
        isFolded[n] = true;
    }
    if (folded.empty()) return folded;

    std::vector<Node> kept;
    kept.reserve(graph.nodes.size() - folded.size());
    for (size_t n = 0; n < graph.nodes.size(); ++n)
        if (!isFolded[n]) kept.push_back(std::move(graph.nodes[n]));
    graph.nodes = std::move(kept);
    graph.weights = std::move(weights);
    graph.removeUnusedWeights();
    ++graph.revision;
    return folded;
}

}  // namespace qf

#include "passes/fold_constants.h"

#include "runtime/kernel.h"

namespace qf {

std::vector<std::string> foldConstants(Graph& graph) {
    std::vector<std::string> folded;
    std::vector<Node> kept;
    kept.reserve(graph.nodes.size());
    for (auto& node : graph.nodes) {
        const Kernel kernel = findKernel(node.op);
        bool constant = kernel != nullptr;
        for (const auto& in : node.inputs)
            if (!in.empty() && !graph.isWeight(in)) constant = false;
        for (const auto& out : node.outputs)
            if (graph.isGraphOutput(out)) constant = false;
        if (!constant) {
            kept.push_back(std::move(node));
            continue;
        }
        std::vector<const Tensor*> inputs;
        for (const auto& in : node.inputs)
            inputs.push_back(in.empty() ? nullptr : graph.weight(in));
        std::vector<Tensor> outputs(node.outputs.size());
        kernel(node, inputs, outputs);
        for (size_t k = 0; k < outputs.size(); ++k)
            if (!node.outputs[k].empty()) graph.weights[node.outputs[k]] = std::move(outputs[k]);
        folded.push_back(node.name);
    }
    graph.nodes = std::move(kept);
    graph.removeUnusedWeights();
    return folded;
}

}  // namespace qf

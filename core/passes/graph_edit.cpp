#include "passes/graph_edit.h"

#include <algorithm>
#include <iterator>

#include "util/error.h"

namespace qf {
namespace {

using NodeStep = GraphEdit::NodeStep;

Error misplaced(const std::string& description, const std::string& what) {
    return Error("cannot apply the edit '" + description + "': " + what +
                 " (the graph has changed since the edit was made)");
}

// Performs one step and returns the step that undoes it.
NodeStep perform(Graph& graph, const NodeStep& step, const std::string& description) {
    NodeStep inverse;
    switch (step.kind) {
        case NodeStep::Kind::Insert: {
            if (step.index > graph.nodes.size())
                throw misplaced(description, "node '" + step.node.name + "' would go to index " +
                                                 std::to_string(step.index) + " of " +
                                                 std::to_string(graph.nodes.size()));
            if (step.node.id != 0 && graph.nodeIndexById(step.node.id) >= 0)
                throw misplaced(description,
                                "a node with the id of '" + step.node.name + "' is already there");
            graph.nodes.insert(graph.nodes.begin() + static_cast<std::ptrdiff_t>(step.index),
                               step.node);
            graph.lastNodeId = std::max(graph.lastNodeId, step.node.id);
            inverse.kind = NodeStep::Kind::Erase;
            inverse.index = step.index;
            inverse.node.id = step.node.id;
            inverse.node.name = step.node.name;
            return inverse;
        }
        case NodeStep::Kind::Erase: {
            if (step.index >= graph.nodes.size() || graph.nodes[step.index].id != step.node.id ||
                graph.nodes[step.index].name != step.node.name)
                throw misplaced(description, "node '" + step.node.name + "' is not at index " +
                                                 std::to_string(step.index));
            const auto position = graph.nodes.begin() + static_cast<std::ptrdiff_t>(step.index);
            inverse.kind = NodeStep::Kind::Insert;
            inverse.index = step.index;
            inverse.node = std::move(*position);
            graph.nodes.erase(position);
            return inverse;
        }
        case NodeStep::Kind::Replace: {
            const int index = graph.nodeIndexById(step.node.id);
            if (index < 0)
                throw misplaced(description, "node '" + step.node.name + "' is not in the graph");
            Node& node = graph.nodes[static_cast<size_t>(index)];
            inverse.kind = NodeStep::Kind::Replace;
            inverse.node = std::move(node);
            node = step.node;
            return inverse;
        }
    }
    throw Error("cannot apply the edit '" + description + "': unknown step");
}

}  // namespace

GraphEdit GraphEdit::apply(Graph& graph) const {
    std::vector<NodeStep> undo;
    undo.reserve(nodeSteps.size());
    try {
        for (const auto& step : nodeSteps) undo.push_back(perform(graph, step, description));
    } catch (...) {
        // Nothing half-done: take back the steps already performed (which cannot fail, since
        // each undoes what just happened).
        for (auto it = undo.rbegin(); it != undo.rend(); ++it) perform(graph, *it, description);
        throw;
    }
    GraphEdit inverse;
    inverse.description = description;
    inverse.nodeSteps.assign(std::make_move_iterator(undo.rbegin()),
                             std::make_move_iterator(undo.rend()));
    inverse.weights.reserve(weights.size());
    for (const auto& weight : weights) {
        inverse.weights.push_back({weight.name, graph.weights.shared(weight.name)});
        graph.weights.setShared(weight.name, weight.tensor);
    }
    std::reverse(inverse.weights.begin(), inverse.weights.end());
    ++graph.revision;
    return inverse;
}

GraphEdit undoFold(const FoldRecord& record) {
    GraphEdit undo;
    undo.description = "Fold " + record.affineOp + " '" + record.affine + "' into " +
                       record.targetOp + " '" + record.target + "'";
    NodeStep insert;
    insert.kind = NodeStep::Kind::Insert;
    insert.index = record.affineIndex;
    insert.node = record.affineNode;
    NodeStep replace;
    replace.kind = NodeStep::Kind::Replace;
    replace.node = record.targetNode;
    undo.nodeSteps.push_back(std::move(insert));
    undo.nodeSteps.push_back(std::move(replace));
    undo.weights.assign(record.previousWeights.rbegin(), record.previousWeights.rend());
    return undo;
}

GraphEdit undoFolds(const FoldReport& report) {
    GraphEdit undo;
    undo.description = "Fold " + std::to_string(report.folded.size()) + " affine layers";
    // The pass folded, then dropped the unused weights: restore those first, then take back
    // each fold from the last. Node steps and weight steps touch different things, so all node
    // steps can go before all weight steps.
    undo.weights = report.droppedUnused;
    for (auto it = report.folded.rbegin(); it != report.folded.rend(); ++it) {
        GraphEdit one = undoFold(*it);
        std::move(one.nodeSteps.begin(), one.nodeSteps.end(), std::back_inserter(undo.nodeSteps));
        std::move(one.weights.begin(), one.weights.end(), std::back_inserter(undo.weights));
    }
    return undo;
}

}  // namespace qf

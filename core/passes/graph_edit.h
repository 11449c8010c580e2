#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "graph/graph.h"
#include "passes/fold_batchnorm.h"

namespace qf {

// An undoable change of a graph as data. Applying an edit performs it and returns its inverse,
// so an undo stack needs nothing else: undo = apply the inverse, redo = apply what undo
// returned. Weights are held as shared tensors, so an edit costs no weight copy.
//
// Edits are meant for a linear history: an edit applies to the graph as it was when the edit
// was made (or its inverse returned). apply checks that the nodes it touches are the ones it
// expects and throws qf::Error (leaving the graph as it was) when they are not.
struct GraphEdit {
    struct NodeStep {
        enum class Kind {
            Insert,   // puts `node` at `index`
            Erase,    // removes the node at `index`, which must have id `node.id`
            Replace,  // replaces the node with id `node.id`, wherever it is, by `node`
        };
        Kind kind = Kind::Replace;
        size_t index = 0;  // Insert, Erase
        Node node;         // Insert, Replace: the node to put; Erase: its id and name
    };

    std::string description;  // for people ("Fold BatchNormalization 'bn1' into Conv 'conv1'")
    std::vector<NodeStep> nodeSteps;   // performed in order
    std::vector<NamedWeight> weights;  // set (or, when null, removed) after the node steps

    bool empty() const { return nodeSteps.empty() && weights.empty(); }
    // Performs the edit, bumps graph.revision and returns the edit that undoes it (with the
    // same description).
    GraphEdit apply(Graph& graph) const;
};

// Folds the one named affine node (BatchNormalization, Scale, Bias) into its Conv,
// ConvTranspose or Gemm, exactly as foldBatchNorm would, and returns the edit that undoes it:
// applying that restores the graph exactly (nodes, order, ids, attributes, source text,
// weights). Throws FoldError (a qf::Error) with the typed reason when it cannot fold, leaving
// the graph unchanged. A Caffe BatchNorm -> Scale chain folds link by link: the BatchNorm
// first, then the Scale.
GraphEdit foldOne(Graph& graph, const std::string& affineNode);

// The edit that undoes one fold of a report, valid right after that fold (undo a report's
// folds in reverse order), and the one that undoes a whole foldBatchNorm pass.
GraphEdit undoFold(const FoldRecord& record);
GraphEdit undoFolds(const FoldReport& report);

}  // namespace qf

#pragma once
#include <string>

#include "graph/graph.h"
#include "passes/fold_batchnorm.h"
#include "passes/graph_edit.h"

namespace qf::ui {

// One fold through the core's undoable edit: folds `affine` in `graph` (qf::foldOne) and returns
// what the GUI keeps of it, the fold's description and the edit that undoes it. Throws
// qf::FoldError with the core's typed reason when the node cannot fold.
struct FoldStep {
    qf::FoldRecord record;  // what folded into what (for the Fold report and the project)
    qf::GraphEdit undo;     // applying it restores the graph as it was before the fold
};
FoldStep foldOneNode(qf::Graph& graph, const std::string& affine,
                     const std::vector<qf::FoldCandidate>& candidates);

}  // namespace qf::ui

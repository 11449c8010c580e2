#pragma once
#include <string>

#include "graph/graph.h"
#include "passes/fold_batchnorm.h"

namespace qf::ui {

// The one place the GUI performs a fold. Branch graph-edits brings the core's undoable edit
// `qf::GraphEdit qf::foldOne(Graph&, const std::string&)` (performs one fold, returns the edit
// that undoes it); until it lands here, a fold is the core's foldBatchNorm restricted to the one
// node, and undo restores the snapshot taken before (see Document::foldedState). Throws
// qf::Error with the core's reason when the node cannot fold.
qf::FoldRecord foldOneNode(qf::Graph& graph, const std::string& affine);

}  // namespace qf::ui

#pragma once
#include <string>
#include <vector>

#include "graph/graph.h"

namespace qf {

// Evaluates every node whose inputs are all weights (ONNX shape arithmetic: Constant, Shape of
// constants, Gather, Concat, Cast, ...) once, and stores its outputs as weights, so the
// runtime, the passes and the graph view see plain constants. Returns the folded node names.
// All or nothing: when a kernel throws, the graph is left exactly as it was.
std::vector<std::string> foldConstants(Graph& graph);

}  // namespace qf

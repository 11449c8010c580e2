#pragma once
#include <map>
#include <string>

#include "graph/graph.h"

namespace qf {

// Shapes of every tensor, found by running the graph once on zeros of the declared input
// shapes (unknown dimensions taken as 1). Throws when the graph cannot be executed.
std::map<std::string, Shape> inferShapes(const Graph& graph);

}  // namespace qf

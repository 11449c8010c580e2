#pragma once
#include <map>
#include <string>

#include "graph/graph.h"

namespace qf {

// Shapes of every tensor, found by running the graph once on zeros of the declared input
// shapes (unknown dimensions taken as 1), keeping only the shapes. Throws when the graph cannot be
// executed or an input declares more than 50 M values (3 x 4096 x 4096).
std::map<std::string, Shape> inferShapes(const Graph& graph);

}  // namespace qf

#pragma once
#include <map>
#include <string>

#include "graph/graph.h"

namespace qf {

// Shapes of every tensor, found without running the model: each kernel is run on hollow inputs
// (a shape and a type, no values; unknown dimensions of the inputs taken as 1) and stops once its
// output shape is known (runtime/kernel.h, shapeOnly). Small tensors computed from weights and
// shapes alone (the Shape -> Gather -> Concat -> Reshape arithmetic of exported models) get their
// values, so nothing the size of a feature map is allocated whatever the declared input size.
// Throws, naming the node, when a kernel refuses its input shapes, an op has no kernel, or a
// shape depends on values known only at run time.
std::map<std::string, Shape> inferShapes(const Graph& graph);

}  // namespace qf

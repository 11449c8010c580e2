#pragma once
#include <string>

#include "graph/graph.h"
#include "util/progress.h"

namespace qf {

// Writes a graph imported from a TensorFlow GraphDef back as one (atomically). Every node the
// IR still holds is written from its original NodeDef (attributes, device, unknown fields as
// they were), only its inputs rewired; Const nodes are written as they were unless a pass
// changed their values (a folded conv's filter, then written back in TensorFlow's layout);
// nodes a fold removed are left out and a conv or MatMul that gained a bias gets a BiasAdd.
// The GraphDef's versions, function library and unknown fields are kept.
void exportTensorflow(const Graph& graph, const std::string& path, const Progress& progress = {});

// The GraphDef bytes exportTensorflow writes.
std::string tensorflowGraphBytes(const Graph& graph);

}  // namespace qf

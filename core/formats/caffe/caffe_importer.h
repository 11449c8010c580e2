#pragma once
#include <string>

#include "graph/graph.h"

namespace qf {

// Reads deploy.prototxt (text) and, when weightsPath is not empty, a .caffemodel (binary;
// new-style `layer` and V1 `layers`) into a Graph (see graph/OPS.md for the layer mapping).
// Throws qf::Error naming the file, the layer and the problem (prototxt errors carry the line).
Graph importCaffe(const std::string& prototxtPath, const std::string& weightsPath);

}  // namespace qf

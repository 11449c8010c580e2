#pragma once
#include <string>

#include "graph/graph.h"

namespace qf {

// Writes a Graph that came from Caffe back as deploy.prototxt + .caffemodel. Layers that did
// not change keep their original prototxt text. Both writes are atomic (temp file + rename).
void exportCaffe(const Graph& graph, const std::string& prototxtPath,
                 const std::string& weightsPath);

}  // namespace qf

#pragma once
#include <string>

#include "graph/graph.h"
#include "util/progress.h"

namespace qf {

// Writes a Graph that came from Caffe back as deploy.prototxt + .caffemodel. Layers that did
// not change keep their original prototxt text. Both writes are atomic (temp file + rename).
// `progress` covers building and writing; Cancel is honoured until the caffemodel is in place
// (the prototxt, a few kilobytes, follows it), so a cancelled export changes no file.
void exportCaffe(const Graph& graph, const std::string& prototxtPath,
                 const std::string& weightsPath, const Progress& progress = {});

}  // namespace qf

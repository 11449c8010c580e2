#pragma once
#include <string>

#include "graph/graph.h"
#include "util/diagnostic.h"
#include "util/progress.h"

namespace qf {

// Reads deploy.prototxt (text) and, when weightsPath is not empty, a .caffemodel (binary;
// new-style `layer` and V1 `layers`) into a Graph (see graph/OPS.md for the layer mapping).
// The net is read for the TEST phase: layers whose include/exclude rules leave them out of it
// are dropped (their text is kept and written back, ahead of the other layers).
// Throws qf::Error naming the file, the layer and the problem (prototxt errors carry the line;
// the error's diagnostic() has them as fields). `warnings`, when given, receives each dropped
// layer with its rule, each layer this runtime cannot execute, and each field the schema lacks
// (skipped by the parser) except the forked parameters the importer reads from the text.
// `progress` runs from reading the weights through converting the layers; cancelling stops
// between chunks and layers (throwing Cancelled).
Graph importCaffe(const std::string& prototxtPath, const std::string& weightsPath,
                  Diagnostics* warnings = nullptr, const Progress& progress = {});

}  // namespace qf

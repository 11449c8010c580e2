#pragma once
#include <string>

#include "graph/graph.h"
#include "util/diagnostic.h"
#include "util/progress.h"

namespace qf {

// Reads a TensorFlow frozen GraphDef (`.pb`) into a Graph. Const nodes become weights; every
// other node becomes one IR node (a few become two, see tf_importer.cpp) keeping its NodeDef
// in Node::source so an exporter can write untouched nodes back as they were. Graph::source
// holds the whole original GraphDef.
//
// Layout: the IR is NCHW. A 4-D NHWC tensor is converted at the boundary — a 4-D Placeholder
// becomes an NCHW graph input, filters are transposed to OIHW, and ops with a data_format
// become their NCHW IR twins — so the executor, calibration, comparison and the QDQ export see
// the same graph as for an ONNX model. Where an op's meaning depends on the layout (Reshape,
// Squeeze, a constant of NHWC shape) the importer transposes explicitly.
//
// `inputShape`, when not empty, replaces the Placeholder's shape (NHWC as TensorFlow writes
// it, e.g. for unknown dimensions). Throws qf::Error naming the file and node for a file that
// does not parse, a cycle, an input naming a missing node, or a Const whose content does not
// match its shape. `warnings` receives the nodes whose op this runtime cannot execute.
Graph importTensorflow(const std::string& path, Diagnostics* warnings = nullptr,
                       const Progress& progress = {}, const Shape& inputShape = {});
Graph importTensorflowFromBytes(const std::string& bytes, const std::string& nameForErrors,
                                Diagnostics* warnings = nullptr, const Progress& progress = {},
                                const Shape& inputShape = {});

}  // namespace qf

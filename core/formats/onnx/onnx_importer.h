#pragma once
#include <string>

#include "graph/graph.h"
#include "util/diagnostic.h"
#include "util/progress.h"

namespace onnx {
class TensorProto;
}

namespace qf {

// Reads an ONNX ModelProto (opsets 7-17) into a Graph: initializers and Constant nodes become
// weights, opset differences (Clip, Softmax, Upsample...) are made explicit in attributes.
// Throws qf::Error naming the file and the problem (and the node, in its diagnostic too).
// `warnings`, when given, receives every node whose op this runtime cannot execute and every
// attribute of a known op that no kernel reads.
// `progress` runs from reading the file through parsing and converting the nodes to checking
// the graph; cancelling stops between chunks and nodes (throwing Cancelled).
Graph importOnnx(const std::string& path, Diagnostics* warnings = nullptr,
                 const Progress& progress = {});
Graph importOnnxFromBytes(const std::string& bytes, const std::string& nameForErrors,
                          Diagnostics* warnings = nullptr, const Progress& progress = {});

Tensor tensorFromOnnx(const onnx::TensorProto& proto, const std::string& where);

}  // namespace qf

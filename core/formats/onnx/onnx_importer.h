#pragma once
#include <string>

#include "graph/graph.h"
#include "util/diagnostic.h"

namespace onnx {
class TensorProto;
}

namespace qf {

// Reads an ONNX ModelProto (opsets 7-17) into a Graph: initializers and Constant nodes become
// weights, opset differences (Clip, Softmax, Upsample...) are made explicit in attributes.
// Throws qf::Error naming the file and the problem (and the node, in its diagnostic too).
// `warnings`, when given, receives every node whose op this runtime cannot execute and every
// attribute of a known op that no kernel reads.
Graph importOnnx(const std::string& path, Diagnostics* warnings = nullptr);
Graph importOnnxFromBytes(const std::string& bytes, const std::string& nameForErrors,
                          Diagnostics* warnings = nullptr);

Tensor tensorFromOnnx(const onnx::TensorProto& proto, const std::string& where);

}  // namespace qf

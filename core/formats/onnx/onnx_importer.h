#pragma once
#include <string>

#include "graph/graph.h"

namespace onnx {
class TensorProto;
}

namespace qf {

// Reads an ONNX ModelProto (opsets 7-17) into a Graph: initializers and Constant nodes become
// weights, opset differences (Clip, Softmax, Upsample...) are made explicit in attributes.
// Throws qf::Error naming the file and the problem.
Graph importOnnx(const std::string& path);
Graph importOnnxFromBytes(const std::string& bytes, const std::string& nameForErrors);

Tensor tensorFromOnnx(const onnx::TensorProto& proto, const std::string& where);

}  // namespace qf

#pragma once
#include <string>

#include "graph/graph.h"

namespace onnx {
class TensorProto;
}

namespace qf {

// Writes a Graph that came from ONNX back as ONNX, starting from the original ModelProto so
// metadata, opset imports and untouched nodes stay as they were. Atomic: temp file + rename.
void exportOnnx(const Graph& graph, const std::string& path);
void tensorToOnnx(const Tensor& tensor, const std::string& name, onnx::TensorProto& proto);

}  // namespace qf

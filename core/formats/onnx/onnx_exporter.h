#pragma once
#include <string>

#include "graph/graph.h"
#include "util/progress.h"

namespace onnx {
class TensorProto;
}

namespace qf {

// Writes a Graph that came from ONNX back as ONNX, starting from the original ModelProto so
// metadata, opset imports and untouched nodes stay as they were. Atomic: temp file + rename.
// `progress` covers building and writing; a cancelled export leaves the old file as it was.
void exportOnnx(const Graph& graph, const std::string& path, const Progress& progress = {});
void tensorToOnnx(const Tensor& tensor, const std::string& name, onnx::TensorProto& proto);

}  // namespace qf

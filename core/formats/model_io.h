#pragma once
#include <string>

#include "graph/graph.h"

namespace qf {

// Loads a model by its file name: `.prototxt` (+ `.caffemodel`) is Caffe, `.onnx` is ONNX.
Graph loadModel(const std::string& modelPath, const std::string& weightsPath = "");

// Writes a model in the format it came from. Caffe needs both paths; ONNX only the first.
// Refuses to write over `protectedPaths` (the files the model was read from).
void saveModel(const Graph& graph, const std::string& modelPath, const std::string& weightsPath,
               const std::vector<std::string>& protectedPaths = {});

}  // namespace qf

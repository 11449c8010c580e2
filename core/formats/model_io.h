#pragma once
#include <optional>
#include <string>

#include "graph/graph.h"
#include "util/diagnostic.h"
#include "util/progress.h"

namespace qf {

// Loads a model by its file name: `.prototxt` (+ `.caffemodel`) is Caffe, `.onnx` is ONNX,
// `.pb` a TensorFlow frozen GraphDef.
// `warnings`, when given, receives (appended) what loaded but deserves a look: layers and ops
// this runtime cannot execute, parameters and attributes the importer does not read, Caffe
// layers dropped by their phase rules (the model is read for the TEST phase). Each names the
// file, the node and, for Caffe's prototxt, the line. `progress` covers the whole load (reading,
// parsing, converting, checking) on one count; cancelling throws Cancelled between steps.
// `inputShape`, when not empty, fills the unknown dimensions of a TensorFlow graph's
// Placeholder (in TensorFlow's order, NHWC for an image; -1 keeps one unknown) before shape
// subgraphs are evaluated; it is refused for Caffe and ONNX, whose inputs are declared.
Graph loadModel(const std::string& modelPath, const std::string& weightsPath = "",
                Diagnostics* warnings = nullptr, const Progress& progress = {},
                const Shape& inputShape = {});

// Text such as "1,224,224,3" as loadModel's inputShape: comma-separated dimensions, each
// positive or -1 (unknown), spaces allowed around them; nullopt for anything else.
std::optional<Shape> parseInputShape(const std::string& text);

// Writes a model in the format it came from. Caffe needs both paths; ONNX and TensorFlow only
// the first.
// Refuses to write over `protectedPaths` (the files the model was read from). `progress` covers
// building and writing the files; a cancelled save leaves any existing files as they were.
void saveModel(const Graph& graph, const std::string& modelPath, const std::string& weightsPath,
               const std::vector<std::string>& protectedPaths = {}, const Progress& progress = {});

}  // namespace qf

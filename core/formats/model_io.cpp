#include "formats/model_io.h"

#include <filesystem>

#include "formats/caffe/caffe_exporter.h"
#include "formats/caffe/caffe_importer.h"
#include "formats/onnx/onnx_exporter.h"
#include "formats/onnx/onnx_importer.h"
#include "util/atomic_file.h"
#include "util/error.h"

namespace qf {
namespace fs = std::filesystem;

namespace {

bool endsWith(const std::string& text, const std::string& suffix) {
    return text.size() >= suffix.size() &&
           text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

Graph loadModel(const std::string& modelPath, const std::string& weightsPath, Diagnostics* warnings,
                const Progress& progress) {
    requireRegularFile(modelPath);
    if (!weightsPath.empty()) requireRegularFile(weightsPath);
    if (endsWith(modelPath, ".prototxt") || endsWith(modelPath, ".caffemodel")) {
        if (endsWith(modelPath, ".caffemodel"))
            throw Error(modelPath + ": give the deploy .prototxt first, then the .caffemodel");
        return importCaffe(modelPath, weightsPath, warnings, progress);
    }
    if (endsWith(modelPath, ".onnx")) {
        if (!weightsPath.empty())
            throw Error(modelPath + ": an ONNX model takes no separate weights file");
        return importOnnx(modelPath, warnings, progress);
    }
    if (endsWith(modelPath, ".pb"))
        throw Error(modelPath + ": TensorFlow GraphDef files are not supported yet");
    throw Error(modelPath + ": unknown model format (expected .prototxt + .caffemodel, or .onnx)");
}

void saveModel(const Graph& graph, const std::string& modelPath, const std::string& weightsPath,
               const std::vector<std::string>& protectedPaths, const Progress& progress) {
    refuseToOverwriteInputs(modelPath, protectedPaths);
    if (graph.format == "caffe") {
        if (weightsPath.empty())
            throw Error(modelPath + ": a Caffe model needs a .caffemodel output path too");
        refuseToOverwriteInputs(weightsPath, protectedPaths);
        exportCaffe(graph, modelPath, weightsPath, progress);
    } else if (graph.format == "onnx") {
        exportOnnx(graph, modelPath, progress);
    } else {
        throw Error(modelPath + ": cannot write a model of format '" + graph.format + "'");
    }
}

}  // namespace qf

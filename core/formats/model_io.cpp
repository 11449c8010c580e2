#include "formats/model_io.h"

#include <filesystem>
#include <limits>
#include <sstream>

#include "formats/caffe/caffe_exporter.h"
#include "formats/caffe/caffe_importer.h"
#include "formats/onnx/onnx_exporter.h"
#include "formats/onnx/onnx_importer.h"
#include "formats/tensorflow/tf_exporter.h"
#include "formats/tensorflow/tf_importer.h"
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
                const Progress& progress, const Shape& inputShape) {
    if (!inputShape.empty() && !endsWith(modelPath, ".pb"))
        throw Error(modelPath + ": an input shape can only be given for a TensorFlow .pb graph " +
                    "(Caffe and ONNX models declare theirs)");
    for (const auto& path : {modelPath, weightsPath}) {
        if (path.empty()) continue;
        requireRegularFile(path);
        // protobuf parses at most 2 GiB; refused here before it is all read into memory.
        std::error_code error;
        const auto size = fs::file_size(path, error);
        if (!error && size > static_cast<uintmax_t>(std::numeric_limits<int>::max()))
            throw Error(path + ": " + std::to_string(size >> 20) +
                        " MiB is more than the 2 GiB a protobuf model file can hold");
    }
    // A model of no layers loads as an empty graph that every step accepts and does nothing with.
    const auto withLayers = [&modelPath](Graph graph) {
        if (graph.nodes.empty())
            throw Error(modelPath + ": the model has no layers (an empty or truncated file?)");
        return graph;
    };
    if (endsWith(modelPath, ".prototxt") || endsWith(modelPath, ".caffemodel")) {
        if (endsWith(modelPath, ".caffemodel"))
            throw Error(modelPath + ": give the deploy .prototxt first, then the .caffemodel");
        return withLayers(importCaffe(modelPath, weightsPath, warnings, progress));
    }
    if (endsWith(modelPath, ".onnx")) {
        if (!weightsPath.empty())
            throw Error(modelPath + ": an ONNX model takes no separate weights file");
        return withLayers(importOnnx(modelPath, warnings, progress));
    }
    if (endsWith(modelPath, ".pb")) {
        if (!weightsPath.empty())
            throw Error(modelPath + ": a TensorFlow GraphDef takes no separate weights file");
        return withLayers(importTensorflow(modelPath, warnings, progress, inputShape));
    }
    throw Error(modelPath +
                ": unknown model format (expected .prototxt + .caffemodel, .onnx or .pb)");
}

std::optional<Shape> parseInputShape(const std::string& text) {
    Shape shape;
    std::istringstream parts(text);
    std::string part;
    while (std::getline(parts, part, ',')) {
        const size_t first = part.find_first_not_of(' ');
        const size_t last = part.find_last_not_of(' ');
        if (first == std::string::npos) return std::nullopt;
        const std::string digits = part.substr(first, last - first + 1);
        size_t used = 0;
        long long dim = 0;
        try {
            dim = std::stoll(digits, &used);
        } catch (const std::exception&) {  // not a number, or beyond long long
            return std::nullopt;
        }
        if (used != digits.size() || dim == 0 || dim < -1) return std::nullopt;
        shape.push_back(dim);
    }
    if (shape.empty() || (!text.empty() && text.back() == ',')) return std::nullopt;
    return shape;
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
    } else if (graph.format == "tensorflow") {
        exportTensorflow(graph, modelPath, progress);
    } else {
        throw Error(modelPath + ": cannot write a model of format '" + graph.format + "'");
    }
}

}  // namespace qf

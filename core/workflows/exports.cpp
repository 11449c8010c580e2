#include "workflows/exports.h"

#include <filesystem>

#include "calibration/table_files.h"
#include "formats/model_io.h"
#include "formats/tensorflow/tf_quantized_weights.h"
#include "quantize/qdq_export.h"
#include "util/atomic_file.h"
#include "util/error.h"

namespace qf {
namespace {

bool endsWith(const std::string& text, const std::string& suffix) {
    return text.size() >= suffix.size() &&
           text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

const char* exportFormatName(ExportArtifact artifact) {
    switch (artifact) {
        case ExportArtifact::FoldedModel:
            return "model";
        case ExportArtifact::JsonTable:
            return "json";
        case ExportArtifact::NcnnTable:
            return "ncnn";
        case ExportArtifact::TensorRtCache:
            return "tensorrt";
        case ExportArtifact::QdqOnnx:
            return "onnx-qdq";
        case ExportArtifact::TfQuantizedWeights:
            return "tf-quantized-weights";
    }
    return "";
}

bool parseExportFormat(const std::string& name, ExportArtifact& artifact) {
    for (const ExportArtifact candidate : kExportArtifacts)
        if (name == exportFormatName(candidate)) {
            artifact = candidate;
            return true;
        }
    if (name == exportFormatName(ExportArtifact::TfQuantizedWeights)) {
        artifact = ExportArtifact::TfQuantizedWeights;
        return true;
    }
    return false;
}

bool needsTable(ExportArtifact artifact) {
    return artifact != ExportArtifact::FoldedModel &&
           artifact != ExportArtifact::TfQuantizedWeights;
}

std::string caffeWeightsPathFor(const std::string& prototxt) {
    const std::string suffix = ".prototxt";
    const std::string stem = prototxt.size() > suffix.size() && endsWith(prototxt, suffix)
                                 ? prototxt.substr(0, prototxt.size() - suffix.size())
                                 : prototxt;
    return stem + ".caffemodel";
}

std::vector<std::string> proposedExportNames(ExportArtifact artifact, const std::string& modelPath,
                                             const std::string& format) {
    const std::string stem = std::filesystem::path(modelPath).stem().string();
    switch (artifact) {
        case ExportArtifact::FoldedModel:
            if (format == "caffe") return {stem + "_folded.prototxt", stem + "_folded.caffemodel"};
            if (format == "tensorflow") return {stem + "_folded.pb"};
            return {stem + "_folded.onnx"};
        case ExportArtifact::JsonTable:
            return {stem + "_int8_table.json"};
        case ExportArtifact::NcnnTable:
            return {stem + "_int8.table"};
        case ExportArtifact::TensorRtCache:
            return {stem + "_int8.cache"};
        case ExportArtifact::QdqOnnx:
            return {stem + "_int8_qdq.onnx"};
        case ExportArtifact::TfQuantizedWeights:
            return {stem + "_quantized_weights.pb"};
    }
    return {};
}

std::vector<std::string> writeExport(ExportArtifact artifact, const ExportRequest& request,
                                     const std::string& path, const std::string& weightsPath,
                                     const Progress& progress) {
    if (!request.graph) throw Error("export: no model");
    const Graph& graph = *request.graph;
    if (needsTable(artifact) && !request.table)
        throw Error(path + ": a calibration table is needed for the " + exportFormatName(artifact) +
                    " export");
    if (artifact == ExportArtifact::FoldedModel) {
        const std::string weights = graph.format != "caffe" ? std::string()
                                    : weightsPath.empty()   ? caffeWeightsPathFor(path)
                                                            : weightsPath;
        saveModel(graph, path, weights, request.inputs, progress);
        return {};
    }
    if (artifact == ExportArtifact::TfQuantizedWeights) {
        if (graph.format != "tensorflow")
            throw Error(path + ": tf-quantized-weights needs a TensorFlow model (this one is " +
                        graph.format + ")");
        refuseToOverwriteInputs(path, request.inputs);
        exportTensorflowQuantizedWeights(graph, path, progress);
        return {};
    }
    refuseToOverwriteInputs(path, request.inputs);
    progress.throwIfCancelled();
    const CalibrationTable& table = *request.table;
    const Int8Options& options = request.options;
    switch (artifact) {
        case ExportArtifact::JsonTable:
            writeCalibrationTable(graph, table, TableFormat::Json, path, !options.perChannelWeights,
                                  options.keepFp32);
            return {};
        case ExportArtifact::NcnnTable:
            writeCalibrationTable(graph, table, TableFormat::Ncnn, path, !options.perChannelWeights,
                                  options.keepFp32);
            return {};
        case ExportArtifact::TensorRtCache:
            writeCalibrationTable(graph, table, TableFormat::TensorRt, path,
                                  !options.perChannelWeights, options.keepFp32);
            return {};
        case ExportArtifact::QdqOnnx:
            return exportQdqOnnx(graph, table, options, path, progress);
        case ExportArtifact::FoldedModel:
        case ExportArtifact::TfQuantizedWeights:
            break;
    }
    return {};
}

}  // namespace qf

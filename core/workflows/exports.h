#pragma once
// What QuantFold writes for deployment, one function per artefact, shared by the CLI (`fold`,
// `calibrate`, `export`) and the desktop app's export dialog so both write the same bytes:
// the folded model in the model's own format, the calibration table as JSON (every method,
// manual thresholds, per-tensor methods, bias corrections), as an ncnn /
// caffe-int8-convert-tools table or as a TensorRT calibration cache, and the int8 model as QDQ
// ONNX. Every write is atomic and refuses to write over the given inputs.
#include <string>
#include <vector>

#include "graph/graph.h"
#include "quantize/int8_plan.h"
#include "thresholds/calibration_table.h"
#include "util/progress.h"

namespace qf {

// TfQuantizedWeights (a TensorFlow model with eight-bit weights, as transform_graph
// quantize_weights writes it) applies to TensorFlow models only and is not one of the export
// dialog's kExportArtifacts.
enum class ExportArtifact {
    FoldedModel,
    JsonTable,
    NcnnTable,
    TensorRtCache,
    QdqOnnx,
    TfQuantizedWeights
};
constexpr ExportArtifact kExportArtifacts[] = {
    ExportArtifact::FoldedModel, ExportArtifact::JsonTable, ExportArtifact::NcnnTable,
    ExportArtifact::TensorRtCache, ExportArtifact::QdqOnnx};

// The CLI's --format names: model, json, ncnn, tensorrt, onnx-qdq, tf-quantized-weights.
const char* exportFormatName(ExportArtifact artifact);
bool parseExportFormat(const std::string& name, ExportArtifact& artifact);
// Whether the artefact needs a calibration table (all but the folded model and the quantized
// TensorFlow weights).
bool needsTable(ExportArtifact artifact);

// The file names proposed for a model file (its name without the extension as the stem):
// stem_folded.prototxt (+ .caffemodel) or stem_folded.onnx, stem_int8_table.json,
// stem_int8.table, stem_int8.cache, stem_int8_qdq.onnx. The Caffe weights of the folded model
// are the second entry, for the other artefacts the list holds one name.
std::vector<std::string> proposedExportNames(ExportArtifact artifact, const std::string& modelPath,
                                             const std::string& format);

// A .caffemodel beside a .prototxt output: the same path with the extension replaced.
std::string caffeWeightsPathFor(const std::string& prototxt);

struct ExportRequest {
    const Graph* graph = nullptr;             // the (folded) model the table was made for
    const CalibrationTable* table = nullptr;  // all artefacts but the folded model
    Int8Options options;                      // keeps, weight granularity, bias correction
    std::vector<std::string> inputs;          // files never written over
};

// Writes one artefact to `path` (and, for a Caffe folded model, `weightsPath`; "" puts it beside
// `path`). Returns the nodes quantized for QDQ ONNX, an empty list otherwise. Throws qf::Error
// naming the file on failure and Cancelled when `progress` is cancelled (the files are then
// left as they were). `progress` covers building and writing the model files (the tables are
// small and written at once).
std::vector<std::string> writeExport(ExportArtifact artifact, const ExportRequest& request,
                                     const std::string& path,
                                     const std::string& weightsPath = std::string(),
                                     const Progress& progress = {});

}  // namespace qf

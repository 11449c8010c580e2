#include "calibration/table_files.h"

#include <cmath>
#include <limits>
#include <set>

#include "calibration/table_json.h"
#include "calibration/table_ncnn.h"
#include "calibration/table_tensorrt.h"
#include "quantize/weight_quantization.h"
#include "util/atomic_file.h"
#include "util/error.h"

namespace qf {
namespace {

// A tensor known only by its threshold: a one-bin summary spanning [-T, T], so it counts as
// possibly negative and quantizes to the signed range.
TensorCalibration thresholdOnly(double threshold) {
    TensorCalibration calibration;
    calibration.histogram = AbsHistogram::fromParts({0.0}, threshold, -threshold, threshold);
    calibration.manualThreshold = threshold;
    return calibration;
}

}  // namespace

bool parseTableFormat(const std::string& name, TableFormat& format) {
    if (name == "json")
        format = TableFormat::Json;
    else if (name == "ncnn")
        format = TableFormat::Ncnn;
    else if (name == "tensorrt")
        format = TableFormat::TensorRt;
    else
        return false;
    return true;
}

void writeCalibrationTable(const Graph& graph, const CalibrationTable& table, TableFormat format,
                           const std::string& path, bool perTensorWeights,
                           const std::set<std::string>& keepFp32) {
    switch (format) {
        case TableFormat::Json:
            writeCalibrationJson(table, path);
            return;
        case TableFormat::TensorRt:
            writeTensorRtCache(table, path);
            return;
        case TableFormat::Ncnn: {
            std::map<std::string, std::vector<float>> weightScales;
            for (const Node* node : ncnnQuantizedLayers(graph))
                weightScales[node->name] = ncnnWeightScales(
                    quantizeWeights(*node, *graph.weight(node->input(1)), !perTensorWeights));
            writeNcnnTable(graph, table, weightScales, path, keepFp32);
            return;
        }
    }
}

LoadedTable readCalibrationTable(const std::string& path, const Graph& graph) {
    requireRegularFile(path);
    const std::string text = readFile(path);
    const size_t start = text.find_first_not_of(" \t\r\n");
    LoadedTable loaded;
    if (start != std::string::npos && text[start] == '{') {
        loaded.format = TableFormat::Json;
        loaded.table = parseCalibrationJson(text, path);
    } else if (text.compare(start == std::string::npos ? 0 : start, 4, "TRT-") == 0) {
        loaded.format = TableFormat::TensorRt;
        for (const auto& [tensor, threshold] : parseTensorRtCache(text, path, &graph).thresholds)
            loaded.table.tensors[tensor] = thresholdOnly(threshold);
    } else {
        loaded.format = TableFormat::Ncnn;
        for (const auto& [layer, scales] : parseNcnnTable(text, path, graph).layers) {
            if (scales.keepFp32) loaded.keepFp32.insert(layer);
            if (!scales.inputScale || *scales.inputScale <= 0.0f) continue;
            const Node& node = graph.nodes[static_cast<size_t>(graph.nodeIndex(layer))];
            loaded.table.tensors[node.input(0)] = thresholdOnly(127.0 / *scales.inputScale);
        }
    }
    // A scale is threshold / 127 or / 255 in float32: it must be a normal, finite float.
    constexpr double kLargest = std::numeric_limits<float>::max();
    const double smallest = 255.0 * std::numeric_limits<float>::min();
    std::set<std::string> tensors;
    for (const auto& input : graph.inputs) tensors.insert(input.name);
    for (const auto& node : graph.nodes) tensors.insert(node.outputs.begin(), node.outputs.end());
    size_t known = 0;
    for (const auto& entry : loaded.table.tensors) {
        const double threshold = entry.second.threshold();
        if (!std::isfinite(threshold) || threshold < smallest || threshold > kLargest)
            throw Error(Diagnostic{Severity::Error, path, 0, 0, "", entry.first,
                                   "unusable threshold " + std::to_string(threshold)},
                        path + ": tensor '" + entry.first + "' has an unusable threshold " +
                            std::to_string(threshold) + " (it must be a positive float32)");
        known += tensors.count(entry.first);
    }
    for (const auto& [node, correction] : loaded.table.biasCorrections)
        for (const float delta : correction.delta)
            if (!std::isfinite(delta))
                throw Error(
                    Diagnostic{Severity::Error, path, 0, 0, node, "",
                               "bias correction is not a finite number"},
                    path + ": the bias correction of '" + node + "' is not a finite number");
    // A table that names none of the model's tensors quantizes nothing: a comparison would
    // report int8 identical to FP32.
    if (known == 0)
        throw Error(path + ": the table names no tensor of this model (" +
                    (loaded.table.tensors.empty() ? std::string("it is empty")
                                                  : "is it the table of another model?") +
                    ")");
    return loaded;
}

}  // namespace qf

#pragma once
#include <set>
#include <string>

#include "thresholds/calibration_table.h"
#include "graph/graph.h"

namespace qf {

enum class TableFormat { Json, Ncnn, TensorRt };
bool parseTableFormat(const std::string& name, TableFormat& format);

// Writes the table in a format. ncnn's table also carries the weights' per-channel scales,
// computed here from the graph (per channel unless perTensorWeights).
void writeCalibrationTable(const Graph& graph, const CalibrationTable& table, TableFormat format,
                           const std::string& path, bool perTensorWeights = false,
                           const std::set<std::string>& keepFp32 = {});

// Reads a table of any of the formats (told apart by content) for this graph. ncnn and
// TensorRT files carry thresholds only: those become manual thresholds of tensors of unknown
// sign (int8, not uint8). Returns also the layers an ncnn table keeps in FP32.
struct LoadedTable {
    CalibrationTable table;
    TableFormat format = TableFormat::Json;
    std::set<std::string> keepFp32;
};
LoadedTable readCalibrationTable(const std::string& path, const Graph& graph);

}  // namespace qf

#pragma once
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "thresholds/calibration_table.h"
#include "graph/graph.h"

namespace qf {

// ncnn's int8 calibration table (ncnn2table, caffe-int8-convert-tools), read by ncnn2int8:
//
//   conv1_param_0 156.63984 124.033 0 ...   weights: 127 / max|w| per output channel, 0 for
//   conv2_param_0 ...                       an all-zero channel
//   conv1 49.418377                         input: 127 / threshold of the layer's input blob
//   #conv2 3.5                              '#' right before the name keeps the layer in FP32
//
// All weight lines come first, then the input lines, each in graph order. The layers are the
// Conv, ConvTranspose and Gemm nodes with constant weights, named by node name; ncnn takes any
// name containing "_param_" for a weight line, so a layer cannot be named so. Numbers are the
// shortest text that reads back to the same float32. A '#' followed by a space, or by a name
// that is not such a layer, starts a free comment.

struct NcnnLayerScales {
    std::vector<float> weightScales;  // per output channel; empty when the file has no weight line
    std::optional<float> inputScale;  // absent when the file has no input line
    // A line of the layer was commented out: ncnn quantizes a layer only with both lines active.
    bool keepFp32 = false;
};

struct NcnnTable {
    std::map<std::string, NcnnLayerScales> layers;  // node name -> scales
};

// The Conv / ConvTranspose / Gemm nodes with constant weights, in graph order.
std::vector<const Node*> ncnnQuantizedLayers(const Graph& graph);

// weightScales maps each of those layers to its per-output-channel scales (ncnnWeightScales of
// quantize/weight_quantization.h). Throws qf::Error naming the layer when its scales are
// missing, of the wrong count, negative or not finite, when its input has no calibration, or
// when its name cannot be written; and for a keepFp32 or weightScales name the graph lacks.
std::string ncnnTableText(const Graph& graph, const CalibrationTable& table,
                          const std::map<std::string, std::vector<float>>& weightScales,
                          const std::set<std::string>& keepFp32 = {});
void writeNcnnTable(const Graph& graph, const CalibrationTable& table,
                    const std::map<std::string, std::vector<float>>& weightScales,
                    const std::string& path, const std::set<std::string>& keepFp32 = {});

// Throws qf::Error "<file>:<line>: <problem>" for a layer that is not one of ncnnQuantizedLayers,
// a malformed, NaN, infinite or negative number (or a zero input scale), a weight count other
// than the layer's output channels, and a line given twice.
NcnnTable parseNcnnTable(const std::string& text, const std::string& fileName, const Graph& graph);
NcnnTable readNcnnTable(const std::string& path, const Graph& graph);

}  // namespace qf

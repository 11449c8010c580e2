#pragma once
#include <string>

#include "graph/graph.h"
#include "quantize/int8_plan.h"
#include "thresholds/calibration_table.h"
#include "util/progress.h"

namespace qf {

// Writes the model as ONNX opset 13 in QDQ form: each quantized Conv / ConvTranspose / Gemm
// reads its input through QuantizeLinear -> DequantizeLinear (zero point 0; uint8 for tensors
// calibration saw never negative, int8 otherwise) and its weights as int8 initializers through
// DequantizeLinear with per-channel scales (`axis`); Add / Concat inputs get the same pairs, as
// the int8 runtime rescales them. Works for models from any input format. Atomic write.
// Returns the names of the nodes quantized. Writes what the plan says (quantizations, applied
// bias corrections) without building any int8 layer. `progress` covers quantizing the weights
// and writing the file; a cancelled export leaves the old file as it was.
std::vector<std::string> exportQdqOnnx(const Graph& graph, const Int8Plan& plan,
                                       const std::string& path, const Progress& progress = {});
// The same for planInt8(graph, table, options).
std::vector<std::string> exportQdqOnnx(const Graph& graph, const CalibrationTable& table,
                                       const Int8Options& options, const std::string& path,
                                       const Progress& progress = {});

}  // namespace qf

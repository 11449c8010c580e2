#pragma once
#include <map>
#include <string>
#include <vector>

#include "thresholds/calibration_table.h"
#include "graph/graph.h"
#include "quantize/int8_model.h"
#include "util/progress.h"

namespace qf {

// Empirical bias correction (Nagel et al. 2019): rounding weights and clipping inputs shift
// each output channel's mean. Runs each quantized layer alone in int8 on the FP32 inputs it
// sees for `inputs` (model inputs, e.g. calibration images) and measures, per output channel,
// the mean of FP32 output minus int8 output; the int8 runtime adds it to the bias. Matters
// most for depthwise layers, whose few weights per channel round coarsely.
std::map<std::string, BiasCorrection> measureBiasCorrections(const Graph& graph,
                                                             const CalibrationTable& table,
                                                             const Int8Options& options,
                                                             const std::vector<Tensor>& inputs,
                                                             const Progress& progress = {});

}  // namespace qf

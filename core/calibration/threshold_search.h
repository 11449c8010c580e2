#pragma once
#include <cstddef>
#include <vector>

#include "graph/graph.h"
#include "graph/tensor.h"
#include "quantize/int8_plan.h"
#include "thresholds/calibration_table.h"
#include "util/progress.h"

namespace qf {

struct ThresholdSearchOptions {
    // Geometric steps between the smallest and the largest of the methods' thresholds, besides
    // the methods' own choices.
    int gridSteps = 6;
    // The FP32 inputs and outputs of the int8 layers kept for the search: images past this are
    // not used (at least one always is).
    size_t memoryBudgetBytes = size_t{512} << 20;
    // Output values of a layer that judge a candidate: a layer with large outputs (the first
    // layers of a big input) runs on fewer images, so the search time stays close to a few
    // int8 passes over the images.
    int64_t valuesPerLayer = int64_t{1} << 19;
};

// The auto method: for every tensor an int8 layer reads, tries each method's threshold and a
// grid between them, runs the consuming int8 layers alone on their FP32 inputs of `images`
// (model inputs) and keeps the threshold whose int8 outputs stray least from FP32 (the sum of
// the consumers' noise-to-signal ratios, each channel's mean error removed as bias correction
// would). The errors of every candidate go into TensorCalibration::candidates. Tensors no int8
// layer reads get the min-max threshold (what element-wise ops use by default). Requires
// thresholds computed for every histogram method; sets thresholds[Auto] of every tensor.
void searchThresholds(const Graph& graph, CalibrationTable& table, const Int8Options& options,
                      const std::vector<Tensor>& images, const ThresholdSearchOptions& search = {},
                      const Progress& progress = {});

}  // namespace qf

#pragma once
#include <set>
#include <string>

#include "graph/graph.h"
#include "images/image_folder.h"
#include "images/preprocessing.h"
#include "quantize/bias_correction.h"
#include "thresholds/calibration_table.h"
#include "util/progress.h"

namespace qf {

struct CalibrationOptions {
    Preprocessing pre;
    int maxImages = 0;  // 0: all
    ThresholdMethod method = ThresholdMethod::Auto;
    ThresholdOptions thresholds;
    // Images (spread over the images calibration visits) on which bias corrections are measured for
    // the selected method; 0 measures none. Weights as perChannelWeights.
    int biasCorrectionImages = kDefaultBiasCorrectionImages;
    // Images (spread likewise) the auto method's threshold search runs int8 layers on.
    int searchImages = 32;
    bool perChannelWeights = true;
};

// The activation tensors int8 inference quantizes: inputs of Conv / ConvTranspose / Gemm and of
// element-wise Add / Sum / Eltwise / Concat. Calibration observes these alone.
std::set<std::string> quantizedInputs(const Graph& graph);

// Runs the FP32 model over the images one at a time, collecting the histogram of every tensor
// quantizedInputs() names, then computes every method's thresholds
// (and with method Auto, searches each int8 layer input's threshold: searchThresholds) and
// measures bias corrections for the selected one.
// Throws qf::Error when no image could be read, qf::Cancelled when cancelled.
CalibrationTable calibrate(const Graph& graph, const ImageFolder& folder,
                           const CalibrationOptions& options, const Progress& progress = {});

}  // namespace qf

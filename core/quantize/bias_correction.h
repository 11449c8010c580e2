#pragma once
#include <map>
#include <string>
#include <vector>

#include "graph/graph.h"
#include "quantize/int8_model.h"
#include "thresholds/calibration_table.h"
#include "util/progress.h"

namespace qf {

// Images bias corrections are measured on by default, spread over the calibration images: a
// mean shift per channel is estimated from all classes of a folder, and more images than the
// threshold search's 32 steady the estimate of each channel's mean.
constexpr int kDefaultBiasCorrectionImages = 64;

// One layer's measurement, image by image: the sum over every output element of FP32 output
// minus int8 output, per channel. An image whose int8 output has another shape, or an output of
// rank < 2, is skipped.
class BiasMeasurement {
public:
    void add(const Tensor& fp32Output, const Tensor& int8Output);
    bool measured() const { return measured_; }
    BiasCorrection result(double inputThreshold, bool perChannelWeights) const;

private:
    std::vector<double> sum_;
    double count_ = 0.0;
    bool measured_ = false;
};

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

#pragma once
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "thresholds/histogram.h"
#include "thresholds/threshold_methods.h"

namespace qf {

// One threshold the auto method tried for a tensor, and the error it caused in the int8 layers
// reading the tensor (their outputs against FP32, as a signal-to-quantization-noise ratio).
struct ThresholdCandidate {
    double threshold = 0.0;
    double sqnrDb = 0.0;
};

// What calibration learned about one activation tensor, and the threshold in use.
struct TensorCalibration {
    AbsHistogram histogram;
    std::map<ThresholdMethod, double> thresholds;  // every method, so they can be compared
    ThresholdMethod method = ThresholdMethod::Kl;
    std::optional<double> manualThreshold;  // set by hand (the GUI's dragged line) wins
    // What the auto method tried, ascending by threshold (empty when it did not run, or when no
    // int8 layer reads the tensor).
    std::vector<ThresholdCandidate> candidates;

    bool nonNegative() const { return histogram.min() >= 0.0; }
    double threshold() const;
};

// Per-channel bias corrections of one quantized layer (the mean FP32-minus-int8 error of its
// output on calibration images), valid for the input threshold and weight granularity they
// were measured with; a runtime that quantizes the layer differently ignores them.
struct BiasCorrection {
    double inputThreshold = 0.0;
    bool perChannelWeights = true;
    std::vector<float> delta;
};

struct CalibrationTable {
    std::map<std::string, TensorCalibration> tensors;
    std::map<std::string, BiasCorrection> biasCorrections;  // node name -> correction
    int images = 0;
    ThresholdOptions options;
    // Calibrated on a cross-layer-equalized graph (passes/equalize.h): its thresholds describe
    // that graph's tensors, so it must be used on an equalized graph only.
    bool equalized = false;

    // Computes every method's threshold for every tensor and selects `method`.
    void computeThresholds(ThresholdMethod method, const ThresholdOptions& thresholdOptions = {});
    void selectMethod(ThresholdMethod method);
    const TensorCalibration* find(const std::string& tensor) const;
};

}  // namespace qf

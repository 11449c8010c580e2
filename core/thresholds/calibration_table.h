#pragma once
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "thresholds/histogram.h"
#include "thresholds/threshold_methods.h"

namespace qf {

// What calibration learned about one activation tensor, and the threshold in use.
struct TensorCalibration {
    AbsHistogram histogram;
    std::map<ThresholdMethod, double> thresholds;  // every method, so they can be compared
    ThresholdMethod method = ThresholdMethod::Kl;
    std::optional<double> manualThreshold;  // set by hand (the GUI's dragged line) wins

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

    // Computes every method's threshold for every tensor and selects `method`.
    void computeThresholds(ThresholdMethod method, const ThresholdOptions& thresholdOptions = {});
    void selectMethod(ThresholdMethod method);
    const TensorCalibration* find(const std::string& tensor) const;
};

}  // namespace qf

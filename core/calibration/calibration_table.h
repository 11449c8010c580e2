#pragma once
#include <map>
#include <optional>
#include <string>

#include "calibration/histogram.h"
#include "calibration/threshold_methods.h"

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

struct CalibrationTable {
    std::map<std::string, TensorCalibration> tensors;
    int images = 0;
    ThresholdOptions options;

    // Computes every method's threshold for every tensor and selects `method`.
    void computeThresholds(ThresholdMethod method, const ThresholdOptions& thresholdOptions = {});
    void selectMethod(ThresholdMethod method);
    const TensorCalibration* find(const std::string& tensor) const;
};

}  // namespace qf

#include "thresholds/calibration_table.h"

namespace qf {

double TensorCalibration::threshold() const {
    if (manualThreshold) return *manualThreshold;
    const auto it = thresholds.find(method);
    return it != thresholds.end() ? it->second : computeThreshold(histogram, method);
}

void CalibrationTable::computeThresholds(ThresholdMethod method,
                                         const ThresholdOptions& thresholdOptions) {
    options = thresholdOptions;
    for (auto& entry : tensors) {
        TensorCalibration& tensor = entry.second;
        ThresholdOptions perTensor = options;
        perTensor.levels = tensor.nonNegative() ? 255 : 127;
        for (const auto candidate : allThresholdMethods())
            tensor.thresholds[candidate] = computeThreshold(tensor.histogram, candidate, perTensor);
        tensor.method = method;
    }
}

void CalibrationTable::selectMethod(ThresholdMethod method) {
    for (auto& entry : tensors) entry.second.method = method;
}

const TensorCalibration* CalibrationTable::find(const std::string& tensor) const {
    const auto it = tensors.find(tensor);
    return it == tensors.end() ? nullptr : &it->second;
}

}  // namespace qf

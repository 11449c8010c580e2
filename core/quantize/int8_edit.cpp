#include "quantize/int8_edit.h"

#include <cmath>
#include <sstream>

#include "util/error.h"

namespace qf {

Int8Edit Int8Edit::setManualThreshold(const std::string& tensor, std::optional<double> threshold) {
    Int8Edit edit(Kind::ManualThreshold, tensor);
    edit.threshold_ = threshold;
    return edit;
}

Int8Edit Int8Edit::setMethod(const std::string& tensor, ThresholdMethod method) {
    Int8Edit edit(Kind::Method, tensor);
    edit.method_ = method;
    return edit;
}

Int8Edit Int8Edit::setKeepFp32(const std::string& node, bool keep) {
    Int8Edit edit(Kind::KeepFp32, node);
    edit.keep_ = keep;
    return edit;
}

Int8Edit Int8Edit::setKeepSet(std::set<std::string> nodes, const std::string& what) {
    Int8Edit edit(Kind::KeepSet, std::string());
    edit.keepSet_ = std::move(nodes);
    edit.what_ = what;
    return edit;
}

namespace {

TensorCalibration& calibrationOf(CalibrationTable& table, const std::string& tensor) {
    const auto it = table.tensors.find(tensor);
    if (it == table.tensors.end())
        throw Error("the calibration table has no tensor '" + tensor + "'");
    return it->second;
}

}  // namespace

Int8Edit Int8Edit::apply(CalibrationTable& table, Int8Options& options) const {
    switch (kind_) {
        case Kind::ManualThreshold: {
            TensorCalibration& calibration = calibrationOf(table, target_);
            if (threshold_ && !(std::isfinite(*threshold_) && *threshold_ > 0.0)) {
                std::ostringstream text;
                text << "tensor '" << target_ << "': a threshold must be positive and finite, not "
                     << *threshold_;
                throw Error(text.str());
            }
            Int8Edit inverse = setManualThreshold(target_, calibration.manualThreshold);
            calibration.manualThreshold = threshold_;
            return inverse;
        }
        case Kind::Method: {
            TensorCalibration& calibration = calibrationOf(table, target_);
            Int8Edit inverse = setMethod(target_, calibration.method);
            calibration.method = method_;
            return inverse;
        }
        case Kind::KeepFp32: {
            Int8Edit inverse = setKeepFp32(target_, options.keepFp32.count(target_) != 0);
            if (keep_)
                options.keepFp32.insert(target_);
            else
                options.keepFp32.erase(target_);
            return inverse;
        }
        case Kind::KeepSet: {
            Int8Edit inverse = setKeepSet(options.keepFp32, what_);
            options.keepFp32 = keepSet_;
            return inverse;
        }
    }
    throw Error("unknown int8 edit");
}

Int8Edit Int8Edit::apply(const Graph& graph, CalibrationTable& table, Int8Options& options) const {
    if (kind_ == Kind::KeepFp32 && graph.nodeIndex(target_) < 0)
        throw Error("the model has no node '" + target_ + "'");
    if (kind_ == Kind::KeepSet)
        for (const std::string& node : keepSet_)
            if (graph.nodeIndex(node) < 0) throw Error("the model has no node '" + node + "'");
    return apply(table, options);
}

std::string Int8Edit::description() const {
    std::ostringstream text;
    switch (kind_) {
        case Kind::ManualThreshold:
            if (threshold_)
                text << "set the threshold of '" << target_ << "' to " << *threshold_;
            else
                text << "clear the manual threshold of '" << target_ << "'";
            break;
        case Kind::Method:
            text << "use " << methodName(method_) << " for '" << target_ << "'";
            break;
        case Kind::KeepFp32:
            text << (keep_ ? "keep '" : "quantize '") << target_ << (keep_ ? "' in FP32" : "'");
            break;
        case Kind::KeepSet:
            text << what_ << " (" << keepSet_.size() << " layer"
                 << (keepSet_.size() == 1 ? "" : "s") << " in FP32)";
            break;
    }
    return text.str();
}

}  // namespace qf

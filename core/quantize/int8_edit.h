#pragma once
// Edits of the int8 set-up (the calibration table and the FP32 keep set) that return their
// inverse, for the GUI's undo stack: applying an edit performs it and returns the edit that
// undoes it, so an undo command stores one edit and swaps it on each undo / redo.
//
// The keep set lives in Int8Options (how to run), not in the CalibrationTable (what calibration
// measured), so an edit applies to both together.
#include <optional>
#include <set>
#include <string>

#include "graph/graph.h"
#include "quantize/int8_plan.h"
#include "thresholds/calibration_table.h"

namespace qf {

class Int8Edit {
public:
    enum class Kind { ManualThreshold, Method, KeepFp32, KeepSet };

    // A tensor's threshold set by hand (wins over every method), or cleared (nullopt).
    static Int8Edit setManualThreshold(const std::string& tensor, std::optional<double> threshold);
    static Int8Edit clearManualThreshold(const std::string& tensor) {
        return setManualThreshold(tensor, std::nullopt);
    }
    // The method whose threshold a tensor uses.
    static Int8Edit setMethod(const std::string& tensor, ThresholdMethod method);
    // A node kept in FP32, or not.
    static Int8Edit setKeepFp32(const std::string& node, bool keep);
    // The whole FP32 keep set replaced at once (a budget search's result: one undo step).
    // `what` names it for the undo menu ("apply the budget's keep set").
    static Int8Edit setKeepSet(std::set<std::string> nodes, const std::string& what);

    // Performs the edit and returns the one that undoes it. Throws qf::Error (table and options
    // unchanged) when the table has no such tensor or a threshold is not positive and finite.
    Int8Edit apply(CalibrationTable& table, Int8Options& options) const;
    // The same edit checked against a graph first: throws when it names no node of it.
    Int8Edit apply(const Graph& graph, CalibrationTable& table, Int8Options& options) const;

    Kind kind() const { return kind_; }
    const std::string& target() const {
        return target_;
    }  // the tensor or node edited; "" for KeepSet
    // "set the threshold of 'x' to 3.2", for an undo menu.
    std::string description() const;
    // Whether a later edit of the same kind and target can replace this one (a dragged
    // threshold: one undo step per drag).
    bool mergesWith(const Int8Edit& later) const {
        return kind_ == later.kind_ && kind_ != Kind::KeepSet && target_ == later.target_;
    }

private:
    Int8Edit(Kind kind, std::string target) : kind_(kind), target_(std::move(target)) {}

    Kind kind_;
    std::string target_;
    std::optional<double> threshold_;
    ThresholdMethod method_ = ThresholdMethod::Kl;
    bool keep_ = false;
    std::set<std::string> keepSet_;
    std::string what_;  // KeepSet: what the set is, for description()
};

}  // namespace qf

#pragma once
#include <algorithm>
#include <string>

#include "evaluate/error_metrics.h"
#include "evaluate/int8_comparison.h"
#include "evaluate/top_k.h"
#include "graph/graph.h"
#include "graph/tensor.h"
#include "util/error.h"

namespace qf {

// The arithmetic compareInt8 and the comparison session share, so the session's numbers are
// compareInt8's numbers bit for bit.
inline int argmax(const Tensor& t) {
    return t.f.empty() ? -1
                       : static_cast<int>(std::max_element(t.f.begin(), t.f.end()) - t.f.begin());
}

inline void accumulate(ErrorAccumulator& accumulator, const Tensor& reference, const Tensor& test,
                       const std::string& what) {
    if (reference.shape != test.shape)
        throw Error(what + ": shape " + shapeToString(test.shape) + " differs from FP32's " +
                    shapeToString(reference.shape));
    accumulator.add(reference.f.data(), test.f.data(), reference.numel());
}

// A classifier's top classes on one image, FP32 against int8 (nothing for other models).
inline void addImageTopK(Int8ComparisonReport& report, const Graph& graph, const std::string& path,
                         int label, const Tensor& fp32, const Tensor& int8) {
    if (graph.outputs.size() != 1 || !isClassVector(fp32.shape)) return;
    report.imageTopK.push_back(
        {path, label, topClasses(fp32.f, kImageTopK), topClasses(int8.f, kImageTopK)});
}

}  // namespace qf

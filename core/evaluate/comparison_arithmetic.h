#pragma once
#include <algorithm>
#include <string>

#include "evaluate/error_metrics.h"
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

}  // namespace qf

#pragma once
// What the executor keeps for each Conv node with constant weights: the weights as the Winograd
// (winograd.h) and direct 3×3 (direct3x3.h) paths read them, each made at the node's first run
// that takes that path. Runs on several threads share one cache.
#include <mutex>

#include "runtime/kernels/direct3x3.h"
#include "runtime/kernels/winograd.h"

namespace qf::kernels {

struct ConvCache {
    std::once_flag winogradOnce;
    WinogradWeights winograd;
    std::once_flag directOnce;
    Direct3x3Weights direct;
};

}  // namespace qf::kernels

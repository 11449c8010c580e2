#pragma once
// Numpy multidirectional broadcasting for binary elementwise kernels.
//
// The two operands are described by a plan that drops size-1 output axes and merges neighbouring
// axes that broadcast the same way, so the common CNN cases reduce to one or two loops: same
// shape is one contiguous run, a per-channel operand ([1, C, 1, 1] against [N, C, H, W]) is
// rows of H*W elements against one scalar each.
#include <algorithm>
#include <cstdint>
#include <vector>

#include "graph/tensor.h"
#include "runtime/parallel.h"

namespace qf::kernels {

// The broadcast shape of a and b, or false when some axis has two different sizes, neither 1.
inline bool broadcastShape(const Shape& a, const Shape& b, Shape& out) {
    const size_t rank = std::max(a.size(), b.size());
    out.assign(rank, 1);
    for (size_t k = 0; k < rank; ++k) {
        const int64_t da = k < rank - a.size() ? 1 : a[k - (rank - a.size())];
        const int64_t db = k < rank - b.size() ? 1 : b[k - (rank - b.size())];
        if (da != db && da != 1 && db != 1) return false;
        out[k] = da == 1 ? db : da;
    }
    return true;
}

struct BroadcastPlan {
    // Merged output axes except the innermost one, with each operand's stride along them
    // (0 where it broadcasts).
    std::vector<int64_t> outerDims, aStrides, bStrides;
    int64_t rows = 1;                   // product of outerDims
    int64_t inner = 1;                  // length of the innermost merged axis
    bool aInner = true, bInner = true;  // the operand advances along the innermost axis
};

// `out` must be broadcastShape(a, b).
inline BroadcastPlan planBroadcast(const Shape& a, const Shape& b, const Shape& out) {
    const size_t rank = out.size();
    struct Axis {
        int64_t size;
        bool aMoves, bMoves;
    };
    std::vector<Axis> axes;
    for (size_t k = 0; k < rank; ++k) {
        if (out[k] == 1) continue;
        const bool aMoves = k >= rank - a.size() && a[k - (rank - a.size())] != 1;
        const bool bMoves = k >= rank - b.size() && b[k - (rank - b.size())] != 1;
        if (!axes.empty() && axes.back().aMoves == aMoves && axes.back().bMoves == bMoves)
            axes.back().size *= out[k];
        else
            axes.push_back({out[k], aMoves, bMoves});
    }
    if (axes.empty()) axes.push_back({1, true, true});

    BroadcastPlan plan;
    plan.inner = axes.back().size;
    plan.aInner = axes.back().aMoves;
    plan.bInner = axes.back().bMoves;
    int64_t aStride = plan.aInner ? plan.inner : 1, bStride = plan.bInner ? plan.inner : 1;
    const size_t outer = axes.size() - 1;
    plan.outerDims.resize(outer);
    plan.aStrides.resize(outer);
    plan.bStrides.resize(outer);
    for (size_t k = outer; k-- > 0;) {
        plan.outerDims[k] = axes[k].size;
        plan.aStrides[k] = axes[k].aMoves ? aStride : 0;
        plan.bStrides[k] = axes[k].bMoves ? bStride : 0;
        if (axes[k].aMoves) aStride *= axes[k].size;
        if (axes[k].bMoves) bStride *= axes[k].size;
        plan.rows *= axes[k].size;
    }
    return plan;
}

// One innermost run: n results of op over operands that each advance or stay put.
template <typename T, typename R, typename Op>
inline void broadcastRun(const T* a, bool aMoves, const T* b, bool bMoves, R* out, int64_t n,
                         Op op) {
    if (aMoves && bMoves) {
        for (int64_t j = 0; j < n; ++j) out[j] = op(a[j], b[j]);
    } else if (aMoves) {
        const T bv = *b;
        for (int64_t j = 0; j < n; ++j) out[j] = op(a[j], bv);
    } else if (bMoves) {
        const T av = *a;
        for (int64_t j = 0; j < n; ++j) out[j] = op(av, b[j]);
    } else {
        std::fill(out, out + n, op(*a, *b));
    }
}

// out[i] = op(a[.], b[.]) over the plan's output, row-major; out holds rows * inner elements.
template <typename T, typename R, typename Op>
void broadcastApply(const BroadcastPlan& plan, const T* a, const T* b, R* out, Op op) {
    constexpr int64_t kParallelMin = 1 << 16;
    const int64_t total = plan.rows * plan.inner;
    if (plan.rows == 1) {
        // One long run: split it across threads instead of rows.
        constexpr int64_t kChunk = 1 << 14;
        const int64_t chunks = (plan.inner + kChunk - 1) / kChunk;
        parallelFor(chunks, total >= kParallelMin, [&](int64_t cBegin, int64_t cEnd) {
            for (int64_t c = cBegin; c < cEnd; ++c) {
                const int64_t begin = c * kChunk, n = std::min(kChunk, plan.inner - begin);
                broadcastRun(a + (plan.aInner ? begin : 0), plan.aInner,
                             b + (plan.bInner ? begin : 0), plan.bInner, out + begin, n, op);
            }
        });
        return;
    }
    const size_t outer = plan.outerDims.size();
    parallelFor(plan.rows, total >= kParallelMin, [&](int64_t rowBegin, int64_t rowEnd) {
        for (int64_t row = rowBegin; row < rowEnd; ++row) {
            int64_t rest = row, aOffset = 0, bOffset = 0;
            for (size_t k = outer; k-- > 0;) {
                const int64_t index = rest % plan.outerDims[k];
                rest /= plan.outerDims[k];
                aOffset += index * plan.aStrides[k];
                bOffset += index * plan.bStrides[k];
            }
            broadcastRun(a + aOffset, plan.aInner, b + bOffset, plan.bInner, out + row * plan.inner,
                         plan.inner, op);
        }
    });
}

}  // namespace qf::kernels

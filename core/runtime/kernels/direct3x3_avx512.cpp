// The AVX-512 tile of direct3x3.h: 8 output channels × 32 columns in 16 zmm accumulators; per
// input channel and tap, two unaligned loads from the padded row serve 8 channels, each weight
// broadcast 2 FMAs. Compiled with -mavx512f -mfma.
#include <immintrin.h>

#include "runtime/kernels/direct3x3_tile.h"

namespace qf::kernels {
namespace {

constexpr int kLanes = 16;

__mmask16 columnMask(int64_t count) {
    if (count >= kLanes) return 0xFFFF;
    return count <= 0 ? 0 : static_cast<__mmask16>((1u << count) - 1);
}

}  // namespace

void direct3x3RowAvx512(const DirectRowTask& task) {
    // Where the second vector's inputs start, relative to the first's.
    const int64_t secondOffset = task.twoRows ? task.paddedW : kLanes;
    for (int64_t x0 = 0; x0 < task.outW; x0 += kDirectCols) {
        __m512 acc[kDirectRows][2];
#pragma GCC unroll 8
        for (int r = 0; r < kDirectRows; ++r) {
            const __m512 start =
                _mm512_set1_ps(task.bias && r < task.validRows ? task.bias[r] : 0.0f);
            acc[r][0] = start;
            acc[r][1] = start;
        }
        for (int64_t ic = 0; ic < task.inC; ++ic) {
            const float* rows = task.padded + ic * task.plane + x0;
            const float* w = task.weights + ic * 9 * kDirectRows;
            for (int ky = 0; ky < 3; ++ky) {
                const float* row = rows + ky * task.paddedW;
#pragma GCC unroll 3
                for (int kx = 0; kx < 3; ++kx) {
                    const __m512 v0 = _mm512_loadu_ps(row + kx);
                    const __m512 v1 = _mm512_loadu_ps(row + kx + secondOffset);
                    const float* tap = w + (ky * 3 + kx) * kDirectRows;
#pragma GCC unroll 8
                    for (int r = 0; r < kDirectRows; ++r) {
                        const __m512 weight = _mm512_set1_ps(tap[r]);
                        acc[r][0] = _mm512_fmadd_ps(weight, v0, acc[r][0]);
                        acc[r][1] = _mm512_fmadd_ps(weight, v1, acc[r][1]);
                    }
                }
            }
        }
        const __mmask16 low = columnMask(task.outW - x0);
        const __mmask16 high =
            task.twoRows ? (task.secondRowValid ? low : 0) : columnMask(task.outW - x0 - kLanes);
        const int64_t second = task.twoRows ? task.outW : kLanes;
#pragma GCC unroll 8
        for (int r = 0; r < kDirectRows; ++r) {
            if (r >= task.validRows) break;
            float* out = task.out + r * task.outPlane + x0;
            _mm512_mask_storeu_ps(out, low, acc[r][0]);
            _mm512_mask_storeu_ps(out + second, high, acc[r][1]);
        }
    }
}

}  // namespace qf::kernels

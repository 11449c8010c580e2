// AVX2 kernel, exact. vpmaddubsw is not used: it sums two uint8 x int8 products into a
// saturating int16, and 2 * 255 * 127 > 32767. Instead the k-quad bytes are split into their
// even and odd k, zero-extended (B) or sign-extended (A) to int16 in place, and vpmaddwd sums
// pairs of those exact int16 products into int32: B's 4 bytes k0..k3 give (k0, k2) and (k1, k3).
// A tile is 4 rows x 16 columns (8 on a narrow tail panel), 8 accumulators.
// Compiled with -mavx2 -mfma; see int8_gemm.h for what this file may use.
#include <immintrin.h>

#include <cstring>

#include "quantize/int8_gemm.h"

namespace qf::int8_detail {
namespace {

constexpr int kLanes = 8;  // int32 per ymm
constexpr int kTileRows = 4;

void storeColumns(int32_t* c, __m256i sums, int64_t count) {
    if (count >= kLanes) {
        _mm256_storeu_si256(reinterpret_cast<__m256i*>(c), sums);
    } else if (count > 0) {
        const __m256i mask = _mm256_cmpgt_epi32(_mm256_set1_epi32(static_cast<int>(count)),
                                                _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
        _mm256_maskstore_epi32(c, mask, sums);
    }
}

// `weights` is one packed row panel, of which rows firstRow .. firstRow + 3 are computed;
// `columns` is a packed B panel of Vectors * 8 columns.
template <int Vectors>
void tile(const int8_t* weights, int64_t firstRow, const uint8_t* columns, int64_t quads,
          int64_t validRows, int64_t validCols, int32_t* c, int64_t ldc) {
    const __m256i lowBytes = _mm256_set1_epi16(0x00FF);
    // Only constant indices into acc, in fully unrolled loops, so that GCC keeps it in registers.
    __m256i acc[kTileRows][Vectors];
#pragma GCC unroll 4
    for (int r = 0; r < kTileRows; ++r)
#pragma GCC unroll 2
        for (int v = 0; v < Vectors; ++v) acc[r][v] = _mm256_setzero_si256();
    for (int64_t q = 0; q < quads; ++q) {
        __m256i bEven[Vectors], bOdd[Vectors];
#pragma GCC unroll 2
        for (int v = 0; v < Vectors; ++v) {
            const __m256i b = _mm256_load_si256(
                reinterpret_cast<const __m256i*>(columns + (q * Vectors + v) * kLanes * kQuad));
            bEven[v] = _mm256_and_si256(b, lowBytes);
            bOdd[v] = _mm256_srli_epi16(b, 8);
        }
        const int8_t* quadWeights = weights + (q * kPanelRows + firstRow) * kQuad;
#pragma GCC unroll 4
        for (int r = 0; r < kTileRows; ++r) {
            int32_t quad;
            std::memcpy(&quad, quadWeights + r * kQuad, sizeof quad);
            const __m256i a = _mm256_set1_epi32(quad);
            const __m256i aEven = _mm256_srai_epi16(_mm256_slli_epi16(a, 8), 8);
            const __m256i aOdd = _mm256_srai_epi16(a, 8);
#pragma GCC unroll 2
            for (int v = 0; v < Vectors; ++v) {
                const __m256i products = _mm256_add_epi32(_mm256_madd_epi16(bEven[v], aEven),
                                                          _mm256_madd_epi16(bOdd[v], aOdd));
                acc[r][v] = _mm256_add_epi32(acc[r][v], products);
            }
        }
    }
    alignas(32) int32_t sums[kTileRows][Vectors * kLanes];
#pragma GCC unroll 4
    for (int r = 0; r < kTileRows; ++r)
#pragma GCC unroll 2
        for (int v = 0; v < Vectors; ++v)
            _mm256_store_si256(reinterpret_cast<__m256i*>(sums[r] + v * kLanes), acc[r][v]);
    for (int64_t r = 0; r < validRows; ++r)
        for (int v = 0; v < Vectors; ++v)
            storeColumns(c + r * ldc + v * kLanes,
                         _mm256_load_si256(reinterpret_cast<const __m256i*>(sums[r] + v * kLanes)),
                         validCols - v * kLanes);
}

}  // namespace

void runPanelAvx2(const PanelTask& task) {
    const int64_t panelBytes = task.quads * kPanelRows * kQuad;
    const int8_t* weights = task.weights + task.rowBegin / kPanelRows * panelBytes;
    for (int64_t row = task.rowBegin; row < task.rowEnd; row += kPanelRows, weights += panelBytes) {
        for (int64_t firstRow = 0; firstRow < kPanelRows && row + firstRow < task.rowEnd;
             firstRow += kTileRows) {
            const int64_t left = task.rowEnd - row - firstRow;
            const int64_t validRows = left < kTileRows ? left : kTileRows;
            int32_t* c = task.c + (row + firstRow - task.rowBegin) * task.ldc;
            if (task.width == 2 * kLanes)
                tile<2>(weights, firstRow, task.columns, task.quads, validRows, task.validCols, c,
                        task.ldc);
            else
                tile<1>(weights, firstRow, task.columns, task.quads, validRows, task.validCols, c,
                        task.ldc);
        }
    }
}

}  // namespace qf::int8_detail

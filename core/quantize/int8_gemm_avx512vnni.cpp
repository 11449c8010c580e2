// AVX-512 VNNI kernel. vpdpbusd multiplies 4 uint8 of B by 4 int8 of A and adds the 4 products
// to an int32 lane without intermediate saturation, so the result is exact. A tile is 8 rows x
// 32 columns (16 on a narrow tail panel): 16 accumulators hide the instruction's latency and
// each B load is reused by 8 rows, each weight broadcast by 2 vectors.
// Compiled with -mavx512f -mavx512bw -mavx512vl -mavx512vnni; see int8_gemm.h for what this
// file may use.
#include <immintrin.h>

#include <cstring>

#include "quantize/int8_gemm.h"

namespace qf::int8_detail {
namespace {

constexpr int kLanes = 16;  // int32 per zmm

__mmask16 columnMask(int64_t count) {
    if (count >= kLanes) return 0xFFFF;
    return count <= 0 ? 0 : static_cast<__mmask16>((1u << count) - 1);
}

// `weights` is one packed row panel, `columns` a packed B panel of Vectors * 16 columns.
template <int Vectors>
void tile(const int8_t* weights, const uint8_t* columns, int64_t quads, int64_t validRows,
          int64_t validCols, int32_t* c, int64_t ldc) {
    // Only constant indices into acc, in fully unrolled loops, so that GCC keeps it in registers.
    __m512i acc[kPanelRows][Vectors];
#pragma GCC unroll 8
    for (int r = 0; r < kPanelRows; ++r)
#pragma GCC unroll 2
        for (int v = 0; v < Vectors; ++v) acc[r][v] = _mm512_setzero_si512();
    for (int64_t q = 0; q < quads; ++q) {
        __m512i b[Vectors];
#pragma GCC unroll 2
        for (int v = 0; v < Vectors; ++v)
            b[v] = _mm512_load_si512(columns + (q * Vectors + v) * kLanes * kQuad);
        const int8_t* quadWeights = weights + q * kPanelRows * kQuad;
#pragma GCC unroll 8
        for (int r = 0; r < kPanelRows; ++r) {
            int32_t quad;
            std::memcpy(&quad, quadWeights + r * kQuad, sizeof quad);
            const __m512i a = _mm512_set1_epi32(quad);
#pragma GCC unroll 2
            for (int v = 0; v < Vectors; ++v) acc[r][v] = _mm512_dpbusd_epi32(acc[r][v], b[v], a);
        }
    }
    alignas(64) int32_t sums[kPanelRows][Vectors * kLanes];
#pragma GCC unroll 8
    for (int r = 0; r < kPanelRows; ++r)
#pragma GCC unroll 2
        for (int v = 0; v < Vectors; ++v) _mm512_store_si512(sums[r] + v * kLanes, acc[r][v]);
    for (int64_t r = 0; r < validRows; ++r)
        for (int v = 0; v < Vectors; ++v)
            _mm512_mask_storeu_epi32(c + r * ldc + v * kLanes, columnMask(validCols - v * kLanes),
                                     _mm512_load_si512(sums[r] + v * kLanes));
}

}  // namespace

void runPanelAvx512Vnni(const PanelTask& task) {
    const int64_t panelBytes = task.quads * kPanelRows * kQuad;
    const int8_t* weights = task.weights + task.rowBegin / kPanelRows * panelBytes;
    for (int64_t row = task.rowBegin; row < task.rowEnd; row += kPanelRows, weights += panelBytes) {
        const int64_t validRows = task.rowEnd - row < kPanelRows ? task.rowEnd - row : kPanelRows;
        int32_t* c = task.c + (row - task.rowBegin) * task.ldc;
        if (task.width == 2 * kLanes)
            tile<2>(weights, task.columns, task.quads, validRows, task.validCols, c, task.ldc);
        else
            tile<1>(weights, task.columns, task.quads, validRows, task.validCols, c, task.ldc);
    }
}

}  // namespace qf::int8_detail

// AVX-512 VNNI kernel. vpdpbusd multiplies 4 uint8 of B by 4 int8 of A and adds the 4 products
// to an int32 lane without intermediate saturation, so the result is exact. A tile is 8 rows x
// 32 columns (16 on a narrow tail panel): 16 accumulators hide the instruction's latency, each
// B load serves 8 rows and each weight broadcast 2 vectors.
// B panel: quad q, column n holds B[4q .. 4q + 3][n] at panel[(q * width + n) * 4], the operand
// order of vpdpbusd.
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

// (low, high) in one zmm. The masked insert names its merge source: the plain one's undefined
// source draws a -Wmaybe-uninitialized from GCC 12's headers.
__m512i concat(__m256i low, __m256i high) {
    const __m512i base = _mm512_castsi256_si512(low);
    return _mm512_mask_inserti64x4(base, 0xFF, base, high, 1);
}

// `weights` is one packed row panel, `columns` a B panel of Vectors * 16 columns.
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
    if (validRows == kPanelRows && validCols == Vectors * kLanes) {
#pragma GCC unroll 8
        for (int r = 0; r < kPanelRows; ++r)
#pragma GCC unroll 2
            for (int v = 0; v < Vectors; ++v)
                _mm512_storeu_si512(c + r * ldc + v * kLanes, acc[r][v]);
        return;
    }
    // Edge tiles go through memory: indexing acc by validRows would spill it in the loop above.
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

// Per quad, 4 rows of 32 bytes become 32 columns x 4 k: a two-source dword permute gathers,
// for each group of 4 columns, their dword from each row into one 128-bit lane, then a byte
// shuffle transposes each lane's 4 x 4 bytes.
void packPanelAvx512Vnni(const PackTask& task) {
    const int64_t quads = (task.depth + kQuad - 1) / kQuad;
    const int64_t count =
        task.cols - task.colBegin < task.width ? task.cols - task.colBegin : task.width;
    const __mmask32 loadMask = count >= 32 ? ~__mmask32{0} : (__mmask32{1} << count) - 1;
    // rows01 holds rows 0 and 1 in dwords 0-7 and 8-15, rows23 rows 2 and 3 in 16-23 and 24-31.
    const __m512i firstColumns =
        _mm512_setr_epi32(0, 8, 16, 24, 1, 9, 17, 25, 2, 10, 18, 26, 3, 11, 19, 27);
    const __m512i lastColumns = _mm512_add_epi32(firstColumns, _mm512_set1_epi32(4));
    // Bytes 0, 4, 8, 12, then 1, 5, 9, 13, ... of each lane (set4: GCC 12's
    // _mm512_broadcast_i32x4 draws the same warning as in concat).
    const __m512i transpose4x4 = _mm512_setr4_epi32(0x0C080400, 0x0D090501, 0x0E0A0602, 0x0F0B0703);
    for (int64_t q = 0; q < quads; ++q) {
        __m256i rows[kQuad];
        for (int64_t j = 0; j < kQuad; ++j) {
            const int64_t k = q * kQuad + j;
            rows[j] = k < task.depth ? _mm256_maskz_loadu_epi8(
                                           loadMask, task.b + k * task.cols + task.colBegin)
                                     : _mm256_setzero_si256();
        }
        const __m512i rows01 = concat(rows[0], rows[1]);
        const __m512i rows23 = concat(rows[2], rows[3]);
        uint8_t* out = task.panel + q * task.width * kQuad;
        _mm512_store_si512(
            out, _mm512_shuffle_epi8(_mm512_permutex2var_epi32(rows01, firstColumns, rows23),
                                     transpose4x4));
        if (task.width > kLanes)
            _mm512_store_si512(
                out + kLanes * kQuad,
                _mm512_shuffle_epi8(_mm512_permutex2var_epi32(rows01, lastColumns, rows23),
                                    transpose4x4));
    }
}

void runPanelAvx512Vnni(const PanelTask& task) {
    const int64_t panelBytes = task.quads * kPanelRows * kQuad;
    const int8_t* weights = task.weights + task.rowBegin / kPanelRows * panelBytes;
    for (int64_t row = task.rowBegin; row < task.rowEnd; row += kPanelRows, weights += panelBytes) {
        const int64_t validRows = task.rowEnd - row < kPanelRows ? task.rowEnd - row : kPanelRows;
        int32_t* c = task.c + (row - task.rowBegin) * task.ldc;
        if (task.width > kLanes)
            tile<2>(weights, task.panel, task.quads, validRows, task.validCols, c, task.ldc);
        else
            tile<1>(weights, task.panel, task.quads, validRows, task.validCols, c, task.ldc);
    }
}

}  // namespace qf::int8_detail

// AVX2 kernel, exact. vpmaddubsw is not used: it sums two uint8 x int8 products into a
// saturating int16, and 2 * 255 * 127 > 32767. Both operands are widened to int16 instead and
// vpmaddwd sums pairs of exact products into int32. B is widened while packing; a tile widens its
// 4 rows of weights a chunk of quads at a time into a small buffer, from which each k pair is a
// 32-bit broadcast. A tile is 4 rows x 16 columns (8 on a narrow tail panel), 8 accumulators.
// B panel: quad q is two planes of width columns, for k pairs (4q, 4q + 1) and (4q + 2, 4q + 3);
// column n of plane p holds the pair as two int16 at panel + q * width * 8 + p * width * 4 + n * 4.
// Compiled with -mavx2 -mfma; see int8_gemm.h for what this file may use.
#include <immintrin.h>

#include <cstring>

#include "quantize/int8_gemm.h"

namespace qf::int8_detail {
namespace {

constexpr int kLanes = 8;  // int32 per ymm
constexpr int kTileRows = 4;
constexpr int kPairs = 2;            // k pairs per quad
constexpr int64_t kChunkQuads = 64;  // quads of weights widened at a time (2 KiB)

void storeColumns(int32_t* c, __m256i sums, int64_t count) {
    if (count >= kLanes) {
        _mm256_storeu_si256(reinterpret_cast<__m256i*>(c), sums);
    } else if (count > 0) {
        const __m256i mask = _mm256_cmpgt_epi32(_mm256_set1_epi32(static_cast<int>(count)),
                                                _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
        _mm256_maskstore_epi32(c, mask, sums);
    }
}

// 16 bytes of a B row, zero past `count` (>= 1).
__m128i loadRow(const uint8_t* row, int64_t count) {
    if (count >= 16) return _mm_loadu_si128(reinterpret_cast<const __m128i*>(row));
    alignas(16) uint8_t partial[16] = {};
    std::memcpy(partial, row, static_cast<size_t>(count));
    return _mm_load_si128(reinterpret_cast<const __m128i*>(partial));
}

// Rows firstRow .. firstRow + 3 of the packed row panel `weights` times a B panel of
// Vectors * 8 columns.
template <int Vectors>
void tile(const int8_t* weights, int64_t firstRow, const uint8_t* columns, int64_t quads,
          int64_t validRows, int64_t validCols, int32_t* c, int64_t ldc) {
    constexpr int64_t width = Vectors * kLanes;
    // Only constant indices into acc, in fully unrolled loops, so that GCC keeps it in registers.
    __m256i acc[kTileRows][Vectors];
#pragma GCC unroll 4
    for (int r = 0; r < kTileRows; ++r)
#pragma GCC unroll 2
        for (int v = 0; v < Vectors; ++v) acc[r][v] = _mm256_setzero_si256();
    // wide[i] holds the tile's 4 rows of quad chunk + i as int16, row r's pairs at 4r and 4r + 2.
    alignas(32) int16_t wide[kChunkQuads][kTileRows * kQuad];
    for (int64_t chunk = 0; chunk < quads; chunk += kChunkQuads) {
        const int64_t chunkQuads = quads - chunk < kChunkQuads ? quads - chunk : kChunkQuads;
        for (int64_t i = 0; i < chunkQuads; ++i) {
            const __m128i bytes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(
                weights + ((chunk + i) * kPanelRows + firstRow) * kQuad));
            _mm256_store_si256(reinterpret_cast<__m256i*>(wide[i]), _mm256_cvtepi8_epi16(bytes));
        }
        for (int64_t i = 0; i < chunkQuads; ++i) {
            const uint8_t* quadColumns = columns + (chunk + i) * width * kPairs * kQuad;
            __m256i b[kPairs][Vectors];
#pragma GCC unroll 2
            for (int p = 0; p < kPairs; ++p)
#pragma GCC unroll 2
                for (int v = 0; v < Vectors; ++v)
                    b[p][v] = _mm256_load_si256(reinterpret_cast<const __m256i*>(
                        quadColumns + (p * width + v * kLanes) * kQuad));
#pragma GCC unroll 4
            for (int r = 0; r < kTileRows; ++r) {
#pragma GCC unroll 2
                for (int p = 0; p < kPairs; ++p) {
                    int32_t pair;
                    std::memcpy(&pair, &wide[i][r * kQuad + p * 2], sizeof pair);
                    const __m256i a = _mm256_set1_epi32(pair);
#pragma GCC unroll 2
                    for (int v = 0; v < Vectors; ++v)
                        acc[r][v] = _mm256_add_epi32(acc[r][v], _mm256_madd_epi16(b[p][v], a));
                }
            }
        }
    }
    if (validRows == kTileRows && validCols == width) {
#pragma GCC unroll 4
        for (int r = 0; r < kTileRows; ++r)
#pragma GCC unroll 2
            for (int v = 0; v < Vectors; ++v)
                _mm256_storeu_si256(reinterpret_cast<__m256i*>(c + r * ldc + v * kLanes),
                                    acc[r][v]);
        return;
    }
    // Edge tiles go through memory: indexing acc by validRows would spill it in the loop above.
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

// Interleaving the bytes of rows k and k + 1 and zero-extending them gives each column's pair.
void packPanelAvx2(const PackTask& task) {
    const int64_t quads = (task.depth + kQuad - 1) / kQuad;
    const int64_t count =
        task.cols - task.colBegin < task.width ? task.cols - task.colBegin : task.width;
    for (int64_t q = 0; q < quads; ++q) {
        __m128i rows[kQuad];
        for (int64_t j = 0; j < kQuad; ++j) {
            const int64_t k = q * kQuad + j;
            rows[j] = k < task.depth ? loadRow(task.b + k * task.cols + task.colBegin, count)
                                     : _mm_setzero_si128();
        }
        for (int p = 0; p < kPairs; ++p) {
            __m256i* plane =
                reinterpret_cast<__m256i*>(task.panel + (q * kPairs + p) * task.width * kQuad);
            const __m128i even = rows[2 * p], odd = rows[2 * p + 1];
            _mm256_store_si256(plane, _mm256_cvtepu8_epi16(_mm_unpacklo_epi8(even, odd)));
            if (task.width > kLanes)
                _mm256_store_si256(plane + 1, _mm256_cvtepu8_epi16(_mm_unpackhi_epi8(even, odd)));
        }
    }
}

void runPanelAvx2(const PanelTask& task) {
    const int64_t panelBytes = task.quads * kPanelRows * kQuad;
    const int8_t* weights = task.weights + task.rowBegin / kPanelRows * panelBytes;
    for (int64_t row = task.rowBegin; row < task.rowEnd; row += kPanelRows, weights += panelBytes) {
        for (int64_t firstRow = 0; firstRow < kPanelRows && row + firstRow < task.rowEnd;
             firstRow += kTileRows) {
            const int64_t left = task.rowEnd - row - firstRow;
            const int64_t validRows = left < kTileRows ? left : kTileRows;
            int32_t* c = task.c + (row + firstRow - task.rowBegin) * task.ldc;
            if (task.width > kLanes)
                tile<2>(weights, firstRow, task.panel, task.quads, validRows, task.validCols, c,
                        task.ldc);
            else
                tile<1>(weights, firstRow, task.panel, task.quads, validRows, task.validCols, c,
                        task.ldc);
        }
    }
}

}  // namespace qf::int8_detail

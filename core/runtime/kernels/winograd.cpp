#include "runtime/kernels/winograd.h"

#include <algorithm>

#include "runtime/kernels/scratch.h"
#include "runtime/kernels/sgemm.h"
#include "runtime/kernels/spatial.h"
#include "runtime/parallel.h"

namespace qf::kernels {
namespace {

constexpr int64_t kTile = 4;   // output tile edge
constexpr int64_t kInput = 6;  // input tile edge
constexpr int64_t kPositions = 36;

// The 1-D transforms, each over `lanes` independent values (every tile of a plane) laid out
// contiguously, so the loops vectorise across tiles; cloned per ISA. Separate restrict pointers:
// with arrays of pointers the compiler must assume a row written may be a row read, and the
// alias checks of twelve pointers stop it vectorising.
// Input: B^T d, rows d0..d5 into o0..o5.
__attribute__((target_clones("avx512f", "avx2", "default"))) void inputTransform(
    const float* __restrict d0, const float* __restrict d1, const float* __restrict d2,
    const float* __restrict d3, const float* __restrict d4, const float* __restrict d5,
    float* __restrict o0, float* __restrict o1, float* __restrict o2, float* __restrict o3,
    float* __restrict o4, float* __restrict o5, int64_t lanes) {
    for (int64_t l = 0; l < lanes; ++l) {
        o0[l] = 4.0f * d0[l] - 5.0f * d2[l] + d4[l];
        o1[l] = -4.0f * d1[l] - 4.0f * d2[l] + d3[l] + d4[l];
        o2[l] = 4.0f * d1[l] - 4.0f * d2[l] - d3[l] + d4[l];
        o3[l] = -2.0f * d1[l] - d2[l] + 2.0f * d3[l] + d4[l];
        o4[l] = 2.0f * d1[l] - d2[l] - 2.0f * d3[l] + d4[l];
        o5[l] = 4.0f * d1[l] - 5.0f * d3[l] + d5[l];
    }
}
void inputTransform(const float* const in[6], float* const out[6], int64_t lanes) {
    inputTransform(in[0], in[1], in[2], in[3], in[4], in[5], out[0], out[1], out[2], out[3], out[4],
                   out[5], lanes);
}

// Output: A^T m, rows m0..m5 into o0..o3.
__attribute__((target_clones("avx512f", "avx2", "default"))) void outputTransform(
    const float* __restrict m0, const float* __restrict m1, const float* __restrict m2,
    const float* __restrict m3, const float* __restrict m4, const float* __restrict m5,
    float* __restrict o0, float* __restrict o1, float* __restrict o2, float* __restrict o3,
    int64_t lanes) {
    for (int64_t l = 0; l < lanes; ++l) {
        const float sum12 = m1[l] + m2[l], diff12 = m1[l] - m2[l];
        const float sum34 = m3[l] + m4[l], diff34 = m3[l] - m4[l];
        o0[l] = m0[l] + sum12 + sum34;
        o1[l] = diff12 + 2.0f * diff34;
        o2[l] = sum12 + 4.0f * sum34;
        o3[l] = diff12 + 8.0f * diff34 + m5[l];
    }
}
void outputTransform(const float* const in[6], float* const out[4], int64_t lanes) {
    outputTransform(in[0], in[1], in[2], in[3], in[4], in[5], out[0], out[1], out[2], out[3],
                    lanes);
}

// row[4 t + b] = lane_b[t] + shift: one tile row of outputs, interleaved.
__attribute__((target_clones("avx512f", "avx2", "default"))) void interleaveTiles(
    const float* __restrict l0, const float* __restrict l1, const float* __restrict l2,
    const float* __restrict l3, float shift, float* __restrict row, int64_t tiles) {
    for (int64_t t = 0; t < tiles; ++t) {
        row[4 * t] = l0[t] + shift;
        row[4 * t + 1] = l1[t] + shift;
        row[4 * t + 2] = l2[t] + shift;
        row[4 * t + 3] = l3[t] + shift;
    }
}

// lane[t] = row[4 t]: one column of every tile of a tile row.
__attribute__((target_clones("avx512f", "avx2", "default"))) void gatherTiles(
    const float* __restrict row, float* __restrict lane, int64_t tiles) {
    for (int64_t t = 0; t < tiles; ++t) lane[t] = row[4 * t];
}

// Kernel: G g, 3 values into 6.
void kernelTransform(const float g[3], float out[6]) {
    out[0] = g[0] / 4.0f;
    out[1] = -(g[0] + g[1] + g[2]) / 6.0f;
    out[2] = -(g[0] - g[1] + g[2]) / 6.0f;
    out[3] = g[0] / 24.0f + g[1] / 12.0f + g[2] / 6.0f;
    out[4] = g[0] / 24.0f - g[1] / 12.0f + g[2] / 6.0f;
    out[5] = g[2];
}

int64_t tilesOf(int64_t size) { return (size + kTile - 1) / kTile; }

}  // namespace

WinogradWeights transformWinogradWeights(const float* weights, int64_t outC, int64_t inC) {
    WinogradWeights w;
    w.outC = outC;
    w.inC = inC;
    w.u.resize(static_cast<size_t>(kPositions * outC * inC));
    const int64_t pairs = outC * inC;
    parallelFor(pairs, pairs >= 256, [&](int64_t begin, int64_t end) {
        for (int64_t pair = begin; pair < end; ++pair) {
            const float* g = weights + pair * 9;
            // rows = G g (6 × 3), then U = rows G^T (6 × 6), column by column.
            float rows[6][3];
            for (int k = 0; k < 3; ++k) {
                const float column[3] = {g[k], g[3 + k], g[6 + k]};
                float transformed[6];
                kernelTransform(column, transformed);
                for (int i = 0; i < 6; ++i) rows[i][k] = transformed[i];
            }
            for (int i = 0; i < 6; ++i) {
                float transformed[6];
                kernelTransform(rows[i], transformed);
                for (int j = 0; j < 6; ++j)
                    w.u[static_cast<size_t>((i * 6 + j) * pairs + pair)] = transformed[j];
            }
        }
    });
    return w;
}

bool winogradPays(int64_t outC, int64_t inC, int64_t outH, int64_t outW) {
    const int64_t tiles = tilesOf(outH) * tilesOf(outW);
    // Each of the 36 GEMMs must be large enough to run near Eigen's peak (measured on
    // ResNet-18 and ResNet-20 layers, bench/): below, the per-call cost and the transforms eat
    // the saving. Above 16 MB of transformed weights a layer stays with im2col.
    return tiles >= 16 && outC >= 16 && inC >= 16 && outC * inC * tiles >= (int64_t{1} << 18) &&
           outC * inC * kPositions * static_cast<int64_t>(sizeof(float)) <= (int64_t{16} << 20);
}

void winogradConv3x3(const WinogradWeights& weights, const float* image, int64_t inH, int64_t inW,
                     int64_t padTop, int64_t padLeft, int64_t outH, int64_t outW, const float* bias,
                     float* out) {
    const int64_t outC = weights.outC, inC = weights.inC;
    const int64_t tilesY = tilesOf(outH), tilesX = tilesOf(outW), tiles = tilesY * tilesX;
    // v[pos][ic][tile] and m[pos][oc][tile]: the GEMMs' right operand and result.
    const Scratch<float, 5> v(static_cast<size_t>(kPositions * inC * tiles));
    const Scratch<float, 6> m(static_cast<size_t>(kPositions * outC * tiles));

    // Per input channel: patch[r][c][tile], the 6×6 input tiles of the plane with the tile
    // innermost, then B^T d along r and d B along c, into v[pos][ic][tile].
    parallelFor(inC, inC * tiles >= 64, [&](int64_t begin, int64_t end) {
        // The plane padded with zeros to whole tiles, so the tiles are read without bounds.
        const int64_t paddedH = tilesY * kTile + 2, paddedW = tilesX * kTile + 2;
        const Scratch<float, 7> scratch(
            static_cast<size_t>(2 * kPositions * tiles + paddedH * paddedW));
        float* patch = scratch.data();
        float* rowsDone = patch + kPositions * tiles;  // B^T d, [i][c][tile]
        float* padded = rowsDone + kPositions * tiles;
        for (int64_t ic = begin; ic < end; ++ic) {
            padPlane(image + ic * inH * inW, inH, inW, padTop, padLeft, paddedH, paddedW, 0.0f,
                     padded);
            for (int64_t r = 0; r < kInput; ++r)
                for (int64_t c = 0; c < kInput; ++c)
                    for (int64_t ty = 0; ty < tilesY; ++ty)
                        gatherTiles(padded + (ty * kTile + r) * paddedW + c,
                                    patch + (r * kInput + c) * tiles + ty * tilesX, tilesX);
            for (int64_t c = 0; c < kInput; ++c) {
                const float* in[6];
                float* done[6];
                for (int k = 0; k < 6; ++k) {
                    in[k] = patch + (k * kInput + c) * tiles;
                    done[k] = rowsDone + (k * kInput + c) * tiles;
                }
                inputTransform(in, done, tiles);
            }
            for (int64_t i = 0; i < kInput; ++i) {
                const float* in[6];
                float* result[6];
                for (int k = 0; k < 6; ++k) {
                    in[k] = rowsDone + (i * kInput + k) * tiles;
                    result[k] = v.data() + ((i * kInput + k) * inC + ic) * tiles;
                }
                inputTransform(in, result, tiles);
            }
        }
    });

    // The 36 products, one per tile position, split over the threads.
    parallelFor(kPositions, true, [&](int64_t begin, int64_t end) {
        for (int64_t pos = begin; pos < end; ++pos)
            sgemm(false, false, outC, tiles, inC, weights.u.data() + pos * outC * inC,
                  v.data() + pos * inC * tiles, m.data() + pos * outC * tiles);
    });

    // Per output channel: A^T m along i, then along j, plus the bias, into the plane.
    parallelFor(outC, outC * tiles >= 64, [&](int64_t begin, int64_t end) {
        const Scratch<float, 7> scratch(
            static_cast<size_t>(kInput * kTile * tiles + kTile * kTile * tiles + tilesX * kTile));
        float* columnsDone = scratch.data();                   // [a][j][tile]
        float* result = columnsDone + kTile * kInput * tiles;  // [a][b][tile]
        float* wideRow = result + kTile * kTile * tiles;       // one row of whole tiles
        for (int64_t oc = begin; oc < end; ++oc) {
            for (int64_t j = 0; j < kInput; ++j) {
                const float* in[6];
                float* done[4];
                for (int k = 0; k < 6; ++k)
                    in[k] = m.data() + ((k * kInput + j) * outC + oc) * tiles;
                for (int a = 0; a < 4; ++a) done[a] = columnsDone + (a * kInput + j) * tiles;
                outputTransform(in, done, tiles);
            }
            for (int64_t a = 0; a < kTile; ++a) {
                const float* in[6];
                float* done[4];
                for (int k = 0; k < 6; ++k) in[k] = columnsDone + (a * kInput + k) * tiles;
                for (int b = 0; b < 4; ++b) done[b] = result + (a * kTile + b) * tiles;
                outputTransform(in, done, tiles);
            }
            const float shift = bias ? bias[oc] : 0.0f;
            float* plane = out + oc * outH * outW;
            const bool wholeTiles = outW == tilesX * kTile;
            for (int64_t ty = 0; ty < tilesY; ++ty)
                for (int64_t a = 0; a < kTile; ++a) {
                    const int64_t oy = ty * kTile + a;
                    if (oy >= outH) break;
                    float* row = wholeTiles ? plane + oy * outW : wideRow;
                    const float* lanes = result + a * kTile * tiles + ty * tilesX;
                    interleaveTiles(lanes, lanes + tiles, lanes + 2 * tiles, lanes + 3 * tiles,
                                    shift, row, tilesX);
                    if (!wholeTiles) std::copy(wideRow, wideRow + outW, plane + oy * outW);
                }
        }
    });
}

}  // namespace qf::kernels

// Layout, threading and the CPU check of direct3x3.h; the tile is in direct3x3_avx512.cpp.
#include "runtime/kernels/direct3x3.h"

#include <algorithm>
#include <vector>

#include "runtime/kernels/direct3x3_tile.h"
#include "runtime/kernels/scratch.h"
#include "runtime/kernels/spatial.h"
#include "runtime/parallel.h"

namespace qf::kernels {

bool direct3x3Available() {
    static const bool available = [] {
        __builtin_cpu_init();
        return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("fma");
    }();
    return available;
}

bool direct3x3Pays(int64_t outC, int64_t inC, int64_t outH, int64_t outW) {
    // Small planes with few channels, where im2col's copies cost as much as the products, and
    // rows that fill most of a tile: 24 columns and more, or 12-16 (two rows to a tile).
    // bench/bench_conv3x3.cpp has the measurements (ResNet-20's 8-wide layers stay on im2col).
    return (outW >= 24 || (outW >= 12 && outW <= 16)) && outH * outW <= 4096 && inC <= 64 &&
           outC <= 256;
}

Direct3x3Weights reorderDirect3x3Weights(const float* weights, int64_t outC, int64_t inC) {
    Direct3x3Weights reordered;
    reordered.outC = outC;
    reordered.inC = inC;
    const int64_t blocks = (outC + kDirectRows - 1) / kDirectRows;
    reordered.blocks.assign(static_cast<size_t>(blocks * inC * 9 * kDirectRows), 0.0f);
    for (int64_t oc = 0; oc < outC; ++oc)
        for (int64_t ic = 0; ic < inC; ++ic)
            for (int64_t tap = 0; tap < 9; ++tap)
                reordered.blocks[static_cast<size_t>(
                    ((oc / kDirectRows * inC + ic) * 9 + tap) * kDirectRows + oc % kDirectRows)] =
                    weights[(oc * inC + ic) * 9 + tap];
    return reordered;
}

void direct3x3(const Direct3x3Weights& weights, const float* image, int64_t inH, int64_t inW,
               int64_t padTop, int64_t padLeft, const float* bias, int64_t outH, int64_t outW,
               float* out) {
    const int64_t outC = weights.outC, inC = weights.inC;
    // Rows of at most 16 go two to a tile (one vector each), wider ones in chunks of 32 columns.
    const bool twoRows = outW <= 16;
    const int64_t rowStep = twoRows ? 2 : 1;
    const int64_t tileRows = (outH + rowStep - 1) / rowStep;
    const int64_t chunks = (outW + kDirectCols - 1) / kDirectCols;
    // Padded rows long enough for the last chunk's shifted loads (32 + 2 columns, or 16 + 2),
    // and one row more than the last output row needs when it is a tile's second row.
    const int64_t paddedW = twoRows ? 18 : chunks * kDirectCols + 2;
    const int64_t paddedH = tileRows * rowStep + 2;
    const int64_t plane = paddedH * paddedW;
    const Scratch<float, 5> padded(static_cast<size_t>(inC * plane));
    parallelFor(inC, inC * plane > 32768, [&](int64_t begin, int64_t end) {
        for (int64_t ic = begin; ic < end; ++ic)
            padPlane(image + ic * inH * inW, inH, inW, padTop, padLeft, paddedH, paddedW, 0.0f,
                     padded.data() + ic * plane);
    });
    const int64_t blocks = (outC + kDirectRows - 1) / kDirectRows;
    const int64_t jobs = blocks * tileRows;
    parallelFor(jobs, outC * inC * 9 * outH * outW >= (int64_t{1} << 18),
                [&](int64_t begin, int64_t end) {
                    for (int64_t job = begin; job < end; ++job) {
                        const int64_t block = job / tileRows, oy = job % tileRows * rowStep;
                        const int64_t firstOc = block * kDirectRows;
                        DirectRowTask task{};
                        task.padded = padded.data() + oy * paddedW;
                        task.plane = plane;
                        task.paddedW = paddedW;
                        task.inC = inC;
                        task.weights = weights.blocks.data() + block * inC * 9 * kDirectRows;
                        task.bias = bias ? bias + firstOc : nullptr;
                        task.validRows = std::min(kDirectRows, outC - firstOc);
                        task.outW = outW;
                        task.twoRows = twoRows;
                        task.secondRowValid = oy + 1 < outH;
                        task.out = out + (firstOc * outH + oy) * outW;
                        task.outPlane = outH * outW;
                        direct3x3RowAvx512(task);
                    }
                });
}

}  // namespace qf::kernels

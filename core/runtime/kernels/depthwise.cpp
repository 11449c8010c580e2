#include "runtime/kernels/depthwise.h"

#include <algorithm>

#include "runtime/kernels/scratch.h"

namespace qf::kernels {
namespace {

// Stride 1: wide[p] = init + Σ convert(padded[p + ky·paddedW + kx]) · kernel[ky, kx] for every p
// below outH · paddedW, i.e. the outputs in padded-width rows, two junk columns per row
// included. One flat loop over the whole plane vectorises even when rows are 7 wide; the last
// junk outputs read two values past the plane (the caller pads the buffer). Stride 2: row by
// row. Always inlined, so each ISA clone below compiles the loops for its own instructions.
template <int Stride, typename Input, typename Weight, typename Accumulator, typename Convert>
[[gnu::always_inline]] inline void nineTaps(const Input* padded, int64_t paddedW,
                                            const Weight* kernel, int64_t outH, int64_t outW,
                                            Convert convert, Accumulator init, Accumulator* out) {
    const Accumulator k0 = kernel[0], k1 = kernel[1], k2 = kernel[2], k3 = kernel[3],
                      k4 = kernel[4], k5 = kernel[5], k6 = kernel[6], k7 = kernel[7],
                      k8 = kernel[8];
    const auto sum = [&](const Input* r0, int64_t x) {
        const Input* r1 = r0 + paddedW;
        const Input* r2 = r1 + paddedW;
        Accumulator acc = init;
        acc += convert(r0[x]) * k0;
        acc += convert(r0[x + 1]) * k1;
        acc += convert(r0[x + 2]) * k2;
        acc += convert(r1[x]) * k3;
        acc += convert(r1[x + 1]) * k4;
        acc += convert(r1[x + 2]) * k5;
        acc += convert(r2[x]) * k6;
        acc += convert(r2[x + 1]) * k7;
        acc += convert(r2[x + 2]) * k8;
        return acc;
    };
    if constexpr (Stride == 1) {
        const int64_t count = outH * paddedW;
        for (int64_t p = 0; p < count; ++p) out[p] = sum(padded, p);
    } else {
        for (int64_t oy = 0; oy < outH; ++oy) {
            const Input* r0 = padded + oy * Stride * paddedW;
            Accumulator* row = out + oy * outW;
            for (int64_t ox = 0; ox < outW; ++ox) row[ox] = sum(r0, ox * Stride);
        }
    }
}

__attribute__((target_clones("avx512f", "avx2", "default"))) void floatNineTaps(
    const float* padded, int64_t paddedW, const float* kernel, int64_t outH, int64_t outW,
    int64_t stride, float bias, float* out) {
    const auto identity = [](float v) { return v; };
    if (stride == 1)
        nineTaps<1>(padded, paddedW, kernel, outH, outW, identity, bias, out);
    else
        nineTaps<2>(padded, paddedW, kernel, outH, outW, identity, bias, out);
}

__attribute__((target_clones("avx512f", "avx2", "default"))) void storedNineTaps(
    const uint8_t* padded, int64_t paddedW, const int8_t* kernel, int64_t outH, int64_t outW,
    int64_t stride, int32_t zeroPoint, int32_t* sums) {
    // Σ (x − z)·k = Σ x·k − z·Σ k, exact in int32: the zero point leaves the inner loop.
    int32_t kernelSum = 0;
    for (int k = 0; k < 9; ++k) kernelSum += kernel[k];
    const auto widen = [](uint8_t v) { return static_cast<int32_t>(v); };
    const int32_t init = -zeroPoint * kernelSum;
    if (stride == 1)
        nineTaps<1>(padded, paddedW, kernel, outH, outW, widen, init, sums);
    else
        nineTaps<2>(padded, paddedW, kernel, outH, outW, widen, init, sums);
}

// The fast path for either type: pads the plane (into this thread's Scratch slot 3, two values
// longer for the junk outputs of stride 1), runs the cloned taps into `out` directly (stride 2)
// or into padded-width rows (Scratch slot 4) that are then copied without their junk columns.
template <typename Input, typename Accumulator, typename Taps>
void paddedChannel(const Input* plane, int64_t inH, int64_t inW, const Window2d& w, int64_t outH,
                   int64_t outW, Input padding, Accumulator* out, Taps taps) {
    const int64_t stride = w.strideH;
    const int64_t paddedH = (outH - 1) * stride + 3, paddedW = (outW - 1) * stride + 3;
    const Scratch<Input, 3> padded(static_cast<size_t>(paddedH * paddedW + 2));
    padPlane(plane, inH, inW, w.padTop, w.padLeft, paddedH, paddedW, padding, padded.data());
    std::fill(padded.data() + paddedH * paddedW, padded.data() + paddedH * paddedW + 2, padding);
    if (stride != 1) {
        taps(padded.data(), paddedW, out);
        return;
    }
    const Scratch<Accumulator, 4> wide(static_cast<size_t>(outH * paddedW));
    taps(padded.data(), paddedW, wide.data());
    for (int64_t oy = 0; oy < outH; ++oy)
        std::copy(wide.data() + oy * paddedW, wide.data() + oy * paddedW + outW, out + oy * outW);
}

}  // namespace

void depthwiseChannel(const float* plane, int64_t inH, int64_t inW, const float* kernel,
                      const Window2d& w, int64_t outH, int64_t outW, float bias, float* out) {
    if (!depthwiseHasFastPath(w)) {
        std::fill(out, out + outH * outW, bias);
        depthwiseAccumulate(
            plane, inH, inW, kernel, w, outH, outW, [](float v) { return v; }, out);
        return;
    }
    paddedChannel(plane, inH, inW, w, outH, outW, 0.0f, out,
                  [&](const float* padded, int64_t paddedW, float* result) {
                      floatNineTaps(padded, paddedW, kernel, outH, outW, w.strideH, bias, result);
                  });
}

void depthwiseChannel(const uint8_t* plane, int64_t inH, int64_t inW, const int8_t* kernel,
                      const Window2d& w, int64_t outH, int64_t outW, int32_t zeroPoint,
                      int32_t* sums) {
    if (!depthwiseHasFastPath(w)) {
        std::fill(sums, sums + outH * outW, 0);
        depthwiseAccumulate(
            plane, inH, inW, kernel, w, outH, outW,
            [zeroPoint](uint8_t v) { return static_cast<int32_t>(v) - zeroPoint; }, sums);
        return;
    }
    // The zero point as padding: a padded tap adds (zeroPoint − zeroPoint) · weight = 0.
    paddedChannel(plane, inH, inW, w, outH, outW, static_cast<uint8_t>(zeroPoint), sums,
                  [&](const uint8_t* padded, int64_t paddedW, int32_t* result) {
                      storedNineTaps(padded, paddedW, kernel, outH, outW, w.strideH, zeroPoint,
                                     result);
                  });
}

}  // namespace qf::kernels

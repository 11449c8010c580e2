#pragma once
// One channel of a depthwise convolution, FP32 or int8 (the int8 runtime converts stored values
// to int32 less their zero point). A 3×3 window of stride 1 or 2 without dilation, nearly every
// depthwise layer of MobileNet-style networks, is copied into a padded plane first so that every
// output is the sum of all nine taps with no bounds check: each output is written once from
// registers, where the general loop reads and writes the accumulator once per tap. Padding
// holds the value that converts to zero (the zero point in int8), so padded taps add nothing;
// the taps are summed in the general loop's order (ky, kx), so FP32 gives its values.
#include <algorithm>
#include <cstdint>

#include "runtime/kernels/scratch.h"
#include "runtime/kernels/spatial.h"

namespace qf::kernels {

inline bool depthwiseHasFastPath(const Window2d& w) {
    return w.kernelH == 3 && w.kernelW == 3 && w.dilationH == 1 && w.dilationW == 1 &&
           w.strideH == w.strideW && (w.strideH == 1 || w.strideH == 2);
}

// padded[y, x] = plane[y − top, x − left], or `padding` outside the plane.
template <typename Input>
void padPlane(const Input* plane, int64_t inH, int64_t inW, int64_t top, int64_t left,
              int64_t paddedH, int64_t paddedW, Input padding, Input* padded) {
    const int64_t xBegin = std::clamp<int64_t>(left, 0, paddedW);
    const int64_t xEnd = std::clamp<int64_t>(left + inW, xBegin, paddedW);
    for (int64_t y = 0; y < paddedH; ++y) {
        Input* row = padded + y * paddedW;
        const int64_t iy = y - top;
        if (iy < 0 || iy >= inH) {
            std::fill(row, row + paddedW, padding);
            continue;
        }
        std::fill(row, row + xBegin, padding);
        const Input* source = plane + iy * inW + (xBegin - left);
        std::copy(source, source + (xEnd - xBegin), row + xBegin);
        std::fill(row + xEnd, row + paddedW, padding);
    }
}

template <int Stride, typename Input, typename Weight, typename Accumulator, typename Convert>
void depthwise3x3Padded(const Input* padded, int64_t paddedW, const Weight* kernel, int64_t outH,
                        int64_t outW, Convert convert, Accumulator init, Accumulator* out) {
    const Accumulator k0 = kernel[0], k1 = kernel[1], k2 = kernel[2], k3 = kernel[3],
                      k4 = kernel[4], k5 = kernel[5], k6 = kernel[6], k7 = kernel[7],
                      k8 = kernel[8];
    for (int64_t oy = 0; oy < outH; ++oy) {
        const Input* r0 = padded + oy * Stride * paddedW;
        const Input* r1 = r0 + paddedW;
        const Input* r2 = r1 + paddedW;
        Accumulator* row = out + oy * outW;
        for (int64_t ox = 0; ox < outW; ++ox) {
            const int64_t x = ox * Stride;
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
            row[ox] = acc;
        }
    }
}

// out[oy, ox] = init + Σ convert(plane[iy, ix]) · kernel[ky, kx] over the taps inside the plane.
// `padding` must convert to zero. Uses this thread's Scratch<Input, 3> for the padded plane.
template <typename Input, typename Weight, typename Accumulator, typename Convert>
void depthwiseChannel(const Input* plane, int64_t inH, int64_t inW, const Weight* kernel,
                      const Window2d& w, int64_t outH, int64_t outW, Input padding, Convert convert,
                      Accumulator init, Accumulator* out) {
    if (!depthwiseHasFastPath(w)) {
        std::fill(out, out + outH * outW, init);
        depthwiseAccumulate(plane, inH, inW, kernel, w, outH, outW, convert, out);
        return;
    }
    const int64_t stride = w.strideH;
    const int64_t paddedH = (outH - 1) * stride + 3;
    const int64_t paddedW = (outW - 1) * stride + 3;
    const Scratch<Input, 3> padded(static_cast<size_t>(paddedH * paddedW));
    padPlane(plane, inH, inW, w.padTop, w.padLeft, paddedH, paddedW, padding, padded.data());
    if (stride == 1)
        depthwise3x3Padded<1>(padded.data(), paddedW, kernel, outH, outW, convert, init, out);
    else
        depthwise3x3Padded<2>(padded.data(), paddedW, kernel, outH, outW, convert, init, out);
}

}  // namespace qf::kernels

#pragma once
// One channel of a depthwise convolution, FP32 or int8 (stored uint8 less its zero point times
// int8 weights, summed in int32). A 3×3 window of stride 1 or 2 without dilation, nearly every
// depthwise layer of MobileNet-style networks, is copied into a padded plane first so that every
// output is the sum of all nine taps with no bounds check: each output is written once from
// registers, where the general loop (depthwiseAccumulate) reads and writes it once per tap.
// The nine-tap loops are cloned per ISA (AVX-512, AVX2, baseline). int8 sums are exact in every
// clone; FP32 sums keep the general loop's order but may fuse multiply and add (AVX-512 has FMA),
// so they can differ from it by rounding.
#include <cstdint>

#include "runtime/kernels/spatial.h"

namespace qf::kernels {

inline bool depthwiseHasFastPath(const Window2d& w) {
    return w.kernelH == 3 && w.kernelW == 3 && w.dilationH == 1 && w.dilationW == 1 &&
           w.strideH == w.strideW && (w.strideH == 1 || w.strideH == 2);
}

// out[oy, ox] = bias + Σ plane[iy, ix] · kernel[ky, kx] over the taps inside the plane.
void depthwiseChannel(const float* plane, int64_t inH, int64_t inW, const float* kernel,
                      const Window2d& w, int64_t outH, int64_t outW, float bias, float* out);

// sums[oy, ox] = Σ (plane[iy, ix] − zeroPoint) · kernel[ky, kx] over the taps inside the plane.
void depthwiseChannel(const uint8_t* plane, int64_t inH, int64_t inW, const int8_t* kernel,
                      const Window2d& w, int64_t outH, int64_t outW, int32_t zeroPoint,
                      int32_t* sums);

}  // namespace qf::kernels

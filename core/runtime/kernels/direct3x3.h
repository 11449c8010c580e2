#pragma once
// 3×3 stride-1 convolution computed directly, without im2col: for small planes (ResNet-20's
// 32², 16², 8²) im2col and Eigen's packing of its matrix cost as much as the products. The
// input is copied once into zero-padded planes; each tile of 8 output channels × 32 output
// columns keeps its 16 accumulators in AVX-512 registers over every input channel and tap, with
// the taps' inputs loaded straight from the padded rows. AVX-512 only (direct3x3Available());
// float sums are taken in another order than im2col + GEMM, so results differ by rounding.
#include <cstdint>
#include <vector>

namespace qf::kernels {

bool direct3x3Available();

// Whether the direct kernel beats im2col + GEMM for this layer (measured, bench/).
bool direct3x3Pays(int64_t outC, int64_t inC, int64_t outH, int64_t outW);

// The weights (outC × inC × 3 × 3) as the kernel reads them: [block of 8 output channels][ic]
// [tap][8], zero-padded to whole blocks, so each tap's 8 broadcasts read one cache line. Made
// once per layer (the executor keeps them, conv_cache.h).
struct Direct3x3Weights {
    int64_t outC = 0, inC = 0;
    std::vector<float> blocks;
};
Direct3x3Weights reorderDirect3x3Weights(const float* weights, int64_t outC, int64_t inC);

// One image: out (outC × outH × outW) = conv(image (inC × inH × inW), weights) + bias (may be
// null); stride 1, no dilation, padding padTop / padLeft.
void direct3x3(const Direct3x3Weights& weights, const float* image, int64_t inH, int64_t inW,
               int64_t padTop, int64_t padLeft, const float* bias, int64_t outH, int64_t outW,
               float* out);

}  // namespace qf::kernels

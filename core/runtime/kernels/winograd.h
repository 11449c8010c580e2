#pragma once
// 3×3 stride-1 convolution by Winograd's minimal filtering F(4×4, 3×3) (Lavin and Gray, "Fast
// Algorithms for Convolutional Neural Networks", 2016): each 6×6 input tile and 3×3 kernel are
// transformed so that a 4×4 output tile costs 36 multiplies per channel pair instead of 144; the
// products are 36 GEMMs (one per tile position) of the transformed weights by the transformed
// input. Float rounding differs from the direct sum (the transforms add and scale), by about
// 1e-6 of the layer's magnitudes. The weights are transformed once (WinogradWeights), 4× their
// size, so the executor uses it only where the planes are large enough to pay and the weights
// small enough to keep (winogradPays).
#include <cstdint>
#include <vector>

namespace qf::kernels {

struct WinogradWeights {
    int64_t outC = 0, inC = 0;
    std::vector<float> u;  // [36 tile positions][outC][inC]
};

// weights: outC × inC × 3 × 3, row-major (ONNX/Caffe layout).
WinogradWeights transformWinogradWeights(const float* weights, int64_t outC, int64_t inC);

// Whether F(4×4, 3×3) beats im2col + GEMM for this layer and output plane, and its transformed
// weights are small enough to keep.
bool winogradPays(int64_t outC, int64_t inC, int64_t outH, int64_t outW);

// One image: out (outC × outH × outW) = conv(image (inC × inH × inW), weights) + bias (may be
// null), stride 1, no dilation, padding padTop / padLeft (the output size implies the rest).
void winogradConv3x3(const WinogradWeights& weights, const float* image, int64_t inH, int64_t inW,
                     int64_t padTop, int64_t padLeft, int64_t outH, int64_t outW, const float* bias,
                     float* out);

}  // namespace qf::kernels

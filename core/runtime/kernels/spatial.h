#pragma once
// Geometry shared by convolution and pooling kernels: 1-D and 2-D spatial ops are both run as
// 2-D (a 1-D op is a 2-D op of height 1).
#include <algorithm>
#include <cstdint>
#include <vector>

#include "graph/graph.h"

namespace qf::kernels {

struct Window2d {
    int64_t kernelH = 1, kernelW = 1;
    int64_t strideH = 1, strideW = 1;
    int64_t dilationH = 1, dilationW = 1;
    int64_t padTop = 0, padLeft = 0, padBottom = 0, padRight = 0;
};

// Reads kernel_shape, strides, dilations and pads (ONNX layout [begins..., ends...]) for an op
// with `spatialRank` (1 or 2) spatial axes; kernelShape comes from the weights when not an attr.
Window2d readWindow(const Node& node, int spatialRank, const std::vector<int64_t>& kernelShape);

// Resolves auto_pad SAME_UPPER / SAME_LOWER / VALID for forward (conv, pooling) windows.
void applyAutoPad(const Node& node, Window2d& window, int64_t inH, int64_t inW);

// Window and output size of a transposed convolution: output_padding, output_shape and
// auto_pad resolved into pads (a negative end pad grows the output, as ONNX Runtime does).
void transposedWindow(const Node& node, int spatialRank, int64_t inH, int64_t inW,
                      const std::vector<int64_t>& kernelShape, Window2d& window, int64_t& outH, int64_t& outW);

// out[c, oy, ox] += columns[(c, ky, kx), (iy, ix)] for every tap that lands inside the output:
// the scatter half of a transposed convolution.
void col2imAccumulate(const float* columns, int64_t channels, const Window2d& window, int64_t inH, int64_t inW,
                      int64_t outH, int64_t outW, float* out);

// columns[(c, ky, kx), (oy, ox)] = image[c, iy, ix], or `padding` outside the image.
template <typename Value>
void im2col(const Value* image, int64_t channels, int64_t inH, int64_t inW, const Window2d& w, int64_t outH,
            int64_t outW, Value padding, Value* columns) {
    const int64_t outSize = outH * outW;
#pragma omp parallel for if (channels * w.kernelH * w.kernelW * outSize > 32768)
    for (int64_t row = 0; row < channels * w.kernelH * w.kernelW; ++row) {
        const int64_t c = row / (w.kernelH * w.kernelW);
        const int64_t ky = (row / w.kernelW) % w.kernelH;
        const int64_t kx = row % w.kernelW;
        Value* dst = columns + row * outSize;
        const Value* plane = image + c * inH * inW;
        for (int64_t oy = 0; oy < outH; ++oy) {
            const int64_t iy = oy * w.strideH - w.padTop + ky * w.dilationH;
            Value* line = dst + oy * outW;
            if (iy < 0 || iy >= inH) {
                std::fill(line, line + outW, padding);
                continue;
            }
            const Value* src = plane + iy * inW;
            for (int64_t ox = 0; ox < outW; ++ox) {
                const int64_t ix = ox * w.strideW - w.padLeft + kx * w.dilationW;
                line[ox] = (ix >= 0 && ix < inW) ? src[ix] : padding;
            }
        }
    }
}

inline int64_t convOutputSize(int64_t in, int64_t padBegin, int64_t padEnd, int64_t kernel,
                              int64_t stride, int64_t dilation) {
    return (in + padBegin + padEnd - ((kernel - 1) * dilation + 1)) / stride + 1;
}

}  // namespace qf::kernels

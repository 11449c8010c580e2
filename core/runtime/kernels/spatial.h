#pragma once
// Geometry shared by convolution and pooling kernels: 1-D and 2-D spatial ops are both run as
// 2-D (a 1-D op is a 2-D op of height 1).
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

inline int64_t convOutputSize(int64_t in, int64_t padBegin, int64_t padEnd, int64_t kernel,
                              int64_t stride, int64_t dilation) {
    return (in + padBegin + padEnd - ((kernel - 1) * dilation + 1)) / stride + 1;
}

}  // namespace qf::kernels

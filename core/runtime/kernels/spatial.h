#pragma once
// Geometry shared by convolution and pooling kernels: 1-D and 2-D spatial ops are both run as
// 2-D (a 1-D op is a 2-D op of height 1).
#include <algorithm>
#include <cstdint>
#include <vector>

#include "graph/graph.h"
#include "runtime/parallel.h"

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
                      const std::vector<int64_t>& kernelShape, Window2d& window, int64_t& outH,
                      int64_t& outW);

// out[c, oy, ox] += columns[(c, ky, kx), (iy, ix)] for every tap that lands inside the output:
// the scatter half of a transposed convolution.
void col2imAccumulate(const float* columns, int64_t channels, const Window2d& window, int64_t inH,
                      int64_t inW, int64_t outH, int64_t outW, float* out);

// First output index whose input index (o * stride - pad + offset) is >= 0, and the first
// whose input index is >= size: the outputs in between read inside the input.
inline void validRange(int64_t size, int64_t outputs, int64_t stride, int64_t pad, int64_t offset,
                       int64_t& begin, int64_t& end) {
    const auto firstAtLeast =
        [&](int64_t limit) {  // smallest o with o * stride - pad + offset >= limit
            const int64_t numerator = limit + pad - offset;
            const int64_t o = numerator <= 0 ? 0 : (numerator + stride - 1) / stride;
            return std::min(o, outputs);
        };
    begin = firstAtLeast(0);
    end = std::max(begin, firstAtLeast(size));
}

// Writes `count` copies of value; the edge runs of an im2col row are mostly 0 or 1 long, and a
// memset call for one byte costs more than the copy of the row.
template <typename Value>
inline void fillShort(Value* first, int64_t count, Value value) {
    if (count == 1)
        *first = value;
    else if (count > 1)
        std::fill(first, first + count, value);
}

// One (c, ky, kx) row of a stride-1 im2col whose output rows are as wide as the input's
// (`same` padding): the taps of all valid output rows are one contiguous run of the plane, so
// they are copied at once and only the padded edge columns are written afterwards. The run is
// clipped to the plane; what the clipping leaves unwritten lies in those edge columns. The
// window comes by value: stores through a byte pointer could alias a referenced one, which
// would make the compiler reload its fields in every loop.
template <typename Value>
void im2colSameWidthRow(const Value* plane, int64_t inH, int64_t inW, const Window2d w,
                        int64_t outH, int64_t ky, int64_t kx, Value padding, Value* dst) {
    const int64_t outW = inW;
    int64_t oyBegin = 0, oyEnd = 0, oxBegin = 0, oxEnd = 0;
    validRange(inH, outH, 1, w.padTop, ky * w.dilationH, oyBegin, oyEnd);
    validRange(inW, outW, 1, w.padLeft, kx * w.dilationW, oxBegin, oxEnd);
    std::fill(dst, dst + oyBegin * outW, padding);
    std::fill(dst + oyEnd * outW, dst + outH * outW, padding);
    if (oyEnd <= oyBegin) return;
    // dst[oy * outW + ox] = plane[shift + oy * outW + ox] for every tap inside the image.
    const int64_t shift = (ky * w.dilationH - w.padTop) * inW + kx * w.dilationW - w.padLeft;
    const int64_t first = std::max<int64_t>(oyBegin * outW, -shift);
    const int64_t last = std::min<int64_t>(oyEnd * outW, inH * inW - shift);
    if (last > first) std::copy(plane + (shift + first), plane + (shift + last), dst + first);
    const int64_t tail = outW - oxEnd;
    for (int64_t oy = oyBegin; oy < oyEnd; ++oy) {
        Value* line = dst + oy * outW;
        fillShort(line, oxBegin, padding);
        fillShort(line + oxEnd, tail, padding);
    }
}

// out[i] = source[2 i]: the columns of a stride-2 row. Distinct pointers let it vectorise.
template <typename Value>
inline void gatherEveryOther(const Value* __restrict source, Value* __restrict out, int64_t count) {
    for (int64_t i = 0; i < count; ++i) out[i] = source[2 * i];
}

// One (c, ky, kx) row of any other im2col: each output row splits into a padded head, a copied
// middle (contiguous when the stride is 1) and a tail. The window comes by value, as above.
template <typename Value>
void im2colRow(const Value* plane, int64_t inH, int64_t inW, const Window2d w, int64_t outH,
               int64_t outW, int64_t ky, int64_t kx, Value padding, Value* dst) {
    int64_t oxBegin = 0, oxEnd = 0;
    validRange(inW, outW, w.strideW, w.padLeft, kx * w.dilationW, oxBegin, oxEnd);
    const int64_t strideW = w.strideW;
    for (int64_t oy = 0; oy < outH; ++oy) {
        const int64_t iy = oy * w.strideH - w.padTop + ky * w.dilationH;
        Value* line = dst + oy * outW;
        if (iy < 0 || iy >= inH) {
            std::fill(line, line + outW, padding);
            continue;
        }
        // Index arithmetic, not pointer arithmetic: the row's origin may lie before the image.
        const int64_t origin = iy * inW - w.padLeft + kx * w.dilationW;
        fillShort(line, oxBegin, padding);
        if (strideW == 1) {
            if (oxEnd > oxBegin)
                std::copy(plane + origin + oxBegin, plane + origin + oxEnd, line + oxBegin);
        } else if (oxEnd > oxBegin) {
            const Value* source = plane + (origin + oxBegin * strideW);  // inside the image
            if (strideW == 2)
                gatherEveryOther(source, line + oxBegin, oxEnd - oxBegin);
            else
                for (int64_t ox = 0; ox < oxEnd - oxBegin; ++ox)
                    line[oxBegin + ox] = source[ox * strideW];
        }
        fillShort(line + oxEnd, outW - oxEnd, padding);
    }
}

// columns[(c, ky, kx), (oy, ox)] = image[c, iy, ix], or `padding` outside the image.
template <typename Value>
void im2col(const Value* image, int64_t channels, int64_t inH, int64_t inW, const Window2d& w,
            int64_t outH, int64_t outW, Value padding, Value* columns) {
    const int64_t outSize = outH * outW;
    const bool sameWidth = w.strideH == 1 && w.strideW == 1 && outW == inW;
    parallelFor(channels * w.kernelH * w.kernelW,
                channels * w.kernelH * w.kernelW * outSize > 32768,
                [&](int64_t rowBegin, int64_t rowEnd) {
                    for (int64_t row = rowBegin; row < rowEnd; ++row) {
                        const int64_t c = row / (w.kernelH * w.kernelW);
                        const int64_t ky = (row / w.kernelW) % w.kernelH;
                        const int64_t kx = row % w.kernelW;
                        Value* dst = columns + row * outSize;
                        const Value* plane = image + c * inH * inW;
                        if (sameWidth)
                            im2colSameWidthRow(plane, inH, inW, w, outH, ky, kx, padding, dst);
                        else
                            im2colRow(plane, inH, inW, w, outH, outW, ky, kx, padding, dst);
                    }
                });
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

// One depthwise channel: acc[oy, ox] += convert(plane[iy, ix]) * weight over every kernel tap
// that lands inside the image. Tap by tap and row by row, so the inner loop runs over a
// contiguous output row without bounds checks (and vectorizes for stride 1).
template <typename Input, typename Weight, typename Accumulator, typename Convert>
void depthwiseAccumulate(const Input* plane, int64_t inH, int64_t inW, const Weight* kernel,
                         const Window2d& w, int64_t outH, int64_t outW, Convert convert,
                         Accumulator* acc) {
    for (int64_t ky = 0; ky < w.kernelH; ++ky)
        for (int64_t kx = 0; kx < w.kernelW; ++kx) {
            int64_t oxBegin = 0, oxEnd = 0;
            validRange(inW, outW, w.strideW, w.padLeft, kx * w.dilationW, oxBegin, oxEnd);
            const Accumulator weight = static_cast<Accumulator>(kernel[ky * w.kernelW + kx]);
            for (int64_t oy = 0; oy < outH; ++oy) {
                const int64_t iy = oy * w.strideH - w.padTop + ky * w.dilationH;
                if (iy < 0 || iy >= inH) continue;
                const int64_t origin = iy * inW - w.padLeft + kx * w.dilationW;
                Accumulator* row = acc + oy * outW;
                if (w.strideW == 1) {
                    for (int64_t ox = oxBegin; ox < oxEnd; ++ox)
                        row[ox] += convert(plane[origin + ox]) * weight;
                } else {
                    for (int64_t ox = oxBegin; ox < oxEnd; ++ox)
                        row[ox] += convert(plane[origin + ox * w.strideW]) * weight;
                }
            }
        }
}

inline int64_t convOutputSize(int64_t in, int64_t padBegin, int64_t padEnd, int64_t kernel,
                              int64_t stride, int64_t dilation) {
    return (in + padBegin + padEnd - ((kernel - 1) * dilation + 1)) / stride + 1;
}

}  // namespace qf::kernels

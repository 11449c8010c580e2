// Convolution and transposed convolution. Conv is im2col + Eigen GEMM per group (a 1x1 stride-1
// conv multiplies the input directly), depthwise convs run a direct loop per channel.
#include <algorithm>
#include <cstring>

#include "runtime/kernels/conv_cache.h"
#include "runtime/kernels/depthwise.h"
#include "runtime/kernels/kernels.h"
#include "runtime/kernels/scratch.h"
#include "runtime/kernels/sgemm.h"
#include "runtime/kernels/spatial.h"
#include "runtime/parallel.h"
#include "runtime/value_pool.h"

namespace qf::kernels {
namespace {

struct Geometry {
    int64_t batch, inC, inH, inW, outC, outH, outW, group;
    Window2d w;
};

// Views rank-3 (N, C, W) tensors as rank-4 with H = 1.
void spatialDims(const Node& node, const Tensor& x, int64_t& n, int64_t& c, int64_t& h,
                 int64_t& w) {
    if (x.rank() == 4) {
        n = x.shape[0], c = x.shape[1], h = x.shape[2], w = x.shape[3];
    } else if (x.rank() == 3) {
        n = x.shape[0], c = x.shape[1], h = 1, w = x.shape[2];
    } else {
        kernelError(node, "expects a 3-D or 4-D input, got " + shapeToString(x.shape));
    }
}

std::vector<int64_t> kernelShapeOf(const Tensor& weights) {
    return std::vector<int64_t>(weights.shape.begin() + 2, weights.shape.end());
}

void depthwise(const float* input, const float* weights, const float* bias, const Geometry& g,
               float* output) {
    const Window2d& w = g.w;
    const int64_t multiplier = g.outC / g.inC;
    parallelFor(g.outC, true, [&](int64_t ocBegin, int64_t ocEnd) {
        for (int64_t oc = ocBegin; oc < ocEnd; ++oc) {
            depthwiseChannel(input + (oc / multiplier) * g.inH * g.inW, g.inH, g.inW,
                             weights + oc * w.kernelH * w.kernelW, w, g.outH, g.outW,
                             bias ? bias[oc] : 0.0f, output + oc * g.outH * g.outW);
        }
    });
}

void addBias(float* output, const float* bias, int64_t channels, int64_t planeSize) {
    if (!bias) return;
    parallelFor(channels, channels * planeSize >= (1 << 15), [&](int64_t cBegin, int64_t cEnd) {
        for (int64_t c = cBegin; c < cEnd; ++c) {
            float* plane = output + c * planeSize;
            for (int64_t k = 0; k < planeSize; ++k) plane[k] += bias[c];
        }
    });
}

Shape outputShape(const Tensor& x, int64_t n, int64_t c, int64_t h, int64_t w) {
    return x.rank() == 4 ? Shape{n, c, h, w} : Shape{n, c, w};
}

}  // namespace

void conv(const Node& node, const std::vector<const Tensor*>& inputs,
          std::vector<Tensor>& outputs) {
    convCached(nullptr, node, inputs, outputs);
}

void convCached(ConvCache* cache, const Node& node, const std::vector<const Tensor*>& inputs,
                std::vector<Tensor>& outputs) {
    const Tensor& x = requireInput(node, inputs, 0);
    const Tensor& weights = requireInput(node, inputs, 1);
    const Tensor* bias = inputs.size() > 2 ? inputs[2] : nullptr;
    Geometry g{};
    spatialDims(node, x, g.batch, g.inC, g.inH, g.inW);
    if (weights.rank() != x.rank()) kernelError(node, "weights and input ranks differ");
    g.group = node.attrInt("group", 1);
    g.outC = weights.shape[0];
    const int64_t groupInC = weights.shape[1];
    if (g.group <= 0 || g.inC != groupInC * g.group || g.outC % g.group != 0)
        kernelError(node, "input has " + std::to_string(g.inC) + " channels but weights " +
                              shapeToString(weights.shape) + " with group " +
                              std::to_string(g.group) + " expect " +
                              std::to_string(groupInC * g.group));
    if (bias && bias->numel() != g.outC)
        kernelError(node, "bias size differs from output channels");
    g.w = readWindow(node, x.rank() - 2, kernelShapeOf(weights));
    applyAutoPad(node, g.w, g.inH, g.inW);
    g.outH =
        convOutputSize(g.inH, g.w.padTop, g.w.padBottom, g.w.kernelH, g.w.strideH, g.w.dilationH);
    g.outW =
        convOutputSize(g.inW, g.w.padLeft, g.w.padRight, g.w.kernelW, g.w.strideW, g.w.dilationW);
    if (g.outH <= 0 || g.outW <= 0)
        kernelError(node, "input " + shapeToString(x.shape) + " is smaller than the kernel");

    Tensor& y = outputs[0];
    const Shape outShape = outputShape(x, g.batch, g.outC, g.outH, g.outW);
    if (shapeOnly(inputs, y, outShape, DataType::Float32)) return;
    y = floatsToOverwrite(outShape);
    const float* biasData = bias ? bias->f.data() : nullptr;
    const int64_t outPlane = g.outH * g.outW;
    const int64_t groupOutC = g.outC / g.group;
    const int64_t patch = groupInC * g.w.kernelH * g.w.kernelW;
    const bool pointwise = g.w.kernelH == 1 && g.w.kernelW == 1 && g.w.strideH == 1 &&
                           g.w.strideW == 1 && g.w.padTop == 0 && g.w.padLeft == 0 &&
                           g.w.padBottom == 0 && g.w.padRight == 0;
    // A dense 3×3 stride-1 layer takes Winograd (which needs a cache for its weights) or the
    // direct kernel where either pays.
    const bool plain3x3 = g.group == 1 && x.rank() == 4 && g.w.kernelH == 3 && g.w.kernelW == 3 &&
                          g.w.strideH == 1 && g.w.strideW == 1 && g.w.dilationH == 1 &&
                          g.w.dilationW == 1;
    if (plain3x3 && cache && winogradPays(g.outC, g.inC, g.outH, g.outW)) {
        std::call_once(cache->winogradOnce, [&] {
            cache->winograd = transformWinogradWeights(weights.f.data(), g.outC, g.inC);
        });
        for (int64_t n = 0; n < g.batch; ++n)
            winogradConv3x3(cache->winograd, x.f.data() + n * g.inC * g.inH * g.inW, g.inH, g.inW,
                            g.w.padTop, g.w.padLeft, g.outH, g.outW, biasData,
                            y.f.data() + n * g.outC * outPlane);
        return;
    }
    if (plain3x3 && direct3x3Available() && direct3x3Pays(g.outC, g.inC, g.outH, g.outW)) {
        // Reordered once per node when the executor keeps a cache, else once per call.
        Direct3x3Weights uncached;
        if (cache)
            std::call_once(cache->directOnce, [&] {
                cache->direct = reorderDirect3x3Weights(weights.f.data(), g.outC, g.inC);
            });
        else
            uncached = reorderDirect3x3Weights(weights.f.data(), g.outC, g.inC);
        const Direct3x3Weights& reordered = cache ? cache->direct : uncached;
        for (int64_t n = 0; n < g.batch; ++n)
            direct3x3(reordered, x.f.data() + n * g.inC * g.inH * g.inW, g.inH, g.inW, g.w.padTop,
                      g.w.padLeft, biasData, g.outH, g.outW, y.f.data() + n * g.outC * outPlane);
        return;
    }
    const Scratch<float> columns(pointwise ? 0 : static_cast<size_t>(patch * outPlane));
    for (int64_t n = 0; n < g.batch; ++n) {
        const float* image = x.f.data() + n * g.inC * g.inH * g.inW;
        float* out = y.f.data() + n * g.outC * outPlane;
        if (groupInC == 1 && g.group == g.inC) {
            depthwise(image, weights.f.data(), biasData, g, out);
            continue;
        }
        for (int64_t grp = 0; grp < g.group; ++grp) {
            const float* groupImage = image + grp * groupInC * g.inH * g.inW;
            const float* source = groupImage;
            if (!pointwise) {
                im2col(groupImage, groupInC, g.inH, g.inW, g.w, g.outH, g.outW, 0.0f,
                       columns.data());
                source = columns.data();
            }
            // The product adds to the bias, which saves zeroing the output and a pass after.
            float* groupOut = out + grp * groupOutC * outPlane;
            for (int64_t c = 0; c < groupOutC; ++c)
                std::fill(groupOut + c * outPlane, groupOut + (c + 1) * outPlane,
                          biasData ? biasData[grp * groupOutC + c] : 0.0f);
            sgemmAccumulate(false, false, groupOutC, outPlane, patch,
                            weights.f.data() + grp * groupOutC * patch, source, groupOut);
        }
    }
}

void convTranspose(const Node& node, const std::vector<const Tensor*>& inputs,
                   std::vector<Tensor>& outputs) {
    const Tensor& x = requireInput(node, inputs, 0);
    const Tensor& weights = requireInput(node, inputs, 1);
    const Tensor* bias = inputs.size() > 2 ? inputs[2] : nullptr;
    Geometry g{};
    spatialDims(node, x, g.batch, g.inC, g.inH, g.inW);
    if (weights.rank() != x.rank()) kernelError(node, "weights and input ranks differ");
    g.group = node.attrInt("group", 1);
    if (g.group <= 0 || weights.shape[0] != g.inC || g.inC % g.group != 0)
        kernelError(node, "input has " + std::to_string(g.inC) + " channels but weights are " +
                              shapeToString(weights.shape));
    const int64_t groupOutC = weights.shape[1];
    const int64_t groupInC = g.inC / g.group;
    g.outC = groupOutC * g.group;
    if (bias && bias->numel() != g.outC)
        kernelError(node, "bias size differs from output channels");
    transposedWindow(node, x.rank() - 2, g.inH, g.inW, kernelShapeOf(weights), g.w, g.outH, g.outW);
    if (g.outH <= 0 || g.outW <= 0) kernelError(node, "padding leaves an empty output");

    Tensor& y = outputs[0];
    const Shape outShape = outputShape(x, g.batch, g.outC, g.outH, g.outW);
    if (shapeOnly(inputs, y, outShape, DataType::Float32)) return;
    y = Tensor::floats(outShape);
    const int64_t inPlane = g.inH * g.inW;
    const int64_t outPlane = g.outH * g.outW;
    const int64_t patch = groupOutC * g.w.kernelH * g.w.kernelW;
    const Scratch<float> columns(static_cast<size_t>(patch * inPlane));
    for (int64_t n = 0; n < g.batch; ++n) {
        float* out = y.f.data() + n * g.outC * outPlane;
        for (int64_t grp = 0; grp < g.group; ++grp) {
            // columns[(oc, ky, kx), (iy, ix)] = sum over ic of W[ic, oc, ky, kx] * x[ic, iy, ix]
            const float* groupImage = x.f.data() + (n * g.inC + grp * groupInC) * inPlane;
            sgemm(true, false, patch, inPlane, groupInC, weights.f.data() + grp * groupInC * patch,
                  groupImage, columns.data());
            col2imAccumulate(columns.data(), groupOutC, g.w, g.inH, g.inW, g.outH, g.outW,
                             out + grp * groupOutC * outPlane);
        }
        addBias(out, bias ? bias->f.data() : nullptr, g.outC, outPlane);
    }
}

}  // namespace qf::kernels

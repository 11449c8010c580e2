#include "runtime/kernels/spatial.h"

#include "runtime/kernel.h"
#include "runtime/parallel.h"

namespace qf::kernels {

Window2d readWindow(const Node& node, int spatialRank, const std::vector<int64_t>& kernelShape) {
    if (spatialRank < 1 || spatialRank > 2)
        kernelError(node, "only 1-D and 2-D spatial ops are supported");
    const auto kernel = node.attrInts("kernel_shape", kernelShape);
    const auto strides = node.attrInts("strides", std::vector<int64_t>(spatialRank, 1));
    const auto dilations = node.attrInts("dilations", std::vector<int64_t>(spatialRank, 1));
    const auto pads = node.attrInts("pads", std::vector<int64_t>(2 * spatialRank, 0));
    if (static_cast<int>(kernel.size()) != spatialRank ||
        static_cast<int>(strides.size()) != spatialRank ||
        static_cast<int>(dilations.size()) != spatialRank ||
        static_cast<int>(pads.size()) != 2 * spatialRank)
        kernelError(node, "kernel_shape, strides, dilations or pads do not match the input rank");
    Window2d w;
    if (spatialRank == 2) {
        w.kernelH = kernel[0];
        w.kernelW = kernel[1];
        w.strideH = strides[0];
        w.strideW = strides[1];
        w.dilationH = dilations[0];
        w.dilationW = dilations[1];
        w.padTop = pads[0];
        w.padLeft = pads[1];
        w.padBottom = pads[2];
        w.padRight = pads[3];
    } else {
        w.kernelW = kernel[0];
        w.strideW = strides[0];
        w.dilationW = dilations[0];
        w.padLeft = pads[0];
        w.padRight = pads[1];
    }
    if (w.kernelH <= 0 || w.kernelW <= 0 || w.strideH <= 0 || w.strideW <= 0 || w.dilationH <= 0 ||
        w.dilationW <= 0)
        kernelError(node, "kernel, stride and dilation must be positive");
    if (w.padTop < 0 || w.padLeft < 0 || w.padBottom < 0 || w.padRight < 0)
        kernelError(node, "pads must not be negative");
    // A convolution reads its window from the weights; an attribute that says otherwise would
    // make the kernel index past them.
    if (!kernelShape.empty() && kernel != kernelShape)
        kernelError(node, "kernel_shape " + shapeToString(kernel) +
                              " disagrees with the weights' " + shapeToString(kernelShape));
    return w;
}

namespace {

void samePadding(int64_t in, int64_t kernel, int64_t stride, int64_t dilation, bool upper,
                 int64_t& begin, int64_t& end) {
    const int64_t out = (in + stride - 1) / stride;
    const int64_t total =
        std::max<int64_t>(0, (out - 1) * stride + (kernel - 1) * dilation + 1 - in);
    begin = upper ? total / 2 : total - total / 2;
    end = total - begin;
}

}  // namespace

void applyAutoPad(const Node& node, Window2d& w, int64_t inH, int64_t inW) {
    const std::string autoPad = node.attrString("auto_pad", "NOTSET");
    if (autoPad == "NOTSET" || autoPad.empty()) return;
    if (autoPad == "VALID") {
        w.padTop = w.padLeft = w.padBottom = w.padRight = 0;
    } else if (autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER") {
        const bool upper = autoPad == "SAME_UPPER";
        samePadding(inH, w.kernelH, w.strideH, w.dilationH, upper, w.padTop, w.padBottom);
        samePadding(inW, w.kernelW, w.strideW, w.dilationW, upper, w.padLeft, w.padRight);
    } else {
        kernelError(node, "unknown auto_pad '" + autoPad + "'");
    }
}

void transposedWindow(const Node& node, int spatialRank, int64_t inH, int64_t inW,
                      const std::vector<int64_t>& kernelShape, Window2d& w, int64_t& outH,
                      int64_t& outW) {
    w = readWindow(node, spatialRank, kernelShape);
    auto outputPadding = node.attrInts("output_padding", std::vector<int64_t>(spatialRank, 0));
    if (spatialRank == 1) outputPadding.insert(outputPadding.begin(), 0);
    const auto fullSize = [](int64_t in, int64_t stride, int64_t kernel, int64_t dilation,
                             int64_t extra) {
        return stride * (in - 1) + extra + (kernel - 1) * dilation + 1;
    };
    const int64_t fullH = fullSize(inH, w.strideH, w.kernelH, w.dilationH, outputPadding[0]);
    const int64_t fullW = fullSize(inW, w.strideW, w.kernelW, w.dilationW, outputPadding[1]);
    const std::string autoPad = node.attrString("auto_pad", "NOTSET");
    auto outputShape = node.attrInts("output_shape");
    if (static_cast<int>(outputShape.size()) > spatialRank)
        outputShape.erase(outputShape.begin(), outputShape.end() - spatialRank);
    if (spatialRank == 1 && !outputShape.empty()) outputShape.insert(outputShape.begin(), 1);
    const bool same = autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER";
    if (!outputShape.empty() || same) {
        const int64_t wantH = !outputShape.empty() ? outputShape[0] : inH * w.strideH;
        const int64_t wantW = !outputShape.empty() ? outputShape[1] : inW * w.strideW;
        const bool upper = autoPad != "SAME_LOWER";
        const auto split = [upper](int64_t total, int64_t& begin, int64_t& end) {
            begin = total <= 0 ? 0 : upper ? total / 2 : total - total / 2;
            end = total - begin;
        };
        split(fullH - wantH, w.padTop, w.padBottom);
        split(fullW - wantW, w.padLeft, w.padRight);
    } else if (autoPad == "VALID") {
        w.padTop = w.padLeft = w.padBottom = w.padRight = 0;
    }
    outH = fullH - w.padTop - w.padBottom;
    outW = fullW - w.padLeft - w.padRight;
}

void col2imAccumulate(const float* columns, int64_t channels, const Window2d& w, int64_t inH,
                      int64_t inW, int64_t outH, int64_t outW, float* out) {
    const int64_t inPlane = inH * inW;
    parallelFor(channels, true, [&](int64_t cBegin, int64_t cEnd) {
        for (int64_t c = cBegin; c < cEnd; ++c) {
            float* plane = out + c * outH * outW;
            for (int64_t ky = 0; ky < w.kernelH; ++ky)
                for (int64_t kx = 0; kx < w.kernelW; ++kx) {
                    const float* col = columns + ((c * w.kernelH + ky) * w.kernelW + kx) * inPlane;
                    for (int64_t iy = 0; iy < inH; ++iy) {
                        const int64_t oy = iy * w.strideH - w.padTop + ky * w.dilationH;
                        if (oy < 0 || oy >= outH) continue;
                        for (int64_t ix = 0; ix < inW; ++ix) {
                            const int64_t ox = ix * w.strideW - w.padLeft + kx * w.dilationW;
                            if (ox >= 0 && ox < outW) plane[oy * outW + ox] += col[iy * inW + ix];
                        }
                    }
                }
        }
    });
}

}  // namespace qf::kernels

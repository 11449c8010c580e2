#include "runtime/kernels/spatial.h"

#include "runtime/kernel.h"

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
    return w;
}

namespace {

void samePadding(int64_t in, int64_t kernel, int64_t stride, int64_t dilation, bool upper,
                 int64_t& begin, int64_t& end) {
    const int64_t out = (in + stride - 1) / stride;
    const int64_t total = std::max<int64_t>(0, (out - 1) * stride + (kernel - 1) * dilation + 1 - in);
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

}  // namespace qf::kernels

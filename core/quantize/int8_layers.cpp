#include "quantize/int8_layers.h"

#include <algorithm>

#include "quantize/int8_plan.h"
#include "runtime/kernel.h"
#include "runtime/kernels/depthwise.h"
#include "runtime/kernels/scratch.h"
#include "runtime/kernels/spatial.h"
#include "runtime/parallel.h"
#include "runtime/value_pool.h"
#include "util/error.h"

namespace qf {
namespace {

using kernels::Window2d;

std::vector<float> biasOf(const Graph& graph, const Node& node, int64_t channels) {
    if (node.input(2).empty()) return std::vector<float>(static_cast<size_t>(channels), 0.0f);
    const Tensor* bias = graph.weight(node.input(2));
    if (!bias) throw Error("node '" + node.name + "': bias is not a constant; cannot quantize");
    if (bias->numel() == channels) return bias->f;
    if (bias->numel() == 1) return std::vector<float>(static_cast<size_t>(channels), bias->f[0]);
    throw Error("node '" + node.name + "': bias of " + std::to_string(bias->numel()) +
                " values for " + std::to_string(channels) + " channels");
}

// out[p] = clamp(float(acc[p] − correction) · multiplier + bias, low, high): the epilogue of
// every int8 conv, cloned per ISA. Contraction is off, so no clone fuses the multiply and the
// add and every clone gives the baseline's values.
__attribute__((target_clones("avx512f", "avx2", "default"), optimize("fp-contract=off"))) void
dequantizeRange(const int32_t* acc, int64_t count, int32_t correction, float multiplier, float bias,
                float low, float high, float* out) {
    for (int64_t p = 0; p < count; ++p)
        out[p] = std::clamp(static_cast<float>(acc[p] - correction) * multiplier + bias, low, high);
}

std::vector<uint8_t> quantizeInput(const Tensor& x, const ActivationQuantization& q) {
    std::vector<uint8_t> storage(x.f.size());
    quantizeToStorage(x.f.data(), x.numel(), q, storage.data());
    return storage;
}

// Conv: per group, im2col of the stored input (padding with the stored zero), int8 GEMM,
// then y = (acc - offset * rowSum) * inputScale * weightScale[oc] + bias[oc]. Depthwise convs
// accumulate directly.
class Int8Conv : public Int8Layer {
public:
    Int8Conv(const Graph& graph, const Node& node, const ActivationQuantization& input,
             const Int8LayerOptions& options)
        : node_(node), input_(input), kernel_(options.kernel) {
        const Tensor& w = *graph.weight(node.input(1));
        if (w.rank() != 4)
            throw Error("node '" + node.name + "': int8 Conv supports 2-D convolutions only");
        outC_ = w.shape[0];
        groupInC_ = w.shape[1];
        kernelShape_ = {w.shape[2], w.shape[3]};
        group_ = node.attrInt("group", 1);
        const QuantizedWeights q = quantizeWeights(node, w, options.perChannelWeights);
        weightScales_ = q.scales;
        bias_ = biasOf(graph, node, outC_);
        const int64_t groupOutC = outC_ / group_;
        const int64_t depth = groupInC_ * kernelShape_[0] * kernelShape_[1];
        depthwise_ = groupInC_ == 1 && group_ > 1;
        if (depthwise_) {
            depthwiseWeights_ = q.values;
        } else {
            for (int64_t g = 0; g < group_; ++g)
                packed_.push_back(
                    packInt8Weights(q.values.data() + g * groupOutC * depth, groupOutC, depth));
        }
    }

    void run(const Tensor& x, Tensor& y, bool activation) const override {
        if (x.rank() != 4) kernelError(node_, "int8 Conv expects a 4-D input");
        const int64_t batch = x.shape[0], inC = x.shape[1], inH = x.shape[2], inW = x.shape[3];
        if (inC != groupInC_ * group_)
            kernelError(node_, "input channels do not match the weights");
        Window2d w = kernels::readWindow(node_, 2, kernelShape_);
        kernels::applyAutoPad(node_, w, inH, inW);
        const int64_t outH =
            kernels::convOutputSize(inH, w.padTop, w.padBottom, w.kernelH, w.strideH, w.dilationH);
        const int64_t outW =
            kernels::convOutputSize(inW, w.padLeft, w.padRight, w.kernelW, w.strideW, w.dilationW);
        if (outH <= 0 || outW <= 0) kernelError(node_, "input is smaller than the kernel");
        y = floatsToOverwrite({batch, outC_, outH, outW});  // every value is written below
        const kernels::Scratch<uint8_t, 1> stored(x.f.size());
        quantizeToStorage(x.f.data(), x.numel(), input_, stored.data());
        const auto offset = static_cast<uint8_t>(input_.storageOffset());
        const int64_t outPlane = outH * outW, inPlane = inH * inW;
        const int64_t groupOutC = outC_ / group_;
        const int64_t depth = groupInC_ * w.kernelH * w.kernelW;
        const bool pointwise = w.kernelH == 1 && w.kernelW == 1 && w.strideH == 1 &&
                               w.strideW == 1 && w.padTop == 0 && w.padLeft == 0 &&
                               w.padBottom == 0 && w.padRight == 0;
        const kernels::Scratch<uint8_t> columns(
            depthwise_ || pointwise ? 0 : static_cast<size_t>(depth * outPlane));
        const kernels::Scratch<int32_t> accumulators(
            depthwise_ ? 0 : static_cast<size_t>(groupOutC * outPlane));
        for (int64_t n = 0; n < batch; ++n) {
            const uint8_t* image = stored.data() + n * inC * inPlane;
            float* out = y.f.data() + n * outC_ * outPlane;
            if (depthwise_) {
                runDepthwise(image, inH, inW, w, outH, outW, lowest(activation),
                             highest(activation), out);
                continue;
            }
            for (int64_t g = 0; g < group_; ++g) {
                const uint8_t* groupImage = image + g * groupInC_ * inPlane;
                const uint8_t* source = groupImage;
                if (!pointwise) {
                    kernels::im2col(groupImage, groupInC_, inH, inW, w, outH, outW, offset,
                                    columns.data());
                    source = columns.data();
                }
                int8Gemm(packed_[static_cast<size_t>(g)], source, outPlane, accumulators.data(),
                         kernel_);
                dequantize(accumulators.data(), packed_[static_cast<size_t>(g)].rowSums,
                           g * groupOutC, groupOutC, outPlane, lowest(activation),
                           highest(activation), out + g * groupOutC * outPlane);
            }
        }
    }

private:
    void dequantize(const int32_t* acc, const std::vector<int32_t>& rowSums, int64_t firstChannel,
                    int64_t channels, int64_t plane, float low, float high, float* out) const {
        const int32_t offset = input_.storageOffset();
        parallelFor(channels, channels * plane > 16384, [&](int64_t cBegin, int64_t cEnd) {
            for (int64_t c = cBegin; c < cEnd; ++c) {
                const int64_t oc = firstChannel + c;
                const float multiplier = input_.scale * weightScales_[static_cast<size_t>(oc)];
                const int32_t correction = offset * rowSums[static_cast<size_t>(c)];
                dequantizeRange(acc + c * plane, plane, correction, multiplier,
                                bias_[static_cast<size_t>(oc)], low, high, out + c * plane);
            }
        });
    }

    void runDepthwise(const uint8_t* image, int64_t inH, int64_t inW, const Window2d& w,
                      int64_t outH, int64_t outW, float low, float high, float* out) const {
        const int32_t offset = input_.storageOffset();
        const int64_t multiplier = outC_ / group_;
        parallelFor(outC_, true, [&](int64_t ocBegin, int64_t ocEnd) {
            for (int64_t oc = ocBegin; oc < ocEnd; ++oc) {
                const int64_t plane = outH * outW;
                const kernels::Scratch<int32_t, 1> sums(static_cast<size_t>(plane));
                kernels::depthwiseChannel(image + (oc / multiplier) * inH * inW, inH, inW,
                                          depthwiseWeights_.data() + oc * w.kernelH * w.kernelW, w,
                                          outH, outW, offset, sums.data());
                const float scale = input_.scale * weightScales_[static_cast<size_t>(oc)];
                dequantizeRange(sums.data(), plane, 0, scale, bias_[static_cast<size_t>(oc)], low,
                                high, out + oc * plane);
            }
        });
    }

    Node node_;
    ActivationQuantization input_;
    Int8Kernel kernel_;
    int64_t outC_ = 0, groupInC_ = 0, group_ = 1;
    std::vector<int64_t> kernelShape_;
    bool depthwise_ = false;
    std::vector<PackedInt8Weights> packed_;
    std::vector<int8_t> depthwiseWeights_;
    std::vector<float> weightScales_;
};

// ConvTranspose: per group, columns[(oc, ky, kx), pixel] = W^T x in int8, dequantized per
// output channel, then scattered into the output in float.
class Int8ConvTranspose : public Int8Layer {
public:
    Int8ConvTranspose(const Graph& graph, const Node& node, const ActivationQuantization& input,
                      const Int8LayerOptions& options)
        : node_(node), input_(input), kernel_(options.kernel) {
        const Tensor& w = *graph.weight(node.input(1));
        if (w.rank() != 4)
            throw Error("node '" + node.name + "': int8 ConvTranspose supports 2-D only");
        group_ = node.attrInt("group", 1);
        inC_ = w.shape[0];
        groupOutC_ = w.shape[1];
        kernelShape_ = {w.shape[2], w.shape[3]};
        const QuantizedWeights q = quantizeWeights(node, w, options.perChannelWeights);
        weightScales_ = q.scales;
        bias_ = biasOf(graph, node, groupOutC_ * group_);
        const int64_t groupInC = inC_ / group_;
        const int64_t spatial = kernelShape_[0] * kernelShape_[1];
        const int64_t rows = groupOutC_ * spatial;
        std::vector<int8_t> transposed(static_cast<size_t>(rows * groupInC));
        for (int64_t g = 0; g < group_; ++g) {
            for (int64_t ic = 0; ic < groupInC; ++ic)
                for (int64_t r = 0; r < rows; ++r)
                    transposed[static_cast<size_t>(r * groupInC + ic)] =
                        q.values[static_cast<size_t>((g * groupInC + ic) * rows + r)];
            packed_.push_back(packInt8Weights(transposed.data(), rows, groupInC));
        }
    }

    void run(const Tensor& x, Tensor& y, bool activation) const override {
        if (x.rank() != 4 || x.shape[1] != inC_)
            kernelError(node_, "input does not match the weights");
        const int64_t batch = x.shape[0], inH = x.shape[2], inW = x.shape[3];
        Window2d w;
        int64_t outH = 0, outW = 0;
        kernels::transposedWindow(node_, 2, inH, inW, kernelShape_, w, outH, outW);
        if (outH <= 0 || outW <= 0) kernelError(node_, "padding leaves an empty output");
        const int64_t outC = groupOutC_ * group_, inPlane = inH * inW, outPlane = outH * outW;
        const int64_t groupInC = inC_ / group_;
        const int64_t spatial = kernelShape_[0] * kernelShape_[1];
        const int64_t rows = groupOutC_ * spatial;
        y = Tensor::floats({batch, outC, outH, outW});
        const std::vector<uint8_t> stored = quantizeInput(x, input_);
        std::vector<int32_t> accumulators(static_cast<size_t>(rows * inPlane));
        std::vector<float> columns(accumulators.size());
        const int32_t offset = input_.storageOffset();
        for (int64_t n = 0; n < batch; ++n) {
            float* out = y.f.data() + n * outC * outPlane;
            for (int64_t g = 0; g < group_; ++g) {
                const PackedInt8Weights& packed = packed_[static_cast<size_t>(g)];
                int8Gemm(packed, stored.data() + (n * inC_ + g * groupInC) * inPlane, inPlane,
                         accumulators.data(), kernel_);
                for (int64_t r = 0; r < rows; ++r) {
                    const float multiplier =
                        input_.scale *
                        weightScales_[static_cast<size_t>(g * groupOutC_ + r / spatial)];
                    const int32_t correction = offset * packed.rowSums[static_cast<size_t>(r)];
                    for (int64_t p = 0; p < inPlane; ++p)
                        columns[static_cast<size_t>(r * inPlane + p)] =
                            static_cast<float>(accumulators[static_cast<size_t>(r * inPlane + p)] -
                                               correction) *
                            multiplier;
                }
                kernels::col2imAccumulate(columns.data(), groupOutC_, w, inH, inW, outH, outW,
                                          out + g * groupOutC_ * outPlane);
            }
            for (int64_t c = 0; c < outC; ++c)
                for (int64_t p = 0; p < outPlane; ++p)
                    out[c * outPlane + p] =
                        std::clamp(out[c * outPlane + p] + bias_[static_cast<size_t>(c)],
                                   lowest(activation), highest(activation));
        }
    }

private:
    Node node_;
    ActivationQuantization input_;
    Int8Kernel kernel_;
    int64_t group_ = 1, inC_ = 0, groupOutC_ = 0;
    std::vector<int64_t> kernelShape_;
    std::vector<PackedInt8Weights> packed_;
    std::vector<float> weightScales_;
};

// Gemm / InnerProduct: rows of B (as [N, K]) times each input row.
class Int8FullyConnected : public Int8Layer {
public:
    Int8FullyConnected(const Graph& graph, const Node& node, const ActivationQuantization& input,
                       const Int8LayerOptions& options)
        : node_(node), input_(input), kernel_(options.kernel) {
        const Tensor& w = *graph.weight(node.input(1));
        const bool transB = node.attrInt("transB", 0) != 0;
        outputs_ = transB ? w.shape[0] : w.shape[1];
        depth_ = transB ? w.shape[1] : w.shape[0];
        const QuantizedWeights q = quantizeWeights(node, w, options.perChannelWeights);
        weightScales_ = q.scales;
        std::vector<int8_t> rows(q.values.size());
        for (int64_t n = 0; n < outputs_; ++n)
            for (int64_t k = 0; k < depth_; ++k)
                rows[static_cast<size_t>(n * depth_ + k)] =
                    q.values[static_cast<size_t>(transB ? n * depth_ + k : k * outputs_ + n)];
        packed_ = packInt8Weights(rows.data(), outputs_, depth_);
        const float beta = node.attrFloat("beta", 1.0f);
        bias_ = biasOf(graph, node, outputs_);
        for (auto& b : bias_) b *= beta;
        alpha_ = node.attrFloat("alpha", 1.0f);
    }

    void run(const Tensor& x, Tensor& y, bool activation) const override {
        int64_t axis = node_.attrInt("axis", 1);
        if (axis < 0) axis += x.rank();
        int64_t batch = 1;
        for (int64_t k = 0; k < axis; ++k) batch *= x.shape[static_cast<size_t>(k)];
        if (batch * depth_ != x.numel())
            kernelError(node_, "input " + shapeToString(x.shape) + " does not fit the weights");
        const std::vector<uint8_t> stored = quantizeInput(x, input_);
        // B must be [K, batch]: transpose the stored rows.
        std::vector<uint8_t> columns(stored.size());
        for (int64_t m = 0; m < batch; ++m)
            for (int64_t k = 0; k < depth_; ++k)
                columns[static_cast<size_t>(k * batch + m)] =
                    stored[static_cast<size_t>(m * depth_ + k)];
        std::vector<int32_t> accumulators(static_cast<size_t>(outputs_ * batch));
        int8Gemm(packed_, columns.data(), batch, accumulators.data(), kernel_);
        y = floatsToOverwrite({batch, outputs_});  // every value is written below
        const int32_t offset = input_.storageOffset();
        for (int64_t n = 0; n < outputs_; ++n) {
            const float multiplier = alpha_ * input_.scale * weightScales_[static_cast<size_t>(n)];
            const int32_t correction = offset * packed_.rowSums[static_cast<size_t>(n)];
            for (int64_t m = 0; m < batch; ++m)
                y.f[static_cast<size_t>(m * outputs_ + n)] =
                    std::clamp(static_cast<float>(accumulators[static_cast<size_t>(n * batch + m)] -
                                                  correction) *
                                       multiplier +
                                   bias_[static_cast<size_t>(n)],
                               lowest(activation), highest(activation));
        }
    }

private:
    Node node_;
    ActivationQuantization input_;
    Int8Kernel kernel_;
    int64_t outputs_ = 0, depth_ = 0;
    float alpha_ = 1.0f;
    PackedInt8Weights packed_;
    std::vector<float> weightScales_;
};

}  // namespace

std::unique_ptr<Int8Layer> makeInt8Layer(const Graph& graph, const Node& node,
                                         const ActivationQuantization& input,
                                         const Int8LayerOptions& options) {
    // int8KernelRefusal is the one statement of which forms have an int8 kernel (the plan reads
    // it too); weights computed at run time stay FP32.
    if (int8KernelRefusal(graph, node) != Fp32Reason::None) return nullptr;
    if (node.op == "Conv") return std::make_unique<Int8Conv>(graph, node, input, options);
    if (node.op == "ConvTranspose")
        return std::make_unique<Int8ConvTranspose>(graph, node, input, options);
    if (node.op == "Gemm") return std::make_unique<Int8FullyConnected>(graph, node, input, options);
    return nullptr;
}

}  // namespace qf

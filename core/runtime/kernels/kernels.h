#pragma once
#include "runtime/kernel.h"

// Every kernel of the FP32 runtime, grouped by the file that implements it. The registry
// (runtime/kernel_registry.cpp) maps op names to these.
namespace qf::kernels {

#define QF_KERNEL(name)                                                   \
    void name(const Node& node, const std::vector<const Tensor*>& inputs, \
              std::vector<Tensor>& outputs)

// conv.cpp: Conv (group, depthwise, dilation, pads, auto_pad), ConvTranspose
QF_KERNEL(conv);
struct ConvCache;
// Conv with a place for the node's Winograd weights: 3×3 stride-1 layers where it pays
// (winograd.h) take that path. conv() is this without a cache (always im2col + GEMM).
void convCached(ConvCache* cache, const Node& node, const std::vector<const Tensor*>& inputs,
                std::vector<Tensor>& outputs);
QF_KERNEL(convTranspose);
// pool.cpp: MaxPool, AveragePool (Caffe and ONNX rounding), GlobalAveragePool, GlobalMaxPool
QF_KERNEL(maxPool);
QF_KERNEL(averagePool);
QF_KERNEL(globalAveragePool);
QF_KERNEL(globalMaxPool);
// gemm.cpp: Gemm (also Caffe InnerProduct: attr axis flattens), MatMul
QF_KERNEL(gemm);
QF_KERNEL(matMul);
// normalization.cpp: BatchNormalization, Scale, Bias (Caffe); softmax.cpp: Softmax
QF_KERNEL(batchNormalization);
QF_KERNEL(scale);
QF_KERNEL(bias);
QF_KERNEL(softmax);
// activation.cpp
QF_KERNEL(relu);
QF_KERNEL(leakyRelu);
QF_KERNEL(prelu);
QF_KERNEL(clip);
QF_KERNEL(sigmoid);
QF_KERNEL(hardSigmoid);
QF_KERNEL(hardSwish);
QF_KERNEL(tanh);
QF_KERNEL(exp);
QF_KERNEL(power);  // Caffe Power: (shift + scale*x)^power
// elementwise.cpp: numpy broadcasting, float and int64
QF_KERNEL(add);
QF_KERNEL(sub);
QF_KERNEL(mul);
QF_KERNEL(div);
QF_KERNEL(eltwise);  // Caffe Eltwise: SUM (coeffs), PROD, MAX
QF_KERNEL(sum);
QF_KERNEL(max);
// shape_ops.cpp
QF_KERNEL(concat);
QF_KERNEL(flatten);
QF_KERNEL(reshape);
QF_KERNEL(transpose);
QF_KERNEL(squeeze);
QF_KERNEL(unsqueeze);
QF_KERNEL(identity);  // also Dropout
QF_KERNEL(shape);
QF_KERNEL(gather);
QF_KERNEL(cast);
QF_KERNEL(constantOfShape);
QF_KERNEL(constant);
QF_KERNEL(slice);
QF_KERNEL(pad);
QF_KERNEL(crop);  // Caffe Crop
// resize.cpp: Resize and Upsample, nearest and linear
QF_KERNEL(resize);
QF_KERNEL(upsample);

#undef QF_KERNEL

}  // namespace qf::kernels

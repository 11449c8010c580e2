#pragma once
#include "graph/graph.h"

namespace qf {

// The same network as plain ONNX opset-13 nodes: Caffe layers without an ONNX twin (Scale,
// Bias, Eltwise, Power, Crop, InnerProduct's implicit flatten, Caffe Flatten/Reshape) become ONNX
// ops, and ONNX nodes of older opsets whose form changed by 13 (Softmax, Clip, Squeeze,
// Unsqueeze, Slice, Pad, Upsample, Dropout) are rewritten. The QDQ export builds on it, since
// per-channel DequantizeLinear needs opset 13. Throws qf::Error naming a node it cannot express.
Graph toOnnxOpset13(const Graph& graph);

}  // namespace qf

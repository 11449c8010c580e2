#pragma once
#include <string>

#include "graph/graph.h"

namespace qf {

// What kind of layer an op is, for colouring a graph view and grouping in lists.
enum class OpKind {
    Convolution,    // Conv, ConvTranspose, Gemm, MatMul
    Normalization,  // BatchNormalization, Scale, Bias
    Activation,
    Pooling,
    Elementwise,
    Shape,    // layout and shape ops, constants
    Other,    // known to the IR but none of the above (Softmax, Resize, ...)
    Unknown,  // not an IR op: kept from the file as it was (Caffe.<type>, unknown ONNX ops)
};
const char* opKindName(OpKind kind);

// The one table of op knowledge that the calibrator, the int8 plan, the fold pass, the QDQ
// export and the GUI read, so they cannot disagree.
struct OpTraits {
    OpKind kind = OpKind::Unknown;
    bool quantizable = false;  // runs as an int8 layer (int8 weights x int8 input)
    bool foldTarget = false;   // an affine node after it can fold into its weights and bias
    bool affine = false;       // per-channel y = m[c] * x + a[c]: folds into a foldTarget
    // Int8 rounds every activation input to its own scale (see isRescaledElementwise for the
    // per-node rule of Caffe's Eltwise).
    bool rescaledElementwise = false;
    bool outputNeverNegative = false;  // whatever its input (Relu, Sigmoid, Softmax, ...)
};
const OpTraits& opTraits(const std::string& op);

// Per-node forms of the traits above, for ops whose attributes decide.
bool isQuantizable(const Node& node);
bool isRescaledElementwise(const Node& node);  // Eltwise only with operation SUM
bool isAffine(const Node& node);
bool isFoldTarget(const Node& node);

}  // namespace qf

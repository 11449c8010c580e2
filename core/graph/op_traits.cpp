#include "graph/op_traits.h"

#include <map>

namespace qf {

const char* opKindName(OpKind kind) {
    switch (kind) {
        case OpKind::Convolution:
            return "convolution";
        case OpKind::Normalization:
            return "normalization";
        case OpKind::Activation:
            return "activation";
        case OpKind::Pooling:
            return "pooling";
        case OpKind::Elementwise:
            return "element-wise";
        case OpKind::Shape:
            return "shape";
        case OpKind::Other:
            return "other";
        case OpKind::Unknown:
            return "unknown";
    }
    return "unknown";
}

namespace {

OpTraits traits(OpKind kind) {
    OpTraits t;
    t.kind = kind;
    return t;
}

std::map<std::string, OpTraits> makeTable() {
    std::map<std::string, OpTraits> table;
    for (const char* op : {"Conv", "ConvTranspose", "Gemm"}) {
        OpTraits t = traits(OpKind::Convolution);
        t.quantizable = true;
        t.foldTarget = true;
        table[op] = t;
    }
    table["MatMul"] = traits(OpKind::Convolution);
    for (const char* op : {"BatchNormalization", "Scale", "Bias"}) {
        OpTraits t = traits(OpKind::Normalization);
        t.affine = true;
        table[op] = t;
    }
    for (const char* op : {"Relu", "Sigmoid", "HardSigmoid"}) {
        OpTraits t = traits(OpKind::Activation);
        t.outputNeverNegative = true;
        table[op] = t;
    }
    for (const char* op : {"LeakyRelu", "PRelu", "Clip", "HardSwish", "Tanh", "Exp", "Power"})
        table[op] = traits(OpKind::Activation);
    table["Exp"].outputNeverNegative = true;
    for (const char* op : {"MaxPool", "AveragePool", "GlobalAveragePool", "GlobalMaxPool"})
        table[op] = traits(OpKind::Pooling);
    for (const char* op : {"Add", "Sum", "Concat", "Eltwise"}) {
        OpTraits t = traits(OpKind::Elementwise);
        t.rescaledElementwise = true;
        table[op] = t;
    }
    for (const char* op : {"Sub", "Mul", "Div", "Max"}) table[op] = traits(OpKind::Elementwise);
    for (const char* op :
         {"Flatten", "Reshape", "Transpose", "Squeeze", "Unsqueeze", "Identity", "Dropout", "Shape",
          "Gather", "Cast", "ConstantOfShape", "Constant", "Slice", "Pad", "Crop"})
        table[op] = traits(OpKind::Shape);
    for (const char* op : {"Resize", "Upsample"}) table[op] = traits(OpKind::Other);
    OpTraits softmax = traits(OpKind::Other);
    softmax.outputNeverNegative = true;
    table["Softmax"] = softmax;
    return table;
}

}  // namespace

const OpTraits& opTraits(const std::string& op) {
    static const std::map<std::string, OpTraits> table = makeTable();
    static const OpTraits unknown;
    const auto it = table.find(op);
    return it == table.end() ? unknown : it->second;
}

bool isQuantizable(const Node& node) { return opTraits(node.op).quantizable; }

bool isRescaledElementwise(const Node& node) {
    if (!opTraits(node.op).rescaledElementwise) return false;
    // Caffe's Eltwise: PROD = 0, SUM = 1 (the default), MAX = 2; only a sum is rescaled.
    return node.op != "Eltwise" || node.attrInt("operation", 1) == 1;
}

bool isAffine(const Node& node) { return opTraits(node.op).affine; }
bool isFoldTarget(const Node& node) { return opTraits(node.op).foldTarget; }

}  // namespace qf

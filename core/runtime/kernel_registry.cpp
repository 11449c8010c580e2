#include <algorithm>
#include <map>
#include <set>

#include "runtime/kernels/kernels.h"
#include "util/error.h"

namespace qf {
namespace {

const std::map<std::string, Kernel>& registry() {
    static const std::map<std::string, Kernel> table = {
        {"Conv", kernels::conv},
        {"ConvTranspose", kernels::convTranspose},
        {"MaxPool", kernels::maxPool},
        {"AveragePool", kernels::averagePool},
        {"GlobalAveragePool", kernels::globalAveragePool},
        {"GlobalMaxPool", kernels::globalMaxPool},
        {"Gemm", kernels::gemm},
        {"MatMul", kernels::matMul},
        {"BatchNormalization", kernels::batchNormalization},
        {"Scale", kernels::scale},
        {"Bias", kernels::bias},
        {"Softmax", kernels::softmax},
        {"Relu", kernels::relu},
        {"LeakyRelu", kernels::leakyRelu},
        {"PRelu", kernels::prelu},
        {"Clip", kernels::clip},
        {"Sigmoid", kernels::sigmoid},
        {"HardSigmoid", kernels::hardSigmoid},
        {"HardSwish", kernels::hardSwish},
        {"Tanh", kernels::tanh},
        {"Exp", kernels::exp},
        {"Power", kernels::power},
        {"Add", kernels::add},
        {"Sub", kernels::sub},
        {"Mul", kernels::mul},
        {"Div", kernels::div},
        {"Eltwise", kernels::eltwise},
        {"Sum", kernels::sum},
        {"Max", kernels::max},
        {"Concat", kernels::concat},
        {"Flatten", kernels::flatten},
        {"Reshape", kernels::reshape},
        {"Transpose", kernels::transpose},
        {"Squeeze", kernels::squeeze},
        {"Unsqueeze", kernels::unsqueeze},
        {"Identity", kernels::identity},
        {"Dropout", kernels::identity},
        {"Shape", kernels::shape},
        {"Gather", kernels::gather},
        {"Cast", kernels::cast},
        {"ConstantOfShape", kernels::constantOfShape},
        {"Constant", kernels::constant},
        {"Slice", kernels::slice},
        {"Pad", kernels::pad},
        {"Crop", kernels::crop},
        {"Resize", kernels::resize},
        {"Upsample", kernels::upsample},
    };
    return table;
}

}  // namespace

Kernel findKernel(const std::string& op) {
    const auto it = registry().find(op);
    return it == registry().end() ? nullptr : it->second;
}

bool kernelRunsInPlace(const std::string& op) {
    static const std::set<std::string> inPlace = {
        "Relu",        "LeakyRelu",          "Clip",  "Sigmoid",
        "HardSigmoid", "HardSwish",          "Tanh",  "Exp",
        "Power",       "BatchNormalization", "Scale", "Bias"};
    return inPlace.count(op) > 0;
}

std::vector<std::string> supportedOps() {
    std::vector<std::string> ops;
    for (const auto& entry : registry()) ops.push_back(entry.first);
    return ops;
}

void kernelError(const Node& node, const std::string& message) {
    throw Error(Diagnostic{Severity::Error, "", 0, 0, node.name, "", node.op + ": " + message},
                "node '" + node.name + "' (" + node.op + "): " + message);
}

const Tensor& requireInput(const Node& node, const std::vector<const Tensor*>& inputs, size_t k) {
    if (k >= inputs.size() || !inputs[k])
        kernelError(node, "input " + std::to_string(k) + " is missing");
    return *inputs[k];
}

}  // namespace qf

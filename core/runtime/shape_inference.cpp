#include "runtime/shape_inference.h"

#include <algorithm>

#include "runtime/kernel.h"
#include "util/error.h"

namespace qf {
namespace {

// Values are computed during shape inference only for tensors this small: shape arithmetic
// (Shape -> Gather -> Concat -> Reshape) needs them, feature maps do not.
constexpr int64_t kInferredValuesLimit = 1 << 16;

thread_local bool inferringShapes = false;

}  // namespace

bool shapeOnly(const std::vector<const Tensor*>& inputs, Tensor& output, const Shape& shape,
               DataType type) {
    const bool hollowInput = std::any_of(inputs.begin(), inputs.end(), [](const Tensor* input) {
        return input && !input->hasValues();
    });
    if (!hollowInput && !(inferringShapes && shapeNumel(shape) > kInferredValuesLimit))
        return false;
    output = Tensor::hollow(shape, type);
    return true;
}

ShapeInferenceScope::ShapeInferenceScope() : outer_(inferringShapes) { inferringShapes = true; }

ShapeInferenceScope::~ShapeInferenceScope() { inferringShapes = outer_; }

std::map<std::string, Shape> inferShapes(const Graph& graph) {
    std::string unsupported;
    for (const auto& node : graph.nodes)
        if (!findKernel(node.op))
            unsupported += (unsupported.empty() ? "" : ", ") + node.name + " (" + node.op + ")";
    if (!unsupported.empty())
        throw Error("cannot run the model: this runtime does not execute " + unsupported);

    // Model inputs are hollow (unknown dimensions taken as 1); weights keep their values, and so
    // does every small tensor computed from them and from shapes alone.
    std::map<std::string, Tensor> known;
    for (const auto& input : graph.inputs) {
        if (graph.isWeight(input.name)) continue;
        Shape shape = input.shape;
        for (auto& d : shape)
            if (d <= 0) d = 1;
        known[input.name] = Tensor::hollow(shape, input.dtype);
    }
    const ShapeInferenceScope inferring;
    std::vector<const Tensor*> inputs;
    std::vector<Tensor> outputs;
    for (const auto& node : graph.nodes) {
        inputs.clear();
        for (const auto& name : node.inputs) {
            if (name.empty()) {
                inputs.push_back(nullptr);
            } else if (const Tensor* weight = graph.weight(name)) {
                inputs.push_back(weight);
            } else {
                const auto value = known.find(name);
                if (value == known.end())
                    throw Error("node '" + node.name + "' (" + node.op + "): input tensor '" +
                                name + "' has not been computed");
                inputs.push_back(&value->second);
            }
        }
        outputs.assign(node.outputs.size(), Tensor{});
        try {
            runKernel(findKernel(node.op), node, inputs, outputs);
        } catch (const ValuesUnknown&) {
            kernelError(node,
                        "its output shape depends on input values that are known only when "
                        "the model runs");
        }
        for (size_t o = 0; o < node.outputs.size(); ++o)
            if (!node.outputs[o].empty()) known[node.outputs[o]] = std::move(outputs[o]);
    }
    std::map<std::string, Shape> shapes;
    for (const auto& [name, value] : known) shapes[name] = value.shape;
    for (const auto& weight : graph.weights) shapes[weight.first] = weight.second.shape;
    return shapes;
}

}  // namespace qf

#pragma once
#include <new>
#include <string>
#include <vector>

#include "graph/graph.h"
#include "graph/tensor.h"

namespace qf {

// A kernel computes one node: inputs[k] is nullptr for an absent optional input; it resizes
// and fills every tensor of outputs (already sized to node.outputs.size()). It throws qf::Error
// naming the node when the inputs do not fit the op.
using Kernel = void (*)(const Node& node, const std::vector<const Tensor*>& inputs,
                        std::vector<Tensor>& outputs);

// The kernel for an op, or nullptr when this runtime cannot execute it.
Kernel findKernel(const std::string& op);
std::vector<std::string> supportedOps();
// Ops whose kernel may be handed its first input as its output (inputs[0] == &outputs[0]) and
// then computes in place: the pointwise activations and per-channel affine ops (BatchNorm,
// Scale, Bias). The executor does so when nothing else reads that input.
bool kernelRunsInPlace(const std::string& op);

// Shape inference (runtime/shape_inference.h) runs these same kernels on hollow inputs, so a
// shape is computed by the code that computes the values. A kernel calls shapeOnly once it
// knows its output's shape and type and before it reads any input value: when an input is
// hollow (or, while inferring shapes, the output would be larger than a shape computation
// needs), `output` becomes hollow and the kernel returns.
bool shapeOnly(const std::vector<const Tensor*>& inputs, Tensor& output, const Shape& shape,
               DataType type);

// Marks the calling thread as inferring shapes for its lifetime (see shapeOnly).
class ShapeInferenceScope {
public:
    ShapeInferenceScope();
    ~ShapeInferenceScope();
    ShapeInferenceScope(const ShapeInferenceScope&) = delete;
    ShapeInferenceScope& operator=(const ShapeInferenceScope&) = delete;

private:
    bool outer_;
};

// Shared by kernels: "node 'name' (Op): message", with the node in the error's diagnostic.
[[noreturn]] void kernelError(const Node& node, const std::string& message);
const Tensor& requireInput(const Node& node, const std::vector<const Tensor*>& inputs, size_t k);

// Runs a kernel (or a node override): one that would allocate past the tensor limit, or that the
// allocator refuses, ends in an Error naming the node, like every other kernel failure, instead
// of escaping as bad_alloc. The executor and shape inference both run kernels through this.
template <typename Function>
void runKernel(const Function& kernel, const Node& node, const std::vector<const Tensor*>& inputs,
               std::vector<Tensor>& outputs) {
    try {
        kernel(node, inputs, outputs);
    } catch (const TensorTooLarge& tooLarge) {
        kernelError(node, tooLarge.what());
    } catch (const std::bad_alloc&) {
        kernelError(node, "not enough memory for its output");
    }
}

}  // namespace qf

#pragma once
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

// Shared by kernels: "node 'name' (Op): message", with the node in the error's diagnostic.
[[noreturn]] void kernelError(const Node& node, const std::string& message);
const Tensor& requireInput(const Node& node, const std::vector<const Tensor*>& inputs, size_t k);

}  // namespace qf

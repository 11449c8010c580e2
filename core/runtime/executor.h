#pragma once
#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "graph/graph.h"
#include "runtime/kernel.h"

namespace qf {
namespace kernels {
struct ConvCache;
}

using TensorMap = std::map<std::string, Tensor>;
// Sees every tensor a node produces, right after the node ran (calibration hooks in here).
using TensorObserver =
    std::function<void(const Node& producer, const std::string& name, const Tensor& value)>;

// Computes one node; lets a caller replace a node's FP32 kernel (the int8 runtime does).
using NodeFunction = std::function<void(const Node& node, const std::vector<const Tensor*>& inputs,
                                        std::vector<Tensor>& outputs)>;

// How one run goes: the threads its kernels use (0: what the calling thread's ScopedThreads
// says, else all cores) and the flag that cancels it between two nodes.
struct ExecutionOptions {
    int threads = 0;
    const std::atomic_bool* cancel = nullptr;
};

// Runs a Graph in FP32 on NCHW tensors. It owns the snapshot it runs, so the graph it was made
// from can be edited (or destroyed) while it runs.
class Executor {
public:
    explicit Executor(std::shared_ptr<const Graph> graph);
    // Takes a snapshot of `graph` (weights are shared, not copied).
    explicit Executor(const Graph& graph);

    const Graph& graph() const { return *graph_; }
    const std::shared_ptr<const Graph>& snapshot() const { return graph_; }

    // Runs `function` instead of the op's kernel for the node at `index`.
    void overrideNode(size_t index, NodeFunction function);
    // The node at `index` passes its first input on as its first output unchanged (its work was
    // fused into the producer); the buffer moves when nothing else reads the input.
    void forwardNode(size_t index);

    // Nodes whose op this runtime cannot execute ("name (Op)"); run() refuses while any exist.
    const std::vector<std::string>& unsupportedNodes() const { return unsupported_; }

    // Feeds name graph inputs; returns the graph outputs. With keepAll, every intermediate
    // tensor is returned too. Intermediates are freed as soon as their last reader ran.
    // Throws qf::Cancelled between two nodes once options.cancel is set.
    TensorMap run(const TensorMap& feeds, const TensorObserver& observer = nullptr,
                  bool keepAll = false, const ExecutionOptions& options = {}) const;

private:
    std::shared_ptr<const Graph> graph_;
    std::vector<Kernel> kernels_;
    std::vector<NodeFunction> overrides_;
    std::vector<bool> forwarded_;
    std::vector<bool> inPlace_;  // the node's kernel may overwrite its first input (see run)
    // Per Conv node with constant weights: its weights as the fast paths read them, made at
    // first need.
    std::vector<std::shared_ptr<kernels::ConvCache>> convCaches_;
    std::vector<std::string> unsupported_;
    std::map<std::string, int> lastUse_;  // tensor -> index of the last node that reads it
};

}  // namespace qf

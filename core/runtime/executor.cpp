#include "runtime/executor.h"

#include <algorithm>
#include <new>

#include "runtime/kernel.h"
#include "runtime/kernels/conv_cache.h"
#include "runtime/kernels/kernels.h"
#include "runtime/parallel.h"
#include "runtime/value_pool.h"
#include "util/error.h"
#include "util/progress.h"

namespace qf {

Executor::Executor(const Graph& graph) : Executor(std::make_shared<const Graph>(graph)) {}

Executor::Executor(std::shared_ptr<const Graph> graph) : graph_(std::move(graph)) {
    if (!graph_) throw Error("Executor: no graph");
    kernels_.reserve(graph_->nodes.size());
    for (size_t k = 0; k < graph_->nodes.size(); ++k) {
        const Node& node = graph_->nodes[k];
        const Kernel kernel = findKernel(node.op);
        if (!kernel) unsupported_.push_back(node.name + " (" + node.op + ")");
        kernels_.push_back(kernel);
        convCaches_.push_back(node.op == "Conv" && node.inputs.size() > 1 &&
                                      graph_->isWeight(node.inputs[1])
                                  ? std::make_shared<kernels::ConvCache>()
                                  : nullptr);
        inPlace_.push_back(kernel && kernelRunsInPlace(node.op) && node.outputs.size() == 1 &&
                           !node.inputs.empty() && !node.inputs[0].empty() &&
                           std::count(node.inputs.begin(), node.inputs.end(), node.inputs[0]) == 1);
        for (const auto& in : node.inputs)
            if (!in.empty()) lastUse_[in] = static_cast<int>(k);
    }
}

void Executor::overrideNode(size_t index, NodeFunction function) {
    if (overrides_.size() < graph_->nodes.size()) overrides_.resize(graph_->nodes.size());
    overrides_.at(index) = std::move(function);
    if (!kernels_[index]) {
        const Node& node = graph_->nodes[index];
        unsupported_.erase(
            std::remove(unsupported_.begin(), unsupported_.end(), node.name + " (" + node.op + ")"),
            unsupported_.end());
    }
}

void Executor::forwardNode(size_t index) {
    forwarded_.resize(graph_->nodes.size(), false);
    forwarded_.at(index) = true;
    overrideNode(index, nullptr);  // counts as executable whatever its op
}

TensorMap Executor::run(const TensorMap& feeds, const TensorObserver& observer, bool keepAll,
                        const ExecutionOptions& options) const {
    const ScopedThreads threads(options.threads > 0 ? options.threads : currentThreads());
    if (!unsupported_.empty()) {
        std::string list;
        for (const auto& name : unsupported_) list += (list.empty() ? "" : ", ") + name;
        throw Error("cannot run the model: this runtime does not execute " + list);
    }
    TensorMap live;
    for (const auto& input : graph_->inputs) {
        if (graph_->isWeight(input.name)) continue;
        const auto fed = feeds.find(input.name);
        if (fed == feeds.end()) throw Error("no value fed for model input '" + input.name + "'");
        if (!fed->second.hasValues())
            throw Error("model input '" + input.name + "' is fed " +
                        shapeToString(fed->second.shape) + " without its values");
        live[input.name] = fed->second;
    }
    std::vector<const Tensor*> inputs;
    std::vector<Tensor> outputs;
    for (size_t k = 0; k < graph_->nodes.size(); ++k) {
        if (options.cancel && options.cancel->load(std::memory_order_relaxed)) throw Cancelled{};
        const Node& node = graph_->nodes[k];
        inputs.clear();
        for (const auto& name : node.inputs) {
            if (name.empty()) {
                inputs.push_back(nullptr);
                continue;
            }
            if (const Tensor* weight = graph_->weight(name)) {
                inputs.push_back(weight);
                continue;
            }
            const auto value = live.find(name);
            if (value == live.end())
                throw Error("node '" + node.name + "' (" + node.op + "): input tensor '" + name +
                            "' has not been computed");
            inputs.push_back(&value->second);
        }
        outputs.assign(node.outputs.size(), Tensor{});
        if (k < forwarded_.size() && forwarded_[k]) {
            const std::string& in = node.inputs.at(0);
            const auto value = live.find(in);
            const bool lastReader =
                !keepAll && lastUse_.at(in) == static_cast<int>(k) && !graph_->isGraphOutput(in);
            if (value != live.end() && lastReader)
                outputs[0] = std::move(value->second);
            else
                outputs[0] = *inputs.at(0);
        } else if (k < overrides_.size() && overrides_[k]) {
            runKernel(overrides_[k], node, inputs, outputs);
        } else {
            // A pointwise layer whose input nothing else reads takes over its storage
            // (inPlace_ is set only for nodes with a first input and one output).
            if (inPlace_[k] && !keepAll && lastUse_.at(node.inputs[0]) == static_cast<int>(k) &&
                !graph_->isGraphOutput(node.inputs[0]) && !graph_->isWeight(node.inputs[0])) {
                const auto value = live.find(node.inputs[0]);
                if (value != live.end() && value->second.hasValues()) {
                    outputs[0] = std::move(value->second);
                    live.erase(value);
                    inputs[0] = &outputs[0];
                }
            }
            if (convCaches_[k]) {
                kernels::ConvCache* cache = convCaches_[k].get();
                runKernel(
                    [cache](const Node& n, const std::vector<const Tensor*>& in,
                            std::vector<Tensor>& out) { kernels::convCached(cache, n, in, out); },
                    node, inputs, outputs);
            } else {
                runKernel(kernels_[k], node, inputs, outputs);
            }
        }
        for (size_t o = 0; o < node.outputs.size(); ++o) {
            if (node.outputs[o].empty()) continue;
            if (observer) observer(node, node.outputs[o], outputs[o]);
            live[node.outputs[o]] = std::move(outputs[o]);
        }
        if (keepAll) continue;
        for (const auto& name : node.inputs) {
            const auto last = lastUse_.find(name);
            if (last == lastUse_.end() || last->second != static_cast<int>(k) ||
                graph_->isGraphOutput(name))
                continue;
            const auto value = live.find(name);
            if (value == live.end()) continue;
            recycleValues(value->second);  // the next outputs reuse its storage
            live.erase(value);
        }
    }
    if (keepAll) return live;
    TensorMap results;
    for (const auto& output : graph_->outputs) {
        if (const Tensor* constant = graph_->weight(output.name)) {
            results[output.name] = *constant;
            continue;
        }
        const auto value = live.find(output.name);
        if (value == live.end())
            throw Error("model output '" + output.name + "' was not produced by any node");
        // A name listed twice as an output is copied, not moved twice.
        const bool listedAgain =
            std::count_if(graph_->outputs.begin(), graph_->outputs.end(),
                          [&](const auto& other) { return other.name == output.name; }) > 1;
        results[output.name] = listedAgain ? value->second : std::move(value->second);
    }
    return results;
}

}  // namespace qf

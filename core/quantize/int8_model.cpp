#include "quantize/int8_model.h"

#include <set>

#include "util/error.h"

namespace qf {

ActivationQuantization Int8Model::activationQuantization(const std::string& tensor) const {
    return activationQuantizationOf(*table_, tensor, plan_.options);
}

ActivationQuantization Int8Model::elementwiseQuantization(const std::string& tensor) const {
    return elementwiseQuantizationOf(*table_, tensor, plan_.options);
}

namespace {

std::shared_ptr<const CalibrationTable> requireTable(
    std::shared_ptr<const CalibrationTable> table) {
    if (!table) throw Error("Int8Model: no calibration table");
    return table;
}

}  // namespace

Int8Model::Int8Model(std::shared_ptr<const Graph> graph,
                     std::shared_ptr<const CalibrationTable> table, const Int8Options& options)
    : graph_(std::move(graph)),
      table_(requireTable(std::move(table))),
      plan_(planInt8(*graph_, *table_, options)),
      executor_(graph_) {
    build(nullptr);
}

Int8Model::Int8Model(std::shared_ptr<const Graph> graph,
                     std::shared_ptr<const CalibrationTable> table, Int8Plan plan,
                     const Int8Model* reuse)
    : graph_(std::move(graph)),
      table_(requireTable(std::move(table))),
      plan_(std::move(plan)),
      executor_(graph_) {
    if (plan_.nodes.size() != graph_->nodes.size())
        throw Error("Int8Model: the plan was made for another graph");
    build(reuse);
}

Int8Model::Int8Model(const Graph& graph, const CalibrationTable& table, const Int8Options& options)
    : Int8Model(std::make_shared<const Graph>(graph),
                std::make_shared<const CalibrationTable>(table), options) {}

void Int8Model::build(const Int8Model* reuse) {
    const Graph& graph = *graph_;
    const Int8LayerOptions layerOptions{plan_.options.perChannelWeights, plan_.options.kernel};
    for (const NodePlan& entry : plan_.nodes) {
        const Node& node = graph.nodes[entry.index];
        if (entry.name != node.name) throw Error("Int8Model: the plan was made for another graph");
        if (entry.precision == NodePrecision::Int8) {
            std::shared_ptr<const Int8Layer> layer;
            if (reuse && reuse->graph_ == graph_) {
                const auto known = reuse->layers_.find(entry.name);
                const NodePlan* before = reuse->plan_.find(entry.name);
                if (known != reuse->layers_.end() && before &&
                    sameExecution(reuse->plan_, *before, plan_, entry))
                    layer = known->second;
            }
            if (!layer) {
                std::unique_ptr<Int8Layer> built =
                    makeInt8Layer(graph, node, entry.inputs.at(0).quantization, layerOptions);
                if (!built)
                    throw Error("node '" + node.name + "': this form of " + node.op +
                                " has no int8 kernel");
                if (entry.bias.state == BiasCorrectionState::Applied)
                    built->correctBias(entry.bias.delta);
                if (entry.activation)
                    built->fuseActivation(entry.activation->low, entry.activation->high);
                layer = std::move(built);
            }
            if (entry.bias.state == BiasCorrectionState::Applied) corrected_.push_back(entry.name);
            if (entry.activation) layerOutputs_[entry.name] = entry.result;
            layers_[entry.name] = layer;
            quantized_.push_back(entry.name);
        } else if (entry.precision == NodePrecision::Rounded) {
            RoundedInputs rounded;
            for (const auto& input : entry.inputs)
                rounded.emplace_back(input.input, input.quantization);
            rescaled_[entry.name] = rounded;
        }
    }
    fp32_ = plan_.fp32Nodes();
    applyTo(executor_, 0);
}

void Int8Model::applyTo(Executor& executor, size_t first) const {
    for (size_t index = first; index < plan_.nodes.size(); ++index) {
        const NodePlan& entry = plan_.nodes[index];
        const size_t local = index - first;
        if (entry.precision == NodePrecision::Int8) {
            std::shared_ptr<const Int8Layer> layer = layers_.at(entry.name);
            executor.overrideNode(
                local,
                [layer](const Node&, const std::vector<const Tensor*>& inputs,
                        std::vector<Tensor>& outputs) { layer->run(*inputs[0], outputs[0]); });
        } else if (entry.precision == NodePrecision::FusedIntoProducer) {
            executor.forwardNode(local);
        } else if (entry.precision == NodePrecision::Rounded) {
            const RoundedInputs rounded = rescaled_.at(entry.name);
            const Kernel kernel = findKernel(entry.op);
            executor.overrideNode(
                local, [rounded, kernel](const Node& n, const std::vector<const Tensor*>& inputs,
                                         std::vector<Tensor>& outputs) {
                    std::vector<Tensor> copies(inputs.size());
                    std::vector<const Tensor*> pointers(inputs);
                    for (const auto& [k, quantization] : rounded) {
                        copies[k] = *inputs[k];
                        fakeQuantizeInPlace(copies[k].f.data(), copies[k].numel(), quantization);
                        pointers[k] = &copies[k];
                    }
                    kernel(n, pointers, outputs);
                });
        }
    }
}

std::vector<std::string> Int8Model::tailInputs(size_t first) const {
    const Graph& graph = *graph_;
    std::set<std::string> produced, listed;
    std::vector<std::string> inputs;
    const auto need = [&](const std::string& tensor) {
        if (tensor.empty() || graph.isWeight(tensor) || produced.count(tensor) ||
            !listed.insert(tensor).second)
            return;
        inputs.push_back(tensor);
    };
    for (size_t k = first; k < graph.nodes.size(); ++k) {
        for (const auto& in : graph.nodes[k].inputs) need(in);
        for (const auto& out : graph.nodes[k].outputs) produced.insert(out);
    }
    for (const auto& output : graph.outputs) need(output.name);
    return inputs;
}

Executor Int8Model::tailExecutor(size_t first) const {
    const Graph& graph = *graph_;
    if (first > graph.nodes.size())
        throw Error("Int8Model::tailExecutor: no node " + std::to_string(first));
    auto tail = std::make_shared<Graph>();
    tail->format = graph.format;
    tail->name = graph.name;
    tail->outputs = graph.outputs;
    tail->nodes.assign(graph.nodes.begin() + static_cast<std::ptrdiff_t>(first), graph.nodes.end());
    for (const auto& node : tail->nodes)
        for (const auto& in : node.inputs)
            if (graph.weights.contains(in)) tail->weights.setShared(in, graph.weights.shared(in));
    for (const auto& output : graph.outputs)
        if (graph.weights.contains(output.name))
            tail->weights.setShared(output.name, graph.weights.shared(output.name));
    for (const auto& name : tailInputs(first))
        tail->inputs.push_back({name, {}, DataType::Float32});
    Executor executor(std::shared_ptr<const Graph>(std::move(tail)));
    applyTo(executor, first);
    return executor;
}

TensorMap Int8Model::run(const TensorMap& feeds, const TensorObserver& observer,
                         bool keepAll) const {
    return executor_.run(feeds, observer, keepAll);
}

Tensor Int8Model::runLayer(const std::string& node, const Tensor& input,
                           bool withFusedActivation) const {
    const auto it = layers_.find(node);
    if (it == layers_.end()) throw Error("node '" + node + "' is not quantized");
    Tensor output;
    it->second->run(input, output, withFusedActivation);
    return output;
}

const std::string& Int8Model::layerOutput(const std::string& node) const {
    const auto fused = layerOutputs_.find(node);
    if (fused != layerOutputs_.end()) return fused->second;
    const int index = graph_->nodeIndex(node);
    if (index < 0) throw Error("the model has no node '" + node + "'");
    return graph_->nodes[static_cast<size_t>(index)].outputs.at(0);
}

}  // namespace qf

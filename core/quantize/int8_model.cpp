#include "quantize/int8_model.h"

#include <cmath>
#include <limits>

#include "graph/op_traits.h"
#include "quantize/weight_quantization.h"
#include "util/error.h"

namespace qf {
ActivationQuantization Int8Model::activationQuantization(const std::string& tensor) const {
    const TensorCalibration* calibration = table_.find(tensor);
    if (!calibration) throw Error("tensor '" + tensor + "' has no calibration");
    return ActivationQuantization::fromThreshold(
        calibration->threshold(), options_.unsignedActivations && calibration->nonNegative());
}

ActivationQuantization Int8Model::elementwiseQuantization(const std::string& tensor) const {
    const TensorCalibration* calibration = table_.find(tensor);
    if (!calibration) throw Error("tensor '" + tensor + "' has no calibration");
    if (!options_.elementwiseMethod || calibration->manualThreshold)
        return activationQuantization(tensor);
    const auto it = calibration->thresholds.find(*options_.elementwiseMethod);
    if (it == calibration->thresholds.end()) return activationQuantization(tensor);
    return ActivationQuantization::fromThreshold(
        it->second, options_.unsignedActivations && calibration->nonNegative());
}

namespace {

// The clamp a ReLU / ReLU6 / constant Clip node applies, for fusing it into an epilogue.
bool activationBounds(const Graph& graph, const Node& node, float& low, float& high) {
    low = -std::numeric_limits<float>::infinity();
    high = std::numeric_limits<float>::infinity();
    if (node.op == "Relu") {
        low = 0.0f;
        return true;
    }
    if (node.op != "Clip") return false;
    low = node.attrFloat("min", low);
    high = node.attrFloat("max", high);
    for (size_t k = 1; k <= 2; ++k) {
        if (node.input(k).empty()) continue;
        const Tensor* bound = graph.weight(node.input(k));
        if (!bound || !bound->isFloat() || bound->numel() != 1) return false;
        (k == 1 ? low : high) = bound->f[0];
    }
    return true;
}

}  // namespace

Int8Model::Int8Model(const Graph& graph, const CalibrationTable& table, const Int8Options& options)
    : graph_(graph), table_(table), options_(options), executor_(graph) {
    const Int8LayerOptions layerOptions{options.perChannelWeights, options.kernel};
    for (size_t index = 0; index < graph.nodes.size(); ++index) {
        const Node& node = graph.nodes[index];
        if (options.keepFp32.count(node.name)) {
            if (isQuantizableOp(node.op)) fp32_[node.name] = "kept in FP32 by request";
            continue;
        }
        if (isQuantizableOp(node.op)) {
            if (!table.find(node.input(0))) {
                fp32_[node.name] = "input '" + node.input(0) + "' has no calibration";
                continue;
            }
            std::unique_ptr<Int8Layer> built =
                makeInt8Layer(graph, node, activationQuantization(node.input(0)), layerOptions);
            if (!built) {
                fp32_[node.name] = "this form of " + node.op + " has no int8 kernel";
                continue;
            }
            const auto correction = table.biasCorrections.find(node.name);
            if (options.biasCorrection && correction != table.biasCorrections.end() &&
                correction->second.perChannelWeights == options.perChannelWeights &&
                correction->second.delta.size() == built->outputChannels() &&
                std::fabs(correction->second.inputThreshold -
                          table.find(node.input(0))->threshold()) <=
                    1e-6 * correction->second.inputThreshold) {
                built->correctBias(correction->second.delta);
                corrected_.push_back(node.name);
            }
            // A lone ReLU / ReLU6 after the layer is applied in its epilogue and then skipped.
            const std::vector<int> readers = graph.consumerIndices(node.outputs[0]);
            float low = 0.0f, high = 0.0f;
            if (readers.size() == 1 && !graph.isGraphOutput(node.outputs[0])) {
                const Node& activation = graph.nodes[static_cast<size_t>(readers[0])];
                if (!options.keepFp32.count(activation.name) &&
                    activation.input(0) == node.outputs[0] &&
                    activationBounds(graph, activation, low, high)) {
                    built->fuseActivation(low, high);
                    executor_.forwardNode(static_cast<size_t>(readers[0]));
                    layerOutputs_[node.name] = activation.outputs[0];
                }
            }
            std::shared_ptr<const Int8Layer> layer = std::move(built);
            layers_[node.name] = layer;
            quantized_.push_back(node.name);
            executor_.overrideNode(
                index,
                [layer](const Node&, const std::vector<const Tensor*>& inputs,
                        std::vector<Tensor>& outputs) { layer->run(*inputs[0], outputs[0]); });
        } else if (isRescaledElementwise(node)) {
            bool allCalibrated = true;
            std::vector<std::pair<size_t, ActivationQuantization>> rounded;
            for (size_t k = 0; k < node.inputs.size(); ++k) {
                const std::string& in = node.inputs[k];
                if (in.empty() || graph.isWeight(in) || !table.find(in)) {
                    allCalibrated = false;
                    continue;
                }
                // A sum fed by a quantized layer that nothing else reads is added in that layer's
                // epilogue (as TensorRT and ncnn fuse residual adds), before any requantization.
                const int producer = graph.producerIndex(in);
                const bool fusedIntoEpilogue =
                    node.op != "Concat" && producer >= 0 &&
                    layers_.count(graph.nodes[static_cast<size_t>(producer)].name) &&
                    graph.consumerIndices(in).size() == 1;
                if (!fusedIntoEpilogue) rounded.emplace_back(k, elementwiseQuantization(in));
            }
            if (!allCalibrated || rounded.empty()) continue;
            rescaled_[node.name] = rounded;
            const Kernel kernel = findKernel(node.op);
            executor_.overrideNode(
                index, [rounded, kernel](const Node& n, const std::vector<const Tensor*>& inputs,
                                         std::vector<Tensor>& outputs) {
                    std::vector<Tensor> copies(inputs.size());
                    std::vector<const Tensor*> pointers(inputs);
                    for (const auto& [k, quantization] : rounded) {
                        copies[k] = *inputs[k];
                        for (auto& v : copies[k].f) v = fakeQuantize(v, quantization);
                        pointers[k] = &copies[k];
                    }
                    kernel(n, pointers, outputs);
                });
        }
    }
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
    const int index = graph_.nodeIndex(node);
    if (index < 0) throw Error("the model has no node '" + node + "'");
    return graph_.nodes[static_cast<size_t>(index)].outputs.at(0);
}

}  // namespace qf

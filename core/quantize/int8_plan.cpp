#include "quantize/int8_plan.h"

#include <cmath>
#include <limits>
#include <sstream>

#include "graph/op_traits.h"
#include "quantize/weight_quantization.h"
#include "util/error.h"

namespace qf {

const char* nodePrecisionName(NodePrecision precision) {
    switch (precision) {
        case NodePrecision::Fp32:
            return "FP32";
        case NodePrecision::Int8:
            return "int8";
        case NodePrecision::Rounded:
            return "int8-rounded inputs";
        case NodePrecision::FusedIntoProducer:
            return "fused into the int8 layer before it";
    }
    return "FP32";
}

const char* fp32ReasonName(Fp32Reason reason) {
    switch (reason) {
        case Fp32Reason::None:
            return "none";
        case Fp32Reason::KeptByRequest:
            return "kept by request";
        case Fp32Reason::NoCalibration:
            return "no calibration";
        case Fp32Reason::NotQuantizable:
            return "not quantizable";
        case Fp32Reason::UnsupportedShape:
            return "unsupported form";
        case Fp32Reason::WeightsNotConstant:
            return "weights not constant";
        case Fp32Reason::NothingToRound:
            return "nothing to round";
    }
    return "none";
}

const char* biasCorrectionStateName(BiasCorrectionState state) {
    switch (state) {
        case BiasCorrectionState::NotRequested:
            return "not requested";
        case BiasCorrectionState::NotMeasured:
            return "not measured";
        case BiasCorrectionState::Applied:
            return "applied";
        case BiasCorrectionState::DroppedThreshold:
            return "dropped: other threshold";
        case BiasCorrectionState::DroppedGranularity:
            return "dropped: other weight granularity";
        case BiasCorrectionState::DroppedChannels:
            return "dropped: other channel count";
    }
    return "not measured";
}

const NodePlan* Int8Plan::find(const std::string& node) const {
    for (const auto& entry : nodes)
        if (entry.name == node) return &entry;
    return nullptr;
}

std::vector<std::string> Int8Plan::quantizedNodes() const {
    std::vector<std::string> names;
    for (const auto& entry : nodes)
        if (entry.precision == NodePrecision::Int8) names.push_back(entry.name);
    return names;
}

std::map<std::string, std::string> Int8Plan::fp32Nodes() const {
    std::map<std::string, std::string> reasons;
    for (const auto& entry : nodes)
        if (entry.precision == NodePrecision::Fp32 && opTraits(entry.op).quantizable)
            reasons[entry.name] = entry.reasonText;
    return reasons;
}

std::vector<std::string> Int8Plan::biasCorrected() const {
    std::vector<std::string> names;
    for (const auto& entry : nodes)
        if (entry.precision == NodePrecision::Int8 &&
            entry.bias.state == BiasCorrectionState::Applied)
            names.push_back(entry.name);
    return names;
}

std::vector<DroppedBiasCorrection> Int8Plan::droppedBiasCorrections() const {
    std::vector<DroppedBiasCorrection> dropped;
    for (const auto& entry : nodes) {
        if (entry.precision != NodePrecision::Int8) continue;
        const BiasCorrectionState state = entry.bias.state;
        if (state == BiasCorrectionState::DroppedThreshold ||
            state == BiasCorrectionState::DroppedGranularity ||
            state == BiasCorrectionState::DroppedChannels)
            dropped.push_back({entry.name, state, entry.bias.text});
    }
    return dropped;
}

ActivationQuantization activationQuantizationOf(const CalibrationTable& table,
                                                const std::string& tensor,
                                                const Int8Options& options) {
    const TensorCalibration* calibration = table.find(tensor);
    if (!calibration) throw Error("tensor '" + tensor + "' has no calibration");
    return ActivationQuantization::fromThreshold(
        calibration->threshold(), options.unsignedActivations && calibration->nonNegative());
}

namespace {

// The threshold elementwiseQuantizationOf uses.
double elementwiseThreshold(const TensorCalibration& calibration, const Int8Options& options) {
    if (!options.elementwiseMethod || calibration.manualThreshold) return calibration.threshold();
    const auto it = calibration.thresholds.find(*options.elementwiseMethod);
    return it == calibration.thresholds.end() ? calibration.threshold() : it->second;
}

}  // namespace

ActivationQuantization elementwiseQuantizationOf(const CalibrationTable& table,
                                                 const std::string& tensor,
                                                 const Int8Options& options) {
    const TensorCalibration* calibration = table.find(tensor);
    if (!calibration) throw Error("tensor '" + tensor + "' has no calibration");
    return ActivationQuantization::fromThreshold(
        elementwiseThreshold(*calibration, options),
        options.unsignedActivations && calibration->nonNegative());
}

Fp32Reason int8KernelRefusal(const Graph& graph, const Node& node) {
    if (!isQuantizable(node)) return Fp32Reason::NotQuantizable;
    if (!graph.weight(node.input(1))) return Fp32Reason::WeightsNotConstant;
    if (node.op == "Gemm") {
        const Tensor* bias = node.input(2).empty() ? nullptr : graph.weight(node.input(2));
        const bool vectorBias =
            node.input(2).empty() || (bias && (bias->rank() <= 1 || bias->shape[0] == 1));
        if (node.attrInt("transA", 0) != 0 || !vectorBias) return Fp32Reason::UnsupportedShape;
    }
    return Fp32Reason::None;
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

std::string number(double value) {
    std::ostringstream text;
    text.precision(9);
    text << value;
    return text.str();
}

BiasCorrectionPlan planBias(const Graph& graph, const Node& node, const CalibrationTable& table,
                            const Int8Options& options) {
    BiasCorrectionPlan plan;
    if (!options.biasCorrection) {
        plan.state = BiasCorrectionState::NotRequested;
        return plan;
    }
    const auto found = table.biasCorrections.find(node.name);
    if (found == table.biasCorrections.end()) return plan;  // NotMeasured
    const BiasCorrection& correction = found->second;
    const auto channels = static_cast<size_t>(outputChannelsOf(node, *graph.weight(node.input(1))));
    const double threshold = table.find(node.input(0))->threshold();
    const auto granularity = [](bool perChannel) {
        return perChannel ? "per-channel" : "per-tensor";
    };
    if (correction.perChannelWeights != options.perChannelWeights) {
        plan.state = BiasCorrectionState::DroppedGranularity;
        plan.text = std::string("measured for ") + granularity(correction.perChannelWeights) +
                    " weights, the layer uses " + granularity(options.perChannelWeights) + " ones";
    } else if (correction.delta.size() != channels) {
        plan.state = BiasCorrectionState::DroppedChannels;
        plan.text = "measured for " + std::to_string(correction.delta.size()) +
                    " output channels, the layer has " + std::to_string(channels);
    } else if (!(std::fabs(correction.inputThreshold - threshold) <=
                 1e-6 * correction.inputThreshold)) {
        plan.state = BiasCorrectionState::DroppedThreshold;
        plan.text = "measured for input threshold " + number(correction.inputThreshold) +
                    ", the input '" + node.input(0) + "' now uses " + number(threshold);
    } else {
        plan.state = BiasCorrectionState::Applied;
        plan.delta = correction.delta;
    }
    return plan;
}

void keepInFp32(NodePlan& plan, Fp32Reason reason, std::string text) {
    plan.precision = NodePrecision::Fp32;
    plan.fp32Reason = reason;
    plan.reasonText = std::move(text);
}

}  // namespace

Int8Plan planInt8(const Graph& graph, const CalibrationTable& table, const Int8Options& options) {
    Int8Plan plan;
    plan.options = options;
    plan.nodes.resize(graph.nodes.size());
    for (size_t index = 0; index < graph.nodes.size(); ++index) {
        const Node& node = graph.nodes[index];
        NodePlan& entry = plan.nodes[index];
        entry.name = node.name;
        entry.op = node.op;
        entry.index = index;
        if (entry.precision == NodePrecision::FusedIntoProducer) continue;  // decided earlier
        if (options.keepFp32.count(node.name)) {
            keepInFp32(entry, Fp32Reason::KeptByRequest, "kept in FP32 by request");
            continue;
        }
        if (isQuantizable(node)) {
            if (!table.find(node.input(0))) {
                keepInFp32(entry, Fp32Reason::NoCalibration,
                           "input '" + node.input(0) + "' has no calibration");
                continue;
            }
            const Fp32Reason refusal = int8KernelRefusal(graph, node);
            if (refusal == Fp32Reason::WeightsNotConstant) {
                keepInFp32(entry, refusal,
                           "the weights of this " + node.op + " are computed at run time");
                continue;
            }
            if (refusal != Fp32Reason::None) {
                keepInFp32(entry, refusal, "this form of " + node.op + " has no int8 kernel");
                continue;
            }
            entry.precision = NodePrecision::Int8;
            entry.inputs.push_back({0, node.input(0), table.find(node.input(0))->threshold(),
                                    activationQuantizationOf(table, node.input(0), options)});
            entry.bias = planBias(graph, node, table, options);
            entry.result = node.outputs[0];
            // A lone ReLU / ReLU6 after the layer is applied in its epilogue and then skipped.
            const std::vector<int> readers = graph.consumerIndices(node.outputs[0]);
            float low = 0.0f, high = 0.0f;
            if (readers.size() == 1 && !graph.isGraphOutput(node.outputs[0])) {
                const Node& activation = graph.nodes[static_cast<size_t>(readers[0])];
                if (!options.keepFp32.count(activation.name) &&
                    activation.input(0) == node.outputs[0] &&
                    activationBounds(graph, activation, low, high)) {
                    entry.activation = FusedActivation{activation.name, low, high};
                    entry.result = activation.outputs[0];
                    plan.nodes[static_cast<size_t>(readers[0])].precision =
                        NodePrecision::FusedIntoProducer;
                }
            }
        } else if (isRescaledElementwise(node)) {
            std::string uncalibrated;
            std::vector<size_t> fused;
            for (size_t k = 0; k < node.inputs.size(); ++k) {
                const std::string& in = node.inputs[k];
                if (in.empty() || graph.isWeight(in) || !table.find(in)) {
                    if (uncalibrated.empty())
                        uncalibrated = in.empty() ? "an input is absent"
                                       : graph.isWeight(in)
                                           ? "input '" + in + "' is a constant"
                                           : "input '" + in + "' has no calibration";
                    continue;
                }
                // A sum fed by a quantized layer that nothing else reads is added in that layer's
                // epilogue (as TensorRT and ncnn fuse residual adds), before any requantization.
                // A Concat adds nothing: all its inputs are rounded.
                const int producer = graph.producerIndex(in);
                const bool fusedIntoEpilogue =
                    node.op != "Concat" && producer >= 0 &&
                    plan.nodes[static_cast<size_t>(producer)].precision == NodePrecision::Int8 &&
                    graph.consumerIndices(in).size() == 1;
                if (fusedIntoEpilogue) {
                    fused.push_back(k);
                    continue;
                }
                const TensorCalibration& calibration = *table.find(in);
                entry.inputs.push_back({k, in, elementwiseThreshold(calibration, options),
                                        elementwiseQuantizationOf(table, in, options)});
            }
            if (!uncalibrated.empty()) {
                entry.inputs.clear();
                keepInFp32(entry, Fp32Reason::NoCalibration, uncalibrated);
                continue;
            }
            for (const size_t k : fused)
                plan.nodes[static_cast<size_t>(graph.producerIndex(node.inputs[k]))].residualAdd =
                    node.name;
            entry.fusedInputs = fused;
            if (entry.inputs.empty()) {
                keepInFp32(entry, Fp32Reason::NothingToRound,
                           "every input is added in the epilogue of the int8 layer producing it");
                continue;
            }
            entry.precision = NodePrecision::Rounded;
        } else {
            keepInFp32(entry, Fp32Reason::NotQuantizable, "no int8 form of " + node.op);
        }
    }
    return plan;
}

namespace {

bool sameQuantization(const ActivationQuantization& a, const ActivationQuantization& b) {
    return a.scale == b.scale && a.isUnsigned == b.isUnsigned;
}

}  // namespace

bool sameExecution(const Int8Plan& a, const NodePlan& x, const Int8Plan& b, const NodePlan& y) {
    if (x.name != y.name || x.precision != y.precision) return false;
    if (x.inputs.size() != y.inputs.size()) return false;
    for (size_t k = 0; k < x.inputs.size(); ++k)
        if (x.inputs[k].input != y.inputs[k].input ||
            !sameQuantization(x.inputs[k].quantization, y.inputs[k].quantization))
            return false;
    if (x.precision != NodePrecision::Int8) return true;
    if (a.options.perChannelWeights != b.options.perChannelWeights ||
        a.options.kernel != b.options.kernel)
        return false;
    if (x.activation.has_value() != y.activation.has_value()) return false;
    if (x.activation &&
        (x.activation->node != y.activation->node || x.activation->low != y.activation->low ||
         x.activation->high != y.activation->high))
        return false;
    const bool xApplied = x.bias.state == BiasCorrectionState::Applied;
    const bool yApplied = y.bias.state == BiasCorrectionState::Applied;
    return xApplied == yApplied && (!xApplied || x.bias.delta == y.bias.delta);
}

}  // namespace qf

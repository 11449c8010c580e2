#pragma once
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "thresholds/calibration_table.h"
#include "graph/graph.h"
#include "quantize/int8_layers.h"
#include "runtime/executor.h"

namespace qf {

struct Int8Options {
    bool perChannelWeights = true;
    bool unsignedActivations = true;  // [0, 255] for tensors calibration saw never negative
    std::set<std::string> keepFp32;   // node names left in FP32 (mixed precision)
    // Thresholds for the inputs of rescaled element-wise ops (Add, Concat): clipping there cuts
    // the residual branch itself, so they use a method that keeps the range (unless a threshold
    // was set by hand). Unset: the method each tensor selects.
    std::optional<ThresholdMethod> elementwiseMethod = ThresholdMethod::MinMax;
    // Apply the table's bias corrections where they were measured for this quantization.
    bool biasCorrection = true;
    Int8Kernel kernel = bestInt8Kernel();
};

// A graph prepared for int8: every Conv / ConvTranspose / Gemm with a calibrated input runs in
// int8 arithmetic; element-wise Add / Sum / Eltwise and Concat see their inputs rounded to their
// own int8 scales (int8 element-wise ops with rescaling); everything else runs in FP32 between
// a dequantize and the next op's quantize. The graph and table must outlive the model.
class Int8Model {
public:
    Int8Model(const Graph& graph, const CalibrationTable& table, const Int8Options& options = {});

    TensorMap run(const TensorMap& feeds, const TensorObserver& observer = nullptr,
                  bool keepAll = false) const;

    const std::vector<std::string>& quantizedNodes() const { return quantized_; }
    // Quantizable nodes left in FP32, with the reason (kept by request, no calibration, ...).
    const std::map<std::string, std::string>& fp32Nodes() const { return fp32_; }
    const std::vector<std::string>& biasCorrected() const { return corrected_; }
    // Runs one quantized node alone in int8 on a float input ("this layer alone"), with or
    // without the activation fused into it.
    Tensor runLayer(const std::string& node, const Tensor& input, bool withFusedActivation) const;
    // The tensor holding a quantized node's result: its own output, or that of the ReLU / ReLU6
    // fused into its epilogue.
    const std::string& layerOutput(const std::string& node) const;
    // The quantization of a tensor (threshold -> scale, signedness) as this model uses it.
    ActivationQuantization activationQuantization(const std::string& tensor) const;
    ActivationQuantization elementwiseQuantization(const std::string& tensor) const;
    // The element-wise nodes that round inputs to int8 (input index -> quantization); inputs
    // added in a quantized layer's epilogue are absent.
    using RoundedInputs = std::vector<std::pair<size_t, ActivationQuantization>>;
    const std::map<std::string, RoundedInputs>& rescaledElementwise() const { return rescaled_; }

private:
    const Graph& graph_;
    const CalibrationTable& table_;
    Int8Options options_;
    Executor executor_;
    std::map<std::string, std::shared_ptr<const Int8Layer>> layers_;
    std::vector<std::string> quantized_, corrected_;
    std::map<std::string, std::string> fp32_;
    std::map<std::string, RoundedInputs> rescaled_;
    std::map<std::string, std::string> layerOutputs_;  // quantized node -> fused activation's output
};

}  // namespace qf

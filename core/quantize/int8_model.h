#pragma once
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "graph/graph.h"
#include "quantize/int8_layers.h"
#include "quantize/int8_plan.h"
#include "runtime/executor.h"
#include "thresholds/calibration_table.h"

namespace qf {

// A graph prepared for int8 as an Int8Plan says (see planInt8): every Conv / ConvTranspose /
// Gemm with a calibrated input runs in int8 arithmetic; element-wise Add / Sum / Eltwise and
// Concat see their inputs rounded to their own int8 scales (int8 element-wise ops with
// rescaling); everything else runs in FP32 between a dequantize and the next op's quantize.
// The model owns snapshots of the graph and of the table it was built from, so editing the
// caller's table never changes what it reports or runs.
class Int8Model {
public:
    Int8Model(std::shared_ptr<const Graph> graph, std::shared_ptr<const CalibrationTable> table,
              const Int8Options& options = {});
    // Builds what `plan` (made by planInt8 from this graph and table) says. Layers of `reuse`
    // whose node plan executes the same (sameExecution) are shared instead of rebuilt.
    Int8Model(std::shared_ptr<const Graph> graph, std::shared_ptr<const CalibrationTable> table,
              Int8Plan plan, const Int8Model* reuse = nullptr);
    // Copies the graph and the table.
    Int8Model(const Graph& graph, const CalibrationTable& table, const Int8Options& options = {});

    TensorMap run(const TensorMap& feeds, const TensorObserver& observer = nullptr,
                  bool keepAll = false) const;

    const Int8Plan& plan() const { return plan_; }
    const Graph& graph() const { return *graph_; }
    const std::shared_ptr<const Graph>& graphSnapshot() const { return graph_; }
    const CalibrationTable& table() const { return *table_; }

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
    // The quantization of a tensor (threshold -> scale, signedness) as this model uses it, read
    // from the table the model was built from.
    ActivationQuantization activationQuantization(const std::string& tensor) const;
    ActivationQuantization elementwiseQuantization(const std::string& tensor) const;
    // The element-wise nodes that round inputs to int8 (input index -> quantization); inputs
    // added in a quantized layer's epilogue are absent.
    using RoundedInputs = std::vector<std::pair<size_t, ActivationQuantization>>;
    const std::map<std::string, RoundedInputs>& rescaledElementwise() const { return rescaled_; }

    // An executor of nodes [first, end) of the graph running as this model does: its graph
    // inputs are the tensors those nodes read that earlier nodes (or the model inputs) produce,
    // listed by tailInputs(first). Lets a caller re-run only the part of the model an edit
    // changed, from cached tensors; the results are the same, bit for bit, as run()'s.
    Executor tailExecutor(size_t first) const;
    std::vector<std::string> tailInputs(size_t first) const;

private:
    void build(const Int8Model* reuse);
    void applyTo(Executor& executor, size_t first) const;

    std::shared_ptr<const Graph> graph_;
    std::shared_ptr<const CalibrationTable> table_;
    Int8Plan plan_;  // with the options activationQuantization() reads
    Executor executor_;
    std::map<std::string, std::shared_ptr<const Int8Layer>> layers_;
    std::vector<std::string> quantized_, corrected_;
    std::map<std::string, std::string> fp32_;
    std::map<std::string, RoundedInputs> rescaled_;
    std::map<std::string, std::string>
        layerOutputs_;  // quantized node -> fused activation's output
};

}  // namespace qf

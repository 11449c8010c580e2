#pragma once
// The int8 plan as plain data: for every node of a graph, whether it runs in int8 and why not,
// how each quantized input is quantized, what is fused into an int8 layer's epilogue and which
// bias corrections apply (or were dropped, and why). Int8Model builds from it, the QDQ export
// writes it, the comparison report and the GUI show it, and the comparison session diffs two
// plans to rebuild only what an edit changed. Computing a plan builds no layer.
#include <cstddef>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "graph/graph.h"
#include "quantize/activation_quantization.h"
#include "quantize/int8_gemm.h"
#include "thresholds/calibration_table.h"

namespace qf {

struct Int8Options {
    bool perChannelWeights = true;
    bool unsignedActivations = true;  // [0, 255] for tensors calibration saw never negative
    // Node names left in FP32 (mixed precision). The keep set lives here, with the other choices
    // of how to run, not in the CalibrationTable (which holds what calibration measured); an ncnn
    // table file carries one only because that format does, and the int8 set-up merges it here.
    std::set<std::string> keepFp32;
    // Thresholds for the inputs of rescaled element-wise ops (Add, Concat): clipping there cuts
    // the residual branch itself, so they use a method that keeps the range (unless a threshold
    // was set by hand). Unset: the method each tensor selects.
    std::optional<ThresholdMethod> elementwiseMethod = ThresholdMethod::MinMax;
    // Apply the table's bias corrections where they were measured for this quantization.
    bool biasCorrection = true;
    Int8Kernel kernel = bestInt8Kernel();
};

// How a node runs.
enum class NodePrecision {
    Fp32,               // the FP32 kernel (between a dequantize and the next quantize)
    Int8,               // an int8 layer: quantized input, int8 weights, int32 accumulation
    Rounded,            // a rescaled element-wise op whose inputs are rounded to their int8 scales
    FusedIntoProducer,  // an activation applied in the epilogue of the int8 layer before it
};
const char* nodePrecisionName(NodePrecision precision);

// Why a node that could matter for int8 stays in FP32 (None for int8, rounded and fused nodes).
enum class Fp32Reason {
    None,
    KeptByRequest,       // in Int8Options::keepFp32
    NoCalibration,       // an input to quantize has no calibration in the table
    NotQuantizable,      // the op has no int8 form at all (pooling, softmax, ...)
    UnsupportedShape,    // a quantizable op in a form without an int8 kernel (transA, ...)
    WeightsNotConstant,  // weights computed at run time
    NothingToRound,      // every input of the element-wise op is added in an int8 epilogue
};
const char* fp32ReasonName(Fp32Reason reason);

// One activation input rounded to int8: which input, its threshold and quantization.
struct QuantizedInput {
    size_t input = 0;  // index among the node's inputs
    std::string tensor;
    double threshold = 0.0;
    ActivationQuantization quantization;
};

// A ReLU / ReLU6 / constant Clip applied in an int8 layer's epilogue; the activation node then
// passes the layer's result on (NodePrecision::FusedIntoProducer).
struct FusedActivation {
    std::string node;
    float low = 0.0f, high = 0.0f;
};

enum class BiasCorrectionState {
    NotRequested,  // Int8Options::biasCorrection is off
    NotMeasured,   // the table holds no correction for the node
    Applied,
    DroppedThreshold,    // measured for another input threshold
    DroppedGranularity,  // measured for per-channel weights and used per-tensor, or back
    DroppedChannels,     // measured for another number of output channels
};
const char* biasCorrectionStateName(BiasCorrectionState state);

struct BiasCorrectionPlan {
    BiasCorrectionState state = BiasCorrectionState::NotMeasured;
    std::string text;          // why it was dropped, with the numbers
    std::vector<float> delta;  // added to the bias when Applied
};

struct NodePlan {
    std::string name;
    std::string op;
    size_t index = 0;  // in Graph::nodes
    NodePrecision precision = NodePrecision::Fp32;
    Fp32Reason fp32Reason = Fp32Reason::None;
    std::string reasonText;  // "" unless fp32Reason is set
    // Int8: input 0; Rounded: the inputs rounded (those added in an epilogue are absent).
    std::vector<QuantizedInput> inputs;
    // Int8 only.
    std::optional<FusedActivation> activation;
    std::string result;  // the tensor holding the layer's result: its output or the activation's
    // The rescaled element-wise node that adds this layer's result in its epilogue (the fused
    // residual add: that input is not rounded); "" when none.
    std::string residualAdd;
    BiasCorrectionPlan bias;
    // Rounded only: inputs added in the epilogue of the int8 layer producing them.
    std::vector<size_t> fusedInputs;
};

struct DroppedBiasCorrection {
    std::string node;
    BiasCorrectionState state = BiasCorrectionState::DroppedThreshold;
    std::string reason;
};

struct Int8Plan {
    Int8Options options;          // the options the plan was made with
    std::vector<NodePlan> nodes;  // one per graph node, in graph order

    const NodePlan* find(const std::string& node) const;
    std::vector<std::string> quantizedNodes() const;  // NodePrecision::Int8, in graph order
    // Quantizable nodes left in FP32, with the reason (kept by request, no calibration, ...).
    std::map<std::string, std::string> fp32Nodes() const;
    std::vector<std::string> biasCorrected() const;
    std::vector<DroppedBiasCorrection> droppedBiasCorrections() const;
};

// The quantization of a calibrated tensor as an int8 layer's input, and as the input of a
// rescaled element-wise op. Throw qf::Error when the table has no calibration for it.
ActivationQuantization activationQuantizationOf(const CalibrationTable& table,
                                                const std::string& tensor,
                                                const Int8Options& options);
ActivationQuantization elementwiseQuantizationOf(const CalibrationTable& table,
                                                 const std::string& tensor,
                                                 const Int8Options& options);

// Decides every node: a Conv / ConvTranspose / Gemm (op_traits: quantizable) with a calibrated
// input and an int8 kernel runs in int8, a lone ReLU / ReLU6 / Clip after it is fused into its
// epilogue; a rescaled element-wise op rounds its calibrated inputs except those added in an
// int8 epilogue; everything else runs in FP32.
Int8Plan planInt8(const Graph& graph, const CalibrationTable& table, const Int8Options& options);

// Why `node` (quantizable) has no int8 layer: None when makeInt8Layer builds one.
Fp32Reason int8KernelRefusal(const Graph& graph, const Node& node);

// Whether the built int8 layers of two plans differ at the node: its precision, its input
// quantization, fused activation, applied bias correction or the weight granularity / kernel.
bool sameExecution(const Int8Plan& a, const NodePlan& x, const Int8Plan& b, const NodePlan& y);

}  // namespace qf

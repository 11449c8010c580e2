#include "quantize/qdq_export.h"

#include <algorithm>
#include <cstring>
#include <map>

#include "formats/onnx/onnx_exporter.h"
#include "formats/onnx/onnx_opset13.h"
#include "graph/op_traits.h"
#include "quantize/weight_quantization.h"
#include "util/error.h"

namespace qf {
namespace {

class QdqBuilder {
public:
    QdqBuilder(const Int8Options& options, Graph& graph) : options_(options), graph_(graph) {}

    // Returns the dequantized name standing for `tensor` under `q`, inserting its Q/DQ pair once
    // per distinct quantization.
    std::string activation(const std::string& tensor, const ActivationQuantization& q) {
        uint32_t scaleBits = 0;
        std::memcpy(&scaleBits, &q.scale, sizeof scaleBits);  // exact: two scales never share a key
        const std::string key =
            tensor + "|" + std::to_string(scaleBits) + (q.isUnsigned ? "u" : "s");
        const auto known = dequantized_.find(key);
        if (known != dequantized_.end()) return known->second;
        // A tensor rounded two ways (a conv input and a residual input) gets two pairs.
        const int seen = names_[tensor]++;
        const std::string base = seen == 0 ? tensor : tensor + "/" + std::to_string(seen);
        const std::string scale = addWeight(base + "/scale", Tensor::floats({}, q.scale));
        const std::string zero =
            addWeight(base + "/zero_point",
                      Tensor::ints({}, {0}, q.isUnsigned ? DataType::UInt8 : DataType::Int8));
        const std::string quantized = base + "/quantized", restored = base + "/dequantized";
        pending_.push_back(makeNode(base + "/QuantizeLinear", "QuantizeLinear",
                                    {tensor, scale, zero}, {quantized}));
        pending_.push_back(makeNode(base + "/DequantizeLinear", "DequantizeLinear",
                                    {quantized, scale, zero}, {restored}));
        dequantized_[key] = restored;
        return restored;
    }

    // Replaces the node's float weights by int8 values read through a DequantizeLinear.
    void weights(Node& node) {
        const Tensor& w = *graph_.weight(node.input(1));
        const int64_t group = node.attrInt("group", 1);
        // ConvTranspose's output channels span one weight axis only without groups.
        const bool perChannel =
            options_.perChannelWeights && !(node.op == "ConvTranspose" && group != 1);
        const QuantizedWeights q = quantizeWeights(node, w, perChannel);
        Tensor values = Tensor::ints(
            w.shape, std::vector<int64_t>(q.values.begin(), q.values.end()), DataType::Int8);
        std::vector<float> scales = perChannel ? q.scales : std::vector<float>{q.scales.at(0)};
        for (auto& s : scales)
            if (s == 0.0f) s = 1.0f;  // an all-zero channel: any scale restores its zeros
        const auto channels = static_cast<int64_t>(scales.size());
        const std::string base = node.input(1);
        const std::string quantized = addWeight(base + "/int8", std::move(values));
        const std::string scale =
            addWeight(base + "/scale",
                      perChannel ? Tensor::floats({channels}, scales) : Tensor::floats({}, scales));
        const std::string zero = addWeight(
            base + "/zero_point",
            Tensor::ints(perChannel ? Shape{channels} : Shape{},
                         std::vector<int64_t>(static_cast<size_t>(channels), 0), DataType::Int8));
        const int64_t axis = node.op == "Conv"            ? 0
                             : node.op == "ConvTranspose" ? 1
                             : node.attrInt("transB", 0)  ? 0
                                                          : 1;
        std::map<std::string, Attribute> attrs;
        if (perChannel) attrs["axis"] = Attribute::ofInt(axis);
        // Weights shared by several nodes get one DequantizeLinear each, under distinct names.
        const int seen = names_[base]++;
        const std::string unique = seen == 0 ? base : base + "/" + std::to_string(seen);
        const std::string restored = unique + "/dequantized";
        pending_.push_back(makeNode(unique + "/DequantizeLinear", "DequantizeLinear",
                                    {quantized, scale, zero}, {restored}, std::move(attrs)));
        node.inputs[1] = restored;
        node.source.clear();
    }

    // Writes the bias the int8 runtime uses: the float bias plus the measured correction.
    void correctBias(Node& node, const std::vector<float>& delta) {
        const auto channels = static_cast<int64_t>(delta.size());
        Tensor bias = Tensor::floats({channels}, 0.0f);
        if (const Tensor* original = node.input(2).empty() ? nullptr : graph_.weight(node.input(2)))
            for (int64_t c = 0; c < channels; ++c)
                bias.f[c] = original->numel() == 1 ? original->f[0] : original->f[c];
        // Gemm adds beta * C: the correction enters C divided by beta.
        const float beta = node.op == "Gemm" ? node.attrFloat("beta", 1.0f) : 1.0f;
        for (int64_t c = 0; c < channels; ++c) bias.f[c] += delta[static_cast<size_t>(c)] / beta;
        if (node.inputs.size() < 3) node.inputs.resize(3);
        node.inputs[2] = addWeight(
            (node.input(2).empty() ? node.name : node.input(2)) + "/corrected", std::move(bias));
        node.source.clear();
    }

    std::vector<Node> takePending() { return std::move(pending_); }

private:
    std::string addWeight(const std::string& base, Tensor value) {
        return graph_.addWeight(base, std::move(value));
    }

    const Int8Options& options_;
    Graph& graph_;
    std::map<std::string, std::string> dequantized_;  // tensor + quantization -> its DQ output
    std::map<std::string, int> names_;
    std::vector<Node> pending_;
};

}  // namespace

std::vector<std::string> exportQdqOnnx(const Graph& graph, const Int8Plan& plan,
                                       const std::string& path, const Progress& progress) {
    if (plan.nodes.size() != graph.nodes.size())
        throw Error("exportQdqOnnx: the int8 plan was made for another graph");
    Graph onnx = toOnnxOpset13(graph);
    QdqBuilder builder(plan.options, onnx);
    std::vector<Node> nodes;
    // Steps out of 100: quantizing the weights node by node, then writing the ONNX file.
    const Progress nodesProgress = progress.phase(0, 50, 100);
    const auto nodeCount = static_cast<long>(onnx.nodes.size());
    long nodeIndex = 0;
    for (Node node : onnx.nodes) {
        nodesProgress.throwIfCancelled();
        nodesProgress.step(nodeIndex++, nodeCount, node.name);
        const int originalIndex = graph.nodeIndex(node.name);
        const Node* original =
            originalIndex >= 0 ? &graph.nodes[static_cast<size_t>(originalIndex)] : nullptr;
        const NodePlan* entry =
            original ? &plan.nodes[static_cast<size_t>(originalIndex)] : nullptr;
        if (entry && entry->precision == NodePrecision::Int8 && isQuantizable(node)) {
            // The calibration describes the original input; a Flatten put before a Gemm keeps its
            // values.
            node.inputs[0] = builder.activation(node.inputs[0], entry->inputs.at(0).quantization);
            builder.weights(node);
            if (entry->bias.state == BiasCorrectionState::Applied)
                builder.correctBias(node, entry->bias.delta);
        } else if (entry && entry->precision == NodePrecision::Rounded &&
                   node.inputs == original->inputs) {
            // Only where the ONNX node reads what the original did: a Caffe Eltwise with coeffs
            // or more than two bottoms becomes several nodes, and stays unrounded in the export.
            for (const auto& input : entry->inputs)
                node.inputs[input.input] =
                    builder.activation(node.inputs[input.input], input.quantization);
            node.source.clear();
        }
        for (auto& inserted : builder.takePending()) nodes.push_back(std::move(inserted));
        nodes.push_back(std::move(node));
    }
    onnx.nodes = std::move(nodes);
    onnx.removeUnusedWeights();
    exportOnnx(onnx, path, progress.phase(50, 50, 100));
    return plan.quantizedNodes();
}

std::vector<std::string> exportQdqOnnx(const Graph& graph, const CalibrationTable& table,
                                       const Int8Options& options, const std::string& path,
                                       const Progress& progress) {
    return exportQdqOnnx(graph, planInt8(graph, table, options), path, progress);
}

}  // namespace qf

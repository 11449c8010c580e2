#include "formats/onnx/onnx_opset13.h"

#include <map>
#include <set>

#include "runtime/shape_inference.h"
#include "util/error.h"

namespace qf {
namespace {

class Rewriter {
public:
    Rewriter(const Graph& source, Graph& target) : source_(source), target_(target) {
        shapes_ = inferShapes(source);
    }

    void convert(const Node& node) {
        // Caffe and TensorFlow nodes are rebuilt from their IR attributes (their sources are
        // no NodeProtos); only the IR's plain ONNX ops can be.
        const bool fromCaffe = source_.format != "onnx";
        const int64_t opset = fromCaffe ? 13
                                        : std::stoll(source_.sourceInfo.count("opset")
                                                         ? source_.sourceInfo.at("opset")
                                                         : "13");
        if (node.op == "Gemm" && node.has("axis")) return gemmWithFlatten(node);
        if (node.op == "Scale" || node.op == "Bias") return channelAffine(node);
        if (node.op == "Eltwise") return eltwise(node);
        if (node.op == "Power") return power(node);
        if (node.op == "Crop") return crop(node);
        if (node.op == "Flatten" && node.has("end_axis"))
            return reshapeTo(node, shapeOf(node.outputs[0]));
        if (node.op == "Reshape" && node.has("shape"))
            return reshapeTo(node, node.attrInts("shape"));
        if (node.op == "Softmax" && node.has("coerce_2d")) return softmax(node);
        if (node.op == "Dropout")
            return emit(node.name, "Identity", {node.input(0)}, {node.outputs[0]});
        if (node.op == "Clip" && (node.has("min") || node.has("max"))) return clip(node);
        if ((node.op == "Squeeze" || node.op == "Unsqueeze") && node.has("axes"))
            return attributeToInput(node, "axes", 1);
        if (node.op == "Slice" && node.has("starts")) return slice(node);
        if (node.op == "Pad" && node.has("pads")) return pad(node);
        // Resize-10 (X, scales) has Upsample's meaning; from 11 on input 1 is the ROI.
        if (node.op == "Upsample" || (node.op == "Resize" && opset < 11)) return upsample(node);
        if (fromCaffe || opset < 13) {
            Node copy = node;
            copy.source.clear();  // rebuilt from attributes under the new opset
            if (fromCaffe && !isPlainOnnx(node.op))
                throw Error("node '" + node.name + "' (" + node.op +
                            ") cannot be expressed in ONNX");
            target_.nodes.push_back(std::move(copy));
            return;
        }
        target_.nodes.push_back(node);
    }

private:
    static bool isPlainOnnx(const std::string& op) {
        static const std::set<std::string> ops = {"Conv",
                                                  "ConvTranspose",
                                                  "MaxPool",
                                                  "AveragePool",
                                                  "GlobalAveragePool",
                                                  "GlobalMaxPool",
                                                  "Gemm",
                                                  "BatchNormalization",
                                                  "Relu",
                                                  "LeakyRelu",
                                                  "PRelu",
                                                  "Sigmoid",
                                                  "Tanh",
                                                  "Softmax",
                                                  "Concat",
                                                  "Transpose",
                                                  "Flatten",
                                                  "Add",
                                                  "Mul",
                                                  "Sub",
                                                  "Div",
                                                  "Max",
                                                  "Sum",
                                                  "Identity",
                                                  "Clip",
                                                  "Exp"};
        return ops.count(op) != 0;
    }

    const Shape& shapeOf(const std::string& tensor) const {
        const auto it = shapes_.find(tensor);
        if (it == shapes_.end()) throw Error("no shape known for tensor '" + tensor + "'");
        return it->second;
    }

    std::string constant(const std::string& base, Tensor value) {
        return target_.addWeight(base, std::move(value));
    }

    std::string temporary(const std::string& base) {
        return base + "/onnx" + std::to_string(++counter_);
    }

    void emit(const std::string& name, const std::string& op, std::vector<std::string> inputs,
              std::vector<std::string> outputs, std::map<std::string, Attribute> attrs = {}) {
        target_.nodes.push_back(
            makeNode(name, op, std::move(inputs), std::move(outputs), std::move(attrs)));
    }

    void gemmWithFlatten(const Node& node) {
        const int64_t rank = static_cast<int64_t>(shapeOf(node.input(0)).size());
        Node gemm = node;
        gemm.source.clear();
        gemm.attrs.erase("axis");
        if (rank != 2 || node.attrInt("axis", 1) != 1) {
            const std::string flat = temporary(node.name + "/flatten");
            emit(node.name + "/flatten", "Flatten", {node.input(0)}, {flat},
                 {{"axis", Attribute::ofInt(node.attrInt("axis", 1))}});
            gemm.inputs[0] = flat;
        }
        target_.nodes.push_back(std::move(gemm));
    }

    // Caffe Scale / Bias on axis 1: Mul and Add with parameters shaped [C, 1, ...] to broadcast.
    void channelAffine(const Node& node) {
        if (node.attrInt("axis", 1) != 1 || node.attrInt("num_axes", 1) != 1)
            throw Error("node '" + node.name + "' (" + node.op +
                        "): only axis 1 can be expressed in ONNX");
        const int64_t rank = static_cast<int64_t>(shapeOf(node.input(0)).size());
        const auto broadcastable = [&](const std::string& tensor) {
            const Tensor* t = source_.weight(tensor);
            if (!t)
                throw Error("node '" + node.name + "' (" + node.op +
                            "): parameters must be constant for ONNX");
            Tensor reshaped = *t;
            reshaped.shape = {t->numel()};
            for (int64_t k = 2; k < rank; ++k) reshaped.shape.push_back(1);
            return constant(tensor + "/onnx", std::move(reshaped));
        };
        std::string current = node.input(0);
        const bool hasBias = node.op == "Bias" || !node.input(2).empty();
        if (node.op == "Scale") {
            const std::string out = hasBias ? temporary(node.name + "/mul") : node.outputs[0];
            emit(node.name + "/mul", "Mul", {current, broadcastable(node.input(1))}, {out});
            current = out;
        }
        if (hasBias)
            emit(node.name + "/add", "Add",
                 {current, broadcastable(node.op == "Bias" ? node.input(1) : node.input(2))},
                 {node.outputs[0]});
    }

    void eltwise(const Node& node) {
        const int64_t operation = node.attrInt("operation", 1);
        const auto coeffs = node.attrFloats("coeffs");
        const std::string op = operation == 0 ? "Mul" : operation == 2 ? "Max" : "Add";
        std::vector<std::string> terms = node.inputs;
        if (operation == 1 && !coeffs.empty()) {
            for (size_t k = 0; k < terms.size(); ++k) {
                if (coeffs.at(k) == 1.0f) continue;
                const std::string scaled = temporary(node.name + "/coeff");
                emit(scaled, "Mul",
                     {terms[k], constant(node.name + "/coeff", Tensor::floats({}, coeffs[k]))},
                     {scaled});
                terms[k] = scaled;
            }
        }
        std::string current = terms[0];
        for (size_t k = 1; k < terms.size(); ++k) {
            const std::string out = k + 1 == terms.size() ? node.outputs[0] : temporary(node.name);
            emit(k + 1 == terms.size() ? node.name : out, op, {current, terms[k]}, {out});
            current = out;
        }
        if (terms.size() == 1) emit(node.name, "Identity", {current}, {node.outputs[0]});
    }

    void power(const Node& node) {
        const float scale = node.attrFloat("scale", 1.0f), shift = node.attrFloat("shift", 0.0f);
        const float exponent = node.attrFloat("power", 1.0f);
        std::string current = node.input(0);
        const auto step = [&](const char* op, float value, bool last) {
            const std::string out = last ? node.outputs[0] : temporary(node.name);
            emit(node.name + "/" + op, op,
                 {current, constant(node.name + "/" + op, Tensor::floats({}, value))}, {out});
            current = out;
        };
        const bool doScale = scale != 1.0f, doShift = shift != 0.0f, doPower = exponent != 1.0f;
        if (doScale) step("Mul", scale, !doShift && !doPower);
        if (doShift) step("Add", shift, !doPower);
        if (doPower) step("Pow", exponent, true);
        if (!doScale && !doShift && !doPower)
            emit(node.name, "Identity", {current}, {node.outputs[0]});
    }

    void crop(const Node& node) {
        const Shape& in = shapeOf(node.input(0));
        const Shape& reference = shapeOf(node.input(1));
        int64_t axis = node.attrInt("axis", 2);
        if (axis < 0) axis += static_cast<int64_t>(in.size());
        const auto offsets = node.attrInts("offset");
        std::vector<int64_t> starts, ends, axes;
        for (int64_t a = axis; a < static_cast<int64_t>(in.size()); ++a) {
            const int64_t offset = offsets.empty() ? 0
                                   : offsets.size() == 1
                                       ? offsets[0]
                                       : offsets.at(static_cast<size_t>(a - axis));
            starts.push_back(offset);
            ends.push_back(offset + reference[static_cast<size_t>(a)]);
            axes.push_back(a);
        }
        sliceNode(node.name, node.input(0), node.outputs[0], starts, ends, axes);
    }

    void sliceNode(const std::string& name, const std::string& in, const std::string& out,
                   std::vector<int64_t> starts, std::vector<int64_t> ends,
                   std::vector<int64_t> axes) {
        const auto ints = [&](const char* what, std::vector<int64_t> values) {
            const auto count = static_cast<int64_t>(values.size());
            return constant(name + "/" + what, Tensor::ints({count}, std::move(values)));
        };
        emit(name, "Slice",
             {in, ints("starts", std::move(starts)), ints("ends", std::move(ends)),
              ints("axes", std::move(axes))},
             {out});
    }

    void slice(const Node& node) {
        const auto starts = node.attrInts("starts"), ends = node.attrInts("ends");
        std::vector<int64_t> axes = node.attrInts("axes");
        if (axes.empty())
            for (size_t k = 0; k < starts.size(); ++k) axes.push_back(static_cast<int64_t>(k));
        sliceNode(node.name, node.input(0), node.outputs[0], starts, ends, axes);
    }

    void reshapeTo(const Node& node, const std::vector<int64_t>& shape) {
        const auto count = static_cast<int64_t>(shape.size());
        emit(node.name, "Reshape",
             {node.input(0), constant(node.name + "/shape", Tensor::ints({count}, shape))},
             {node.outputs[0]});
    }

    void softmax(const Node& node) {
        const Shape& shape = shapeOf(node.input(0));
        int64_t axis = node.attrInt("axis", 1);
        if (axis < 0) axis += static_cast<int64_t>(shape.size());
        if (axis == static_cast<int64_t>(shape.size()) - 1)
            return emit(node.name, "Softmax", {node.input(0)}, {node.outputs[0]},
                        {{"axis", Attribute::ofInt(axis)}});
        // Old Softmax normalizes over every axis from `axis` on: flatten, softmax, restore.
        const std::string flat = temporary(node.name), soft = temporary(node.name);
        emit(node.name + "/flatten", "Flatten", {node.input(0)}, {flat},
             {{"axis", Attribute::ofInt(axis)}});
        emit(node.name, "Softmax", {flat}, {soft}, {{"axis", Attribute::ofInt(1)}});
        const auto rank = static_cast<int64_t>(shape.size());
        emit(node.name + "/restore", "Reshape",
             {soft, constant(node.name + "/shape", Tensor::ints({rank}, shape))},
             {node.outputs[0]});
    }

    void clip(const Node& node) {
        const std::string low = constant(
            node.name + "/min", Tensor::floats({}, node.attrFloat("min", -3.4028235e38f)));
        const std::string high = constant(
            node.name + "/max", Tensor::floats({}, node.attrFloat("max", 3.4028235e38f)));
        emit(node.name, "Clip", {node.input(0), low, high}, {node.outputs[0]});
    }

    void attributeToInput(const Node& node, const char* attr, size_t index) {
        Node copy = node;
        copy.source.clear();
        const auto values = node.attrInts(attr);
        copy.attrs.erase(attr);
        copy.inputs.resize(std::max(copy.inputs.size(), index + 1));
        copy.inputs[index] = constant(node.name + "/" + attr,
                                      Tensor::ints({static_cast<int64_t>(values.size())}, values));
        target_.nodes.push_back(std::move(copy));
    }

    void pad(const Node& node) {
        const auto pads = node.attrInts("pads");
        std::vector<std::string> inputs = {
            node.input(0),
            constant(node.name + "/pads", Tensor::ints({static_cast<int64_t>(pads.size())}, pads)),
            constant(node.name + "/value", Tensor::floats({}, node.attrFloat("value", 0.0f)))};
        emit(node.name, "Pad", inputs, {node.outputs[0]},
             {{"mode", Attribute::ofString(node.attrString("mode", "constant"))}});
    }

    void upsample(const Node& node) {
        std::string scales;
        if (node.has("scales")) {
            const auto values = node.attrFloats("scales");
            scales = constant(node.name + "/scales",
                              Tensor::floats({static_cast<int64_t>(values.size())}, values));
        } else {
            scales = node.input(1);
        }
        const std::string mode = node.attrString("mode", "nearest");
        emit(node.name, "Resize", {node.input(0), "", scales}, {node.outputs[0]},
             {{"mode", Attribute::ofString(mode == "bilinear" ? "linear" : mode)},
              {"coordinate_transformation_mode", Attribute::ofString("asymmetric")},
              {"nearest_mode", Attribute::ofString("floor")}});
    }

    const Graph& source_;
    Graph& target_;
    std::map<std::string, Shape> shapes_;
    int counter_ = 0;
};

}  // namespace

Graph toOnnxOpset13(const Graph& graph) {
    Graph result;
    result.format = "onnx";
    result.name = graph.name;
    result.weights = graph.weights;
    result.inputs = graph.inputs;
    result.outputs = graph.outputs;
    if (graph.format == "onnx") result.source = graph.source;
    result.sourceInfo["opset"] = "13";
    // Converted nodes keep their ids; the nodes a conversion adds get fresh ones.
    result.lastNodeId = graph.lastNodeId;
    Rewriter rewriter(graph, result);
    for (const auto& node : graph.nodes) rewriter.convert(node);
    result.removeUnusedWeights();
    result.assignMissingIds();
    return result;
}

}  // namespace qf

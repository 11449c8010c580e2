#include "formats/onnx/onnx_importer.h"
#include "formats/protobuf_log.h"

#include <onnx/onnx_pb.h>

#include <filesystem>
#include <map>
#include <set>

#include "passes/fold_constants.h"
#include "runtime/kernel.h"
#include "util/atomic_file.h"
#include "util/error.h"

namespace qf {
namespace {

DataType dataTypeFromOnnx(int elemType) {
    switch (elemType) {
        case onnx::TensorProto::DOUBLE:
            return DataType::Float64;
        case onnx::TensorProto::INT64:
            return DataType::Int64;
        case onnx::TensorProto::INT32:
            return DataType::Int32;
        case onnx::TensorProto::INT8:
            return DataType::Int8;
        case onnx::TensorProto::UINT8:
            return DataType::UInt8;
        case onnx::TensorProto::BOOL:
            return DataType::Bool;
        default:
            return DataType::Float32;
    }
}

ValueInfo valueInfoFromOnnx(const onnx::ValueInfoProto& proto) {
    ValueInfo info;
    info.name = proto.name();
    if (proto.type().has_tensor_type()) {
        const auto& tensorType = proto.type().tensor_type();
        info.dtype = dataTypeFromOnnx(tensorType.elem_type());
        for (const auto& dim : tensorType.shape().dim())
            info.shape.push_back(dim.has_dim_value() ? dim.dim_value() : -1);
    }
    return info;
}

Attribute attributeFromOnnx(const onnx::AttributeProto& proto, const std::string& where) {
    switch (proto.type()) {
        case onnx::AttributeProto::INT:
            return Attribute::ofInt(proto.i());
        case onnx::AttributeProto::FLOAT:
            return Attribute::ofFloat(proto.f());
        case onnx::AttributeProto::STRING:
            return Attribute::ofString(proto.s());
        case onnx::AttributeProto::INTS:
            return Attribute::ofInts({proto.ints().begin(), proto.ints().end()});
        case onnx::AttributeProto::FLOATS:
            return Attribute::ofFloats({proto.floats().begin(), proto.floats().end()});
        case onnx::AttributeProto::STRINGS:
            return Attribute::ofStrings({proto.strings().begin(), proto.strings().end()});
        case onnx::AttributeProto::TENSOR:
            return Attribute::ofTensor(tensorFromOnnx(proto.t(), where));
        default:
            return Attribute::ofString("<unsupported attribute type>");
    }
}

// The attributes of each ONNX op this runtime executes that its kernel (or the importer) reads;
// keep in step with runtime/kernels. No kernel looks at an attribute outside its op's list, so
// one is reported: the model may then compute something other than what its file says.
const std::map<std::string, std::set<std::string>>& attributesRead() {
    static const std::set<std::string> window{"kernel_shape", "strides", "pads", "dilations",
                                              "auto_pad"};
    const auto with = [](std::set<std::string> base, std::set<std::string> more) {
        base.insert(more.begin(), more.end());
        return base;
    };
    static const std::map<std::string, std::set<std::string>> table = {
        {"Conv", with(window, {"group"})},
        {"ConvTranspose", with(window, {"group", "output_padding", "output_shape"})},
        {"MaxPool", with(window, {"ceil_mode"})},
        {"AveragePool", with(window, {"ceil_mode", "count_include_pad"})},
        {"GlobalAveragePool", {}},
        {"GlobalMaxPool", {}},
        {"Gemm", {"transA", "transB", "alpha", "beta"}},
        {"MatMul", {}},
        {"BatchNormalization", {"epsilon"}},
        {"Softmax", {"axis"}},
        {"Relu", {}},
        {"LeakyRelu", {"alpha"}},
        {"PRelu", {}},
        {"Clip", {"min", "max"}},
        {"Sigmoid", {}},
        {"HardSigmoid", {"alpha", "beta"}},
        {"HardSwish", {}},
        {"Tanh", {}},
        {"Exp", {}},
        {"Add", {}},
        {"Sub", {}},
        {"Mul", {}},
        {"Div", {}},
        {"Sum", {}},
        {"Max", {}},
        {"Concat", {"axis"}},
        {"Flatten", {"axis"}},
        {"Reshape", {"allowzero"}},
        {"Transpose", {"perm"}},
        {"Squeeze", {"axes"}},
        {"Unsqueeze", {"axes"}},
        {"Identity", {}},
        {"Dropout", {}},
        {"Shape", {"start", "end"}},
        {"Gather", {"axis"}},
        {"Cast", {"to"}},
        {"ConstantOfShape", {"value"}},
        {"Constant", {"value", "value_float", "value_floats", "value_int", "value_ints"}},
        {"Slice", {"starts", "ends", "axes"}},
        {"Pad", {"mode", "pads", "value"}},
        {"Resize",
         {"mode", "coordinate_transformation_mode", "nearest_mode", "extrapolation_value"}},
        {"Upsample", {"mode", "scales"}},
    };
    return table;
}

// Attributes that only matter for training (or for outputs inference does not produce): not
// read, on purpose, and not worth a warning at their default values.
bool ignoredOnPurpose(const std::string& op, const onnx::AttributeProto& attr) {
    const std::string& name = attr.name();
    if (op == "BatchNormalization")
        return name == "momentum" || (name == "spatial" && attr.i() == 1) ||
               (name == "training_mode" && attr.i() == 0);
    if (op == "Dropout") return name == "ratio" || name == "seed";
    if (op == "MaxPool") return name == "storage_order";  // only shapes the Indices output
    if (op == "Resize")
        return (name == "cubic_coeff_a") || (name == "exclude_outside" && attr.i() == 0);
    return false;
}

void warnAboutAttributes(const onnx::NodeProto& proto, const std::string& nodeName,
                         const std::string& file, Diagnostics& warnings) {
    const bool defaultDomain = proto.domain().empty() || proto.domain() == "ai.onnx";
    const auto known = attributesRead().find(proto.op_type());
    if (!defaultDomain || known == attributesRead().end()) return;  // unknown ops: see below
    for (const auto& attr : proto.attribute()) {
        if (known->second.count(attr.name()) || ignoredOnPurpose(proto.op_type(), attr)) continue;
        warnings.push_back({Severity::Warning, file, 0, 0, nodeName, "",
                            proto.op_type() + " attribute '" + attr.name() +
                                "' is not read by this runtime: the node runs as if it were "
                                "absent"});
    }
}

int64_t defaultOpset(const onnx::ModelProto& model) {
    for (const auto& import : model.opset_import())
        if (import.domain().empty() || import.domain() == "ai.onnx") return import.version();
    return 1;
}

// Makes opset-dependent defaults explicit so kernels need not know the opset.
void normalizeForOpset(Node& node, int64_t opset) {
    if (node.op == "Softmax") {
        if (opset < 13) {
            if (!node.has("axis")) node.attrs["axis"] = Attribute::ofInt(1);
            node.attrs["coerce_2d"] = Attribute::ofInt(1);
        } else if (!node.has("axis")) {
            node.attrs["axis"] = Attribute::ofInt(-1);
        }
    }
}

std::string fileNameOf(const std::string& path) {
    return std::filesystem::path(path).filename().string();
}

}  // namespace

Graph importOnnxFromBytes(const std::string& bytes, const std::string& nameForErrors,
                          Diagnostics* warnings, const Progress& progress) {
    Diagnostics found;
    onnx::ModelProto model;
    if (bytes.empty()) throw Error(nameForErrors + ": file is empty, not an ONNX model");
    // Steps out of 100: parsing takes about as long as converting the nodes and weights.
    progress.throwIfCancelled();
    progress.step(0, 100, "parsing " + fileNameOf(nameForErrors));
    const ProtobufLogCapture protobufLog;
    if (!model.ParseFromString(bytes) || !model.has_graph())
        throw Error(nameForErrors +
                    ": not an ONNX model (the protobuf data does not parse as a "
                    "ModelProto; the file may be truncated or of another format)" +
                    protobufLog.suffix());
    const int64_t opset = defaultOpset(model);
    if (opset < 7 || opset > 17)
        throw Error(nameForErrors + ": ONNX opset " + std::to_string(opset) +
                    " is not supported (7 to 17 are)");

    Graph graph;
    graph.format = "onnx";
    const onnx::GraphProto& proto = model.graph();
    graph.name = proto.name();
    graph.sourceInfo["opset"] = std::to_string(opset);
    graph.sourceInfo["ir_version"] = std::to_string(model.ir_version());

    progress.throwIfCancelled();
    progress.step(40, 100, "converting weights");
    std::set<std::string> initializerNames;
    for (const auto& init : proto.initializer()) {
        graph.weights.set(init.name(), tensorFromOnnx(init, nameForErrors));
        initializerNames.insert(init.name());
    }
    bool initializersListedAsInputs = false;
    for (const auto& input : proto.input()) {
        if (initializerNames.count(input.name())) {
            initializersListedAsInputs = true;
            continue;
        }
        graph.inputs.push_back(valueInfoFromOnnx(input));
    }
    if (initializersListedAsInputs) graph.sourceInfo["initializers_as_inputs"] = "1";
    for (const auto& output : proto.output()) graph.outputs.push_back(valueInfoFromOnnx(output));

    const Progress nodesProgress = progress.phase(60, 30, 100);
    const long nodeCount = proto.node_size();
    long nodeIndex = 0;
    for (const auto& nodeProto : proto.node()) {
        if (nodeIndex % 32 == 0) {
            nodesProgress.throwIfCancelled();
            nodesProgress.step(nodeIndex, nodeCount, "converting nodes");
        }
        ++nodeIndex;
        const std::string where =
            nameForErrors + ": node '" + nodeProto.name() + "' (" + nodeProto.op_type() + ")";
        // Unnamed nodes are named for their first output: stable across a round trip.
        const std::string name = !nodeProto.name().empty() ? nodeProto.name()
                                 : nodeProto.output_size()
                                     ? nodeProto.op_type() + ":" + nodeProto.output(0)
                                     : nodeProto.op_type();
        const auto nodeError = [&](const Error& error) {
            // The tensor readers' messages start with `where`; the diagnostic keeps the rest.
            std::string problem = error.what();
            if (problem.rfind(where + ": ", 0) == 0) problem.erase(0, where.size() + 2);
            throw Error(Diagnostic{Severity::Error, nameForErrors, 0, 0, name, "",
                                   nodeProto.op_type() + ": " + problem},
                        error.what());
        };
        if (nodeProto.op_type() == "Constant" && nodeProto.domain().empty() &&
            nodeProto.output_size() == 1 && nodeProto.attribute_size() == 1 &&
            nodeProto.attribute(0).name() == "value") {
            try {
                graph.weights.set(nodeProto.output(0),
                                  tensorFromOnnx(nodeProto.attribute(0).t(), where));
            } catch (const Error& error) {
                nodeError(error);
            }
            continue;
        }
        warnAboutAttributes(nodeProto, name, nameForErrors, found);
        Node node;
        node.name = name;
        const bool defaultDomain = nodeProto.domain().empty() || nodeProto.domain() == "ai.onnx";
        node.op =
            defaultDomain ? nodeProto.op_type() : nodeProto.domain() + "." + nodeProto.op_type();
        node.inputs.assign(nodeProto.input().begin(), nodeProto.input().end());
        node.outputs.assign(nodeProto.output().begin(), nodeProto.output().end());
        try {
            for (const auto& attr : nodeProto.attribute())
                node.attrs[attr.name()] = attributeFromOnnx(attr, where);
        } catch (const Error& error) {
            nodeError(error);
        }
        normalizeForOpset(node, opset);
        node.source = nodeProto.SerializeAsString();
        graph.addNode(std::move(node));
    }

    // What the exporter starts from: the model without the parts the Graph owns.
    model.mutable_graph()->clear_node();
    model.mutable_graph()->clear_initializer();
    graph.source = model.SerializeAsString();

    // ONNX graphs are single-assignment: a tensor written twice leaves its readers ambiguous.
    std::map<std::string, const Node*> writers;
    for (const auto& node : graph.nodes)
        for (const auto& output : node.outputs) {
            if (output.empty()) continue;
            const auto [it, first] = writers.emplace(output, &node);
            if (first && !graph.isWeight(output)) continue;
            const std::string problem = "writes tensor '" + output + "', which " +
                                        (first ? std::string("is an initializer")
                                               : "node '" + it->second->name + "' writes too");
            throw Error(
                Diagnostic{Severity::Error, nameForErrors, 0, 0, node.name, output, problem},
                nameForErrors + ": node '" + node.name + "' " + problem);
        }
    progress.throwIfCancelled();
    progress.step(90, 100, "checking the graph");
    try {
        graph.sortTopologically();
        foldConstants(graph);
    } catch (const Error& error) {
        rethrowInFile(error, nameForErrors);
    }
    // After constant folding: a node that folded away needs no kernel at run time.
    for (const auto& node : graph.nodes)
        if (!findKernel(node.op))
            found.push_back({Severity::Warning, nameForErrors, 0, 0, node.name, "",
                             "op '" + node.op +
                                 "' is not supported by this runtime: the node is kept and "
                                 "written back, but the model cannot run"});
    if (warnings) warnings->insert(warnings->end(), found.begin(), found.end());
    progress.step(100, 100, "");
    return graph;
}

Graph importOnnx(const std::string& path, Diagnostics* warnings, const Progress& progress) {
    // Reading is a third of a load from a local disk, the rest is parsing and converting.
    const std::string bytes = readFile(path, progress.phase(0, 30, 100));
    return importOnnxFromBytes(bytes, path, warnings, progress.phase(30, 70, 100));
}

}  // namespace qf

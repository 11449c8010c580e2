#include "formats/onnx/onnx_exporter.h"

#include <onnx/onnx_pb.h>

#include <set>

#include "util/atomic_file.h"
#include "util/error.h"

namespace qf {
namespace {

int onnxElemType(DataType type) {
    switch (type) {
        case DataType::Float32:
            return onnx::TensorProto::FLOAT;
        case DataType::Float64:
            return onnx::TensorProto::DOUBLE;
        case DataType::Int64:
            return onnx::TensorProto::INT64;
        case DataType::Int32:
            return onnx::TensorProto::INT32;
        case DataType::Int8:
            return onnx::TensorProto::INT8;
        case DataType::UInt8:
            return onnx::TensorProto::UINT8;
        case DataType::Bool:
            return onnx::TensorProto::BOOL;
    }
    return onnx::TensorProto::FLOAT;
}

void attributeToOnnx(const std::string& name, const Attribute& attr, onnx::AttributeProto& proto) {
    proto.set_name(name);
    switch (attr.kind) {
        case Attribute::Kind::Int:
            proto.set_type(onnx::AttributeProto::INT);
            proto.set_i(attr.i);
            break;
        case Attribute::Kind::Float:
            proto.set_type(onnx::AttributeProto::FLOAT);
            proto.set_f(attr.f);
            break;
        case Attribute::Kind::String:
            proto.set_type(onnx::AttributeProto::STRING);
            proto.set_s(attr.s);
            break;
        case Attribute::Kind::Ints:
            proto.set_type(onnx::AttributeProto::INTS);
            for (const auto v : attr.ints) proto.add_ints(v);
            break;
        case Attribute::Kind::Floats:
            proto.set_type(onnx::AttributeProto::FLOATS);
            for (const auto v : attr.floats) proto.add_floats(v);
            break;
        case Attribute::Kind::Strings:
            proto.set_type(onnx::AttributeProto::STRINGS);
            for (const auto& v : attr.strings) proto.add_strings(v);
            break;
        case Attribute::Kind::Tensor:
            proto.set_type(onnx::AttributeProto::TENSOR);
            tensorToOnnx(attr.t, "", *proto.mutable_t());
            break;
    }
}

// A node as the file had it (only its wiring may have changed), or built from the IR.
void nodeToOnnx(const Node& node, onnx::NodeProto& proto) {
    if (!node.source.empty() && proto.ParseFromString(node.source)) {
        proto.clear_input();
        proto.clear_output();
    } else {
        proto.Clear();
        proto.set_name(node.name);
        const auto dot = node.op.rfind('.');
        if (dot == std::string::npos) {
            proto.set_op_type(node.op);
        } else {
            proto.set_domain(node.op.substr(0, dot));
            proto.set_op_type(node.op.substr(dot + 1));
        }
        for (const auto& attr : node.attrs)
            if (attr.first != "coerce_2d")
                attributeToOnnx(attr.first, attr.second, *proto.add_attribute());
    }
    for (const auto& in : node.inputs) proto.add_input(in);
    for (const auto& out : node.outputs) proto.add_output(out);
}

void valueInfoForTensor(const std::string& name, const Tensor& tensor,
                        onnx::ValueInfoProto& proto) {
    proto.set_name(name);
    auto* tensorType = proto.mutable_type()->mutable_tensor_type();
    tensorType->set_elem_type(onnxElemType(tensor.dtype));
    auto* shape = tensorType->mutable_shape();
    for (const auto d : tensor.shape) shape->add_dim()->set_dim_value(d);
}

void valueInfoOf(const ValueInfo& info, onnx::ValueInfoProto& proto) {
    proto.set_name(info.name);
    auto* tensorType = proto.mutable_type()->mutable_tensor_type();
    tensorType->set_elem_type(onnxElemType(info.dtype));
    if (info.shape.empty()) return;
    auto* shape = tensorType->mutable_shape();
    for (const auto d : info.shape) {
        auto* dim = shape->add_dim();
        if (d > 0) dim->set_dim_value(d);
    }
}

// A model header for a graph that did not come from ONNX (or was rebuilt).
void startModel(const Graph& graph, onnx::ModelProto& model) {
    model.set_ir_version(7);
    model.set_producer_name("QuantFold");
    model.add_opset_import()->set_version(13);
    auto* proto = model.mutable_graph();
    proto->set_name(graph.name.empty() ? "quantfold" : graph.name);
    for (const auto& input : graph.inputs) valueInfoOf(input, *proto->add_input());
    for (const auto& output : graph.outputs) valueInfoOf(output, *proto->add_output());
}

void setDefaultOpset(onnx::ModelProto& model, int64_t opset) {
    bool found = false;
    for (auto& import : *model.mutable_opset_import())
        if (import.domain().empty() || import.domain() == "ai.onnx") {
            import.set_version(opset);
            found = true;
        }
    if (!found) model.add_opset_import()->set_version(opset);
    // Opset 13 needs IR version 7 or later.
    if (opset >= 13 && model.ir_version() < 7) model.set_ir_version(7);
}

}  // namespace

void exportOnnx(const Graph& graph, const std::string& path, const Progress& progress) {
    if (graph.format != "onnx")
        throw Error(path + ": a " + graph.format +
                    " model must be converted (toOnnxOpset13) before writing ONNX");
    onnx::ModelProto model;
    if (graph.source.empty()) {
        startModel(graph, model);
    } else if (!model.ParseFromString(graph.source)) {
        throw Error(path + ": the model's original ONNX header is unreadable");
    }
    if (graph.sourceInfo.count("opset"))
        setDefaultOpset(model, std::stoll(graph.sourceInfo.at("opset")));
    onnx::GraphProto& proto = *model.mutable_graph();

    // Steps out of 100: the nodes, then the weights, then serializing and writing.
    const Progress nodesProgress = progress.phase(0, 20, 100);
    const auto nodeCount = static_cast<long>(graph.nodes.size());
    std::set<std::string> used;
    for (const auto& node : graph.nodes) {
        const auto index = static_cast<long>(&node - graph.nodes.data());
        if (index % 32 == 0) {
            nodesProgress.throwIfCancelled();
            nodesProgress.step(index, nodeCount, "writing nodes");
        }
        nodeToOnnx(node, *proto.add_node());
        used.insert(node.inputs.begin(), node.inputs.end());
        used.insert(node.outputs.begin(), node.outputs.end());
    }
    for (const auto& output : graph.outputs) used.insert(output.name);

    // Old files (IR 3) also list every initializer among the graph inputs; keep that list in
    // step with the weights, which a pass may have removed or added.
    const bool initializersAsInputs = graph.sourceInfo.count("initializers_as_inputs") != 0;
    google::protobuf::RepeatedPtrField<onnx::ValueInfoProto> inputs;
    for (const auto& input : proto.input())
        if (!graph.isWeight(input.name()) && used.count(input.name())) *inputs.Add() = input;
    proto.mutable_input()->Swap(&inputs);
    progress.throwIfCancelled();
    progress.step(20, 100, "writing weights");
    for (const auto& weight : graph.weights) {
        if (!used.count(weight.first)) continue;
        tensorToOnnx(weight.second, weight.first, *proto.add_initializer());
        if (initializersAsInputs)
            valueInfoForTensor(weight.first, weight.second, *proto.add_input());
    }
    // Shape annotations of tensors a pass removed would describe nothing; drop them.
    google::protobuf::RepeatedPtrField<onnx::ValueInfoProto> valueInfo;
    for (const auto& info : proto.value_info())
        if (used.count(info.name()) && !graph.isWeight(info.name())) *valueInfo.Add() = info;
    proto.mutable_value_info()->Swap(&valueInfo);

    progress.throwIfCancelled();
    progress.step(50, 100, "serializing");
    std::string bytes;
    if (!model.SerializeToString(&bytes))
        throw Error(path + ": could not serialize the ONNX model");
    writeFileAtomically(path, bytes, progress.phase(60, 40, 100));
}

}  // namespace qf

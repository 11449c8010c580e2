#include "formats/tensorflow/tf_exporter.h"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>

#include <map>
#include <optional>
#include <set>

#include "formats/tensorflow/tf_input_ref.h"
#include "formats/tensorflow/tf_quantized_weights.h"
#include "formats/tensorflow/tf_tensor.h"
#include "tf_graph.pb.h"
#include "util/atomic_file.h"
#include "util/error.h"

namespace qf {
namespace {

using tf_format::InputRef;
using tf_format::outputName;
using tf_format::parseInput;

bool isAlias(const std::string& op) {
    return op == "Identity" || op == "Snapshot" || op == "StopGradient";
}

bool sameTensor(const Tensor& a, const Tensor& b) {
    return a.dtype == b.dtype && a.shape == b.shape && a.f == b.f && a.i == b.i;
}

// The layout transposes the importer inserts (tf_importer.cpp): invisible in TensorFlow.
bool isLayoutGlue(const Node& node) {
    const auto endsWith = [&](const std::string& suffix) {
        return node.name.size() > suffix.size() &&
               node.name.compare(node.name.size() - suffix.size(), suffix.size(), suffix) == 0;
    };
    return node.source.empty() && node.op == "Transpose" &&
           (endsWith("/qf_nchw") || endsWith("/qf_nhwc"));
}

class Writer {
public:
    explicit Writer(const Graph& graph) : graph_(graph) {
        if (!graph.source.empty() && !original_.ParseFromString(graph.source))
            throw Error("the model's original GraphDef is unreadable");
        for (const auto& node : original_.node()) {
            byName_[node.name()] = &node;
            for (const auto& input : node.input()) ++readers_[parseInput(input).node];
        }
        out_ = original_;
        out_.clear_node();
    }

    qf_tf::GraphDef write() {
        for (const auto& input : graph_.inputs) {
            if (byName_.count(input.name)) emitOriginal(input.name);
            tfOf_[input.name] = input.name;
        }
        for (const auto& node : graph_.nodes) writeNode(node);
        // Untouched nodes no node reads (NoOps, unread constants) stay.
        for (const auto& node : original_.node())
            if (!emitted_.count(node.name()) && readers_[node.name()] == 0 &&
                (node.op() == "NoOp" || node.op() == "Const"))
                emitOriginal(node.name());
        // Control inputs on nodes a pass removed go with them.
        for (auto& node : *out_.mutable_node()) {
            google::protobuf::RepeatedPtrField<std::string> kept;
            for (const auto& input : node.input()) {
                const InputRef ref = parseInput(input);
                if (emitted_.count(ref.node)) {
                    *kept.Add() = input;
                } else if (!ref.control) {
                    throw Error("node '" + node.name() + "' reads '" + input +
                                "', which is not written");
                }
            }
            node.mutable_input()->Swap(&kept);
        }
        return out_;
    }

private:
    const Graph& graph_;
    qf_tf::GraphDef original_;
    qf_tf::GraphDef out_;
    std::map<std::string, const qf_tf::NodeDef*> byName_;
    std::map<std::string, int> readers_;  // in the original graph, data and control
    std::set<std::string> emitted_;
    std::map<std::string, std::string> tfOf_;  // IR tensor -> TensorFlow tensor
    std::map<std::string, bool> constantLike_;

    const qf_tf::NodeDef& original(const std::string& name) const {
        const auto it = byName_.find(name);
        if (it == byName_.end()) throw Error("node '" + name + "' is not in the original graph");
        return *it->second;
    }

    // An original node and what it reads (constants, their aliases, subgraphs the importer
    // evaluated), as they were.
    void emitOriginal(const std::string& name) {
        if (emitted_.count(name)) return;
        const qf_tf::NodeDef& node = original(name);
        emitted_.insert(name);
        for (const auto& input : node.input()) emitOriginal(parseInput(input).node);
        *out_.add_node() = node;
    }

    // A node computed from constants alone (a Const, an alias of one, a Dequantize of
    // constants...): the importer made it a weight. Anything reading a Placeholder is not.
    bool constantLike(const InputRef& ref) {
        const auto known = constantLike_.find(ref.node);
        if (known != constantLike_.end()) return known->second;
        const auto it = byName_.find(ref.node);
        bool constant = false;
        if (it != byName_.end() && it->second->op() != "Placeholder" &&
            it->second->op() != "PlaceholderWithDefault") {
            constantLike_[ref.node] = false;  // a cycle is no constant
            constant = true;
            for (const auto& input : it->second->input()) {
                const InputRef inner = parseInput(input);
                if (!inner.control && !constantLike(inner)) constant = false;
            }
        }
        constantLike_[ref.node] = constant;
        return constant;
    }
    const qf_tf::NodeDef* baseConst(const InputRef& ref) const {
        const qf_tf::NodeDef* node = &original(ref.node);
        while (isAlias(node->op()) && node->input_size() > 0)
            node = &original(parseInput(node->input(0)).node);
        return node->op() == "Const" ? node : nullptr;
    }

    std::string tfOf(const std::string& tensor, const std::string& reader) const {
        const auto it = tfOf_.find(tensor);
        if (it == tfOf_.end())
            throw Error("node '" + reader + "' reads tensor '" + tensor +
                        "', which no TensorFlow node writes");
        return it->second;
    }

    // The weight a pass may change (a conv's filter, MatMul's B) in TensorFlow's layout.
    std::optional<Tensor> changedWeight(const Node& node, const qf_tf::NodeDef& def,
                                        int position) const {
        if (position != 1) return std::nullopt;
        const Tensor* w = graph_.weight(node.input(1));
        if (!w) return std::nullopt;
        if ((def.op() == "Conv2D" || def.op() == "Conv2DBackpropInput") && w->rank() == 4)
            return transposedTensor(*w, {2, 3, 1, 0});
        const int64_t group = node.attrInt("group", 1);
        if (def.op() == "DepthwiseConv2dNative" && w->rank() == 4 && group > 0) {
            Tensor grouped = *w;  // [C*m, 1, kh, kw] -> [C, m, kh, kw] -> [kh, kw, C, m]
            grouped.shape = {group, w->shape[0] / group, w->shape[2], w->shape[3]};
            return transposedTensor(grouped, {2, 3, 0, 1});
        }
        if (def.op() == "MatMul") return *w;
        return std::nullopt;
    }

    qf_tf::NodeDef& addConst(const std::string& name, const Tensor& value,
                             const qf_tf::NodeDef* like) {
        qf_tf::NodeDef& node = *out_.add_node();
        if (like) node = *like;
        node.set_name(name);
        node.set_op("Const");
        node.clear_input();
        tensorToTf(value, *(*node.mutable_attr())["value"].mutable_tensor());
        (*node.mutable_attr())["dtype"].set_type((*node.mutable_attr())["value"].tensor().dtype());
        emitted_.insert(name);
        return node;
    }

    void writeNode(const Node& node) {
        if (isLayoutGlue(node)) {
            tfOf_[node.outputs.at(0)] = tfOf(node.input(0), node.name);
            return;
        }
        qf_tf::NodeDef def;
        if (node.source.empty() || !def.ParseFromString(node.source))
            throw Error("node '" + node.name + "' (" + node.op +
                        ") was not read from this GraphDef and has no TensorFlow form");
        const std::string name = def.name();
        if (emitted_.count(name)) {  // the second IR node of one TensorFlow node (Mean)
            for (size_t k = 0; k < node.outputs.size(); ++k)
                tfOf_[node.outputs[k]] = outputName(name, static_cast<int>(k));
            return;
        }
        std::vector<std::string> activations;
        for (const auto& input : node.inputs)
            if (!input.empty() && !graph_.isWeight(input)) activations.push_back(input);
        size_t next = 0;
        google::protobuf::RepeatedPtrField<std::string> inputs;
        int position = 0;
        for (const auto& text : def.input()) {
            const InputRef ref = parseInput(text);
            if (ref.control) {
                *inputs.Add() = text;
                continue;
            }
            const int k = position++;
            if (constantLike(ref)) {
                *inputs.Add() = constantInput(node, def, k, ref, text);
                continue;
            }
            if (next >= activations.size())
                throw Error("node '" + name + "' (" + def.op() +
                            "): its inputs no longer match the TensorFlow node's");
            const std::string mapped = tfOf(activations[next++], name);
            const InputRef was = parseInput(text);
            *inputs.Add() = outputName(was.node, was.index) == mapped ? text : mapped;
        }
        if (next != activations.size())
            throw Error("node '" + name + "' (" + def.op() +
                        "): its inputs no longer match the TensorFlow node's");
        def.mutable_input()->Swap(&inputs);
        emitted_.insert(name);
        *out_.add_node() = def;
        for (size_t k = 0; k < node.outputs.size(); ++k)
            tfOf_[node.outputs[k]] = outputName(name, static_cast<int>(k));

        // A bias a fold gave the conv or MatMul: TensorFlow's ops have none, so a BiasAdd.
        const bool takesBias = def.op() == "Conv2D" || def.op() == "DepthwiseConv2dNative" ||
                               def.op() == "Conv2DBackpropInput" || def.op() == "MatMul";
        if (takesBias && !node.input(2).empty()) {
            const Tensor* bias = graph_.weight(node.input(2));
            if (!bias) throw Error("node '" + name + "': its bias is not a constant");
            // The file's own BiasAdd the importer made the bias of: written back as it was.
            const auto own = graph_.sourceInfo.find("tf.bias_add." + node.name);
            if (own != graph_.sourceInfo.end() && byName_.count(own->second)) {
                writeOwnBiasAdd(original(own->second), *bias);
                tfOf_[node.outputs.at(0)] = own->second;
                return;
            }
            const std::string biasAdd = name + "/folded_bias";
            addConst(biasAdd + "/value", *bias, nullptr);
            qf_tf::NodeDef& add = *out_.add_node();
            add.set_name(biasAdd);
            add.set_op("BiasAdd");
            add.add_input(name);
            add.add_input(biasAdd + "/value");
            (*add.mutable_attr())["T"].set_type(qf_tf::DT_FLOAT);
            const auto format = def.attr().find("data_format");
            if (format != def.attr().end()) (*add.mutable_attr())["data_format"] = format->second;
            emitted_.insert(biasAdd);
            tfOf_[node.outputs.at(0)] = biasAdd;
        }
    }

    // The value a constant input had in the file: a Const (through aliases) or a Dequantize of
    // Consts; nullopt for other constant subgraphs.
    std::optional<Tensor> originalValue(const InputRef& ref) const {
        const qf_tf::NodeDef* node = &original(ref.node);
        while (isAlias(node->op()) && node->input_size() > 0)
            node = &original(parseInput(node->input(0)).node);
        const auto decode = [](const qf_tf::NodeDef& c) -> std::optional<Tensor> {
            const auto value = c.attr().find("value");
            if (c.op() != "Const" || value == c.attr().end()) return std::nullopt;
            return tensorFromTf(value->second.tensor(), "Const '" + c.name() + "'");
        };
        if (node->op() == "Const") return decode(*node);
        if (node->op() == "Dequantize" && node->input_size() >= 3) {
            std::optional<Tensor> parts[3];
            for (int k = 0; k < 3; ++k)
                parts[k] = decode(original(parseInput(node->input(k)).node));
            if (!parts[0] || !parts[1] || !parts[2]) return std::nullopt;
            return dequantizeMinFirst(*parts[0], parts[1]->asFloats().at(0),
                                      parts[2]->asFloats().at(0));
        }
        return std::nullopt;
    }

    // A constant input: as it was when its values did not change, else a Const with the new
    // values (under the old Const's name when nothing else read it).
    std::string constantInput(const Node& node, const qf_tf::NodeDef& def, int position,
                              const InputRef& ref, const std::string& text) {
        const auto now = changedWeight(node, def, position);
        if (now) return constantAs(*now, ref, text, def.name() + "/folded_weights");
        emitOriginal(ref.node);
        return text;
    }
    // The input `text` (naming `ref`) with the value `now`: as it was when equal, else a new
    // Const, under the old one's name when nothing else read it, else under `newName`.
    std::string constantAs(const Tensor& now, const InputRef& ref, const std::string& text,
                           const std::string& newName) {
        const auto was = originalValue(ref);
        if (was && sameTensor(now, *was)) {
            emitOriginal(ref.node);
            return text;
        }
        const qf_tf::NodeDef* base = baseConst(ref);
        const bool alone = base && readers_[base->name()] == 1 && ref.node == base->name() &&
                           !emitted_.count(base->name());
        const std::string name = alone ? base->name() : newName;
        addConst(name, now, base);
        return name;
    }

    // A BiasAdd of the original graph whose bias the IR node carries, after that node: its
    // data input reads the node as before; its bias input holds the bias as it is now.
    void writeOwnBiasAdd(const qf_tf::NodeDef& original, const Tensor& bias) {
        qf_tf::NodeDef add = original;
        google::protobuf::RepeatedPtrField<std::string> inputs;
        int position = 0;
        for (const auto& text : original.input()) {
            const InputRef ref = parseInput(text);
            if (ref.control) {
                *inputs.Add() = text;
            } else if (position++ == 1) {
                *inputs.Add() = constantAs(bias, ref, text, original.name() + "/folded_bias");
            } else {
                *inputs.Add() = text;
            }
        }
        add.mutable_input()->Swap(&inputs);
        emitted_.insert(add.name());
        *out_.add_node() = add;
    }
};

}  // namespace

std::string tensorflowGraphBytes(const Graph& graph) {
    if (graph.format != "tensorflow")
        throw Error("a " + graph.format + " model cannot be written as a TensorFlow GraphDef");
    const qf_tf::GraphDef def = Writer(graph).write();
    // Deterministic (attribute maps in key order), so the same graph always gives the same file.
    std::string bytes;
    {
        google::protobuf::io::StringOutputStream stream(&bytes);
        google::protobuf::io::CodedOutputStream coded(&stream);
        coded.SetSerializationDeterministic(true);
        if (!def.SerializeToCodedStream(&coded)) throw Error("could not serialize the GraphDef");
    }
    return bytes;
}

void exportTensorflow(const Graph& graph, const std::string& path, const Progress& progress) {
    progress.throwIfCancelled();
    progress.step(0, 100, "writing nodes");
    std::string bytes;
    try {
        bytes = tensorflowGraphBytes(graph);
    } catch (const Error& error) {
        rethrowInFile(error, path);
    }
    writeFileAtomically(path, bytes, progress.phase(50, 50, 100));
}

}  // namespace qf

#pragma once
// Builds small TensorFlow GraphDefs for tests with the generated classes of the project's schema
// subset (core/formats/tensorflow/tf_graph.proto), and writes them as .pb files.
#include <QTemporaryDir>
#include <fstream>
#include <string>
#include <vector>

#include "formats/tensorflow/tf_tensor.h"
#include "graph/tensor.h"
#include "tf_graph.pb.h"

namespace qftest {

// A node of float type "T" (most ops have one; those without ignore it).
inline qf_tf::NodeDef& addNode(qf_tf::GraphDef& def, const std::string& name, const std::string& op,
                               const std::vector<std::string>& inputs = {}) {
    auto& node = *def.add_node();
    node.set_name(name);
    node.set_op(op);
    for (const auto& in : inputs) node.add_input(in);
    (*node.mutable_attr())["T"].set_type(qf_tf::DT_FLOAT);
    return node;
}

inline void setInts(qf_tf::NodeDef& node, const std::string& attr,
                    const std::vector<int64_t>& values) {
    auto* list = (*node.mutable_attr())[attr].mutable_list();
    for (const auto v : values) list->add_i(v);
}

inline void setString(qf_tf::NodeDef& node, const std::string& attr, const std::string& value) {
    (*node.mutable_attr())[attr].set_s(value);
}

inline void addConst(qf_tf::GraphDef& def, const std::string& name, const qf::Tensor& value) {
    auto& node = addNode(def, name, "Const");
    node.mutable_attr()->erase("T");
    qf::tensorToTf(value, *(*node.mutable_attr())["value"].mutable_tensor());
    (*node.mutable_attr())["dtype"].set_type(value.isFloat() ? qf_tf::DT_FLOAT : qf_tf::DT_INT32);
}

// A float Placeholder; -1 marks an unknown dimension.
inline void addPlaceholder(qf_tf::GraphDef& def, const std::string& name, const qf::Shape& shape) {
    auto& node = addNode(def, name, "Placeholder");
    node.mutable_attr()->erase("T");
    (*node.mutable_attr())["dtype"].set_type(qf_tf::DT_FLOAT);
    auto* s = (*node.mutable_attr())["shape"].mutable_shape();
    for (const auto d : shape) s->add_dim()->set_size(d);
}

// Deterministic values in offset ± 11·step (23 levels), different at neighbouring positions.
inline qf::Tensor ramp(const qf::Shape& shape, float step, float offset) {
    qf::Tensor t = qf::Tensor::floats(shape);
    for (size_t k = 0; k < t.f.size(); ++k)
        t.f[k] = offset + step * static_cast<float>((k * 7919) % 23) - step * 11.0f;
    return t;
}

inline std::string writeGraph(const qf_tf::GraphDef& def, const QTemporaryDir& dir,
                              const std::string& name) {
    const std::string path = dir.path().toStdString() + "/" + name;
    std::ofstream out(path, std::ios::binary);
    out << def.SerializeAsString();
    return path;
}

// Conv2D → Relu → Reshape(relu, [Shape(relu)[0], -1]) over a Placeholder [?, ?, ?, 3]: a graph
// that runs only once its input shape is given (the Shape node cannot be evaluated before).
inline qf_tf::GraphDef unknownDimensionsGraph() {
    qf_tf::GraphDef def;
    addPlaceholder(def, "input", {-1, -1, -1, 3});
    addConst(def, "filter", ramp({3, 3, 3, 4}, 0.05f, 0.0f));
    auto& conv = addNode(def, "conv", "Conv2D", {"input", "filter"});
    setInts(conv, "strides", {1, 1, 1, 1});
    setString(conv, "padding", "SAME");
    addNode(def, "relu", "Relu", {"conv"});
    auto& shape = addNode(def, "shape", "Shape", {"relu"});
    (*shape.mutable_attr())["out_type"].set_type(qf_tf::DT_INT32);
    addConst(def, "begin", qf::Tensor::ints({1}, {0}, qf::DataType::Int32));
    addConst(def, "end", qf::Tensor::ints({1}, {1}, qf::DataType::Int32));
    addConst(def, "stride", qf::Tensor::ints({1}, {1}, qf::DataType::Int32));
    auto& batch = addNode(def, "batch", "StridedSlice", {"shape", "begin", "end", "stride"});
    (*batch.mutable_attr())["shrink_axis_mask"].set_i(1);
    (*batch.mutable_attr())["T"].set_type(qf_tf::DT_INT32);
    addConst(def, "minus_one", qf::Tensor::ints({}, {-1}, qf::DataType::Int32));
    auto& pack = addNode(def, "target", "Pack", {"batch", "minus_one"});
    (*pack.mutable_attr())["T"].set_type(qf_tf::DT_INT32);
    (*pack.mutable_attr())["N"].set_i(2);
    addNode(def, "flat", "Reshape", {"relu", "target"});
    return def;
}

}  // namespace qftest

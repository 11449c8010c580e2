#include "formats/tensorflow/tf_quantized_weights.h"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>

#include <algorithm>
#include <cmath>

#include "formats/tensorflow/tf_exporter.h"
#include "formats/tensorflow/tf_tensor.h"
#include "tf_graph.pb.h"
#include "util/atomic_file.h"
#include "util/error.h"

namespace qf {

MinFirstQuantized quantizeMinFirst(const Tensor& floats) {
    MinFirstQuantized q;
    float min = 0.0f, max = 0.0f;  // the range holds 0 (quantized ops need it exactly)
    for (const float v : floats.f) {
        min = std::min(min, v);
        max = std::max(max, v);
    }
    // An empty range (all zeros): widened so the scale is finite; every value is still exact.
    if (min == max) max = min + 1.0f;
    q.min = min;
    q.max = max;
    q.values.dtype = DataType::UInt8;
    q.values.shape = floats.shape;
    q.values.i.resize(floats.f.size());
    const double scale = 255.0 / (static_cast<double>(max) - min);
    const double offset = std::round(min * scale);
    for (size_t k = 0; k < floats.f.size(); ++k) {
        const double v = std::round(floats.f[k] * scale) - offset;
        q.values.i[k] = static_cast<int64_t>(std::clamp(v, 0.0, 255.0));
    }
    return q;
}

Tensor dequantizeMinFirst(const Tensor& quantized, float min, float max) {
    Tensor out = Tensor::floats(quantized.shape);
    if (min == max) {
        std::fill(out.f.begin(), out.f.end(), min);
        return out;
    }
    // TensorFlow's QuantizedToFloat: steps of (max − min) / 255 from min rounded to a step.
    const double step = (static_cast<double>(max) - min) / 255.0;
    const double start = std::round(min / static_cast<float>(step)) * static_cast<float>(step);
    for (size_t k = 0; k < quantized.i.size(); ++k)
        out.f[k] = static_cast<float>(start + static_cast<double>(quantized.i[k]) * step);
    return out;
}

namespace {

qf_tf::NodeDef scalarConst(const std::string& name, float value) {
    qf_tf::NodeDef node;
    node.set_name(name);
    node.set_op("Const");
    (*node.mutable_attr())["dtype"].set_type(qf_tf::DT_FLOAT);
    tensorToTf(Tensor::floats({}, value), *(*node.mutable_attr())["value"].mutable_tensor());
    return node;
}

}  // namespace

std::string tensorflowQuantizedWeightsBytes(const Graph& graph, int64_t minimumSize) {
    qf_tf::GraphDef def;
    if (!def.ParseFromString(tensorflowGraphBytes(graph)))
        throw Error("could not re-read the GraphDef just written");
    qf_tf::GraphDef out = def;
    out.clear_node();
    for (const auto& node : def.node()) {
        const auto value = node.attr().find("value");
        const bool floatConst = node.op() == "Const" && value != node.attr().end() &&
                                value->second.tensor().dtype() == qf_tf::DT_FLOAT;
        if (!floatConst) {
            *out.add_node() = node;
            continue;
        }
        const Tensor floats = tensorFromTf(value->second.tensor(), "Const '" + node.name() + "'");
        if (floats.numel() < minimumSize) {
            *out.add_node() = node;
            continue;
        }
        const MinFirstQuantized q = quantizeMinFirst(floats);
        qf_tf::NodeDef& values = *out.add_node();
        values.set_name(node.name() + "_quantized_const");
        values.set_op("Const");
        (*values.mutable_attr())["dtype"].set_type(qf_tf::DT_QUINT8);
        tensorToTf(q.values, *(*values.mutable_attr())["value"].mutable_tensor(), true);
        *out.add_node() = scalarConst(node.name() + "_quantized_min", q.min);
        *out.add_node() = scalarConst(node.name() + "_quantized_max", q.max);
        qf_tf::NodeDef& dequantize = *out.add_node();
        dequantize.set_name(node.name());  // its readers stay as they were
        dequantize.set_op("Dequantize");
        dequantize.set_device(node.device());
        dequantize.add_input(values.name());
        dequantize.add_input(node.name() + "_quantized_min");
        dequantize.add_input(node.name() + "_quantized_max");
        (*dequantize.mutable_attr())["T"].set_type(qf_tf::DT_QUINT8);
        (*dequantize.mutable_attr())["mode"].set_s("MIN_FIRST");
    }
    std::string bytes;
    {
        google::protobuf::io::StringOutputStream stream(&bytes);
        google::protobuf::io::CodedOutputStream coded(&stream);
        coded.SetSerializationDeterministic(true);
        if (!out.SerializeToCodedStream(&coded)) throw Error("could not serialize the GraphDef");
    }
    return bytes;
}

void exportTensorflowQuantizedWeights(const Graph& graph, const std::string& path,
                                      const Progress& progress) {
    progress.throwIfCancelled();
    progress.step(0, 100, "quantizing weights");
    std::string bytes;
    try {
        bytes = tensorflowQuantizedWeightsBytes(graph);
    } catch (const Error& error) {
        rethrowInFile(error, path);
    }
    writeFileAtomically(path, bytes, progress.phase(50, 50, 100));
}

}  // namespace qf

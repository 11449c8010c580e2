#include "formats/caffe/layer_from_node.h"

#include <google/protobuf/text_format.h>

#include <algorithm>
#include <functional>
#include <limits>

#include "formats/caffe/prototxt_scanner.h"
#include "util/error.h"

namespace qf::caffe_format {
namespace {

using Ints = std::vector<int64_t>;

class Generator {
public:
    Generator(const Node& node, const Graph& graph) : node_(node), graph_(graph) {}

    [[noreturn]] void refuse(const std::string& problem) const {
        throw Error("node '" + node_.name + "' (" + node_.op + "): " + problem);
    }

    const Tensor& weight(size_t input, const char* role) const {
        const Tensor* tensor = graph_.weight(node_.input(input));
        if (tensor == nullptr) refuse(std::string("its ") + role + " is not a constant weight");
        return *tensor;
    }

    // Caffe pads both sides of an axis alike.
    Ints symmetricPads(size_t axes) const {
        const Ints pads = node_.attrInts("pads", Ints(2 * axes, 0));
        if (pads.size() != 2 * axes) refuse("pads do not match the kernel's axes");
        for (size_t k = 0; k < axes; ++k)
            if (pads[k] != pads[k + axes])
                refuse("asymmetric padding cannot be written as a Caffe layer");
        return Ints(pads.begin(), pads.begin() + static_cast<long>(axes));
    }

    void requireExplicitPadding() const {
        const std::string autoPad = node_.attrString("auto_pad", "NOTSET");
        if (autoPad != "NOTSET")
            refuse("auto_pad " + autoPad + " cannot be written as a Caffe layer");
    }

    static bool allEqual(const Ints& values) {
        return std::adjacent_find(values.begin(), values.end(), std::not_equal_to<>()) ==
               values.end();
    }

    void convolution(caffe::LayerParameter& layer) const {
        requireExplicitPadding();
        const Tensor& weights = weight(1, "weights");
        if (weights.rank() < 3) refuse("weights must have a kernel");
        const int64_t group = node_.attrInt("group", 1);
        const Ints kernel =
            node_.attrInts("kernel_shape", Ints(weights.shape.begin() + 2, weights.shape.end()));
        const size_t axes = kernel.size();
        const Ints pads = symmetricPads(axes);
        const Ints strides = node_.attrInts("strides", Ints(axes, 1));
        const Ints dilations = node_.attrInts("dilations", Ints(axes, 1));
        if (node_.op == "ConvTranspose") {
            for (const int64_t padding : node_.attrInts("output_padding"))
                if (padding != 0) refuse("output_padding cannot be written as a Caffe layer");
            if (node_.has("output_shape"))
                refuse("output_shape cannot be written as a Caffe layer");
        }
        auto& param = *layer.mutable_convolution_param();
        param.set_num_output(static_cast<uint32_t>(node_.op == "Conv" ? weights.shape[0]
                                                                      : weights.shape[1] * group));
        param.set_bias_term(!node_.input(2).empty());
        const bool planar = axes == 2;
        if (planar && !allEqual(kernel)) {
            param.set_kernel_h(static_cast<uint32_t>(kernel[0]));
            param.set_kernel_w(static_cast<uint32_t>(kernel[1]));
        } else {
            for (size_t k = 0; k < (allEqual(kernel) ? 1 : axes); ++k)
                param.add_kernel_size(static_cast<uint32_t>(kernel[k]));
        }
        if (planar && !allEqual(pads)) {
            param.set_pad_h(static_cast<uint32_t>(pads[0]));
            param.set_pad_w(static_cast<uint32_t>(pads[1]));
        } else if (pads[0] != 0 || !allEqual(pads)) {
            for (size_t k = 0; k < (allEqual(pads) ? 1 : axes); ++k)
                param.add_pad(static_cast<uint32_t>(pads[k]));
        }
        if (planar && !allEqual(strides)) {
            param.set_stride_h(static_cast<uint32_t>(strides[0]));
            param.set_stride_w(static_cast<uint32_t>(strides[1]));
        } else if (strides[0] != 1 || !allEqual(strides)) {
            for (size_t k = 0; k < (allEqual(strides) ? 1 : axes); ++k)
                param.add_stride(static_cast<uint32_t>(strides[k]));
        }
        if (dilations[0] != 1 || !allEqual(dilations))
            for (size_t k = 0; k < (allEqual(dilations) ? 1 : axes); ++k)
                param.add_dilation(static_cast<uint32_t>(dilations[k]));
        if (group != 1) param.set_group(static_cast<uint32_t>(group));
    }

    void innerProduct(caffe::LayerParameter& layer) const {
        if (node_.attrInt("transA", 0) != 0 || node_.attrFloat("alpha", 1.0f) != 1.0f ||
            node_.attrFloat("beta", 1.0f) != 1.0f)
            refuse("transA, alpha or beta cannot be written as a Caffe InnerProduct");
        const Tensor& weights = weight(1, "weights");
        if (weights.rank() != 2) refuse("weights must be a matrix");
        const bool transB = node_.attrInt("transB", 0) != 0;
        auto& param = *layer.mutable_inner_product_param();
        param.set_num_output(static_cast<uint32_t>(weights.shape[transB ? 0 : 1]));
        param.set_bias_term(!node_.input(2).empty());
        if (!transB) param.set_transpose(true);
        if (node_.attrInt("axis", 1) != 1)
            param.set_axis(static_cast<int32_t>(node_.attrInt("axis", 1)));
    }

    void pooling(caffe::LayerParameter& layer) const {
        auto& param = *layer.mutable_pooling_param();
        const bool isMax = node_.op == "MaxPool" || node_.op == "GlobalMaxPool";
        param.set_pool(isMax ? caffe::PoolingParameter::MAX : caffe::PoolingParameter::AVE);
        if (node_.op == "GlobalMaxPool" || node_.op == "GlobalAveragePool") {
            param.set_global_pooling(true);
            return;
        }
        requireExplicitPadding();
        // Caffe always rounds output sizes up and averages over padding too.
        if (node_.attrInt("ceil_mode", 0) != 1)
            refuse("Caffe pooling rounds output sizes up; ceil_mode 0 cannot be written");
        const Ints kernel = node_.attrInts("kernel_shape");
        if (kernel.size() != 2) refuse("Caffe pooling is two-dimensional");
        const Ints pads = symmetricPads(2);
        const Ints strides = node_.attrInts("strides", Ints(2, 1));
        if (!isMax && node_.attrInt("count_include_pad", 0) != 1 && (pads[0] || pads[1]))
            refuse("Caffe averages over the padding too; count_include_pad 0 cannot be written");
        if (kernel[0] == kernel[1]) {
            param.set_kernel_size(static_cast<uint32_t>(kernel[0]));
        } else {
            param.set_kernel_h(static_cast<uint32_t>(kernel[0]));
            param.set_kernel_w(static_cast<uint32_t>(kernel[1]));
        }
        if (pads[0] == pads[1]) {
            if (pads[0] != 0) param.set_pad(static_cast<uint32_t>(pads[0]));
        } else {
            param.set_pad_h(static_cast<uint32_t>(pads[0]));
            param.set_pad_w(static_cast<uint32_t>(pads[1]));
        }
        if (strides[0] == strides[1]) {
            if (strides[0] != 1) param.set_stride(static_cast<uint32_t>(strides[0]));
        } else {
            param.set_stride_h(static_cast<uint32_t>(strides[0]));
            param.set_stride_w(static_cast<uint32_t>(strides[1]));
        }
    }

    // Clip's bounds as attributes (opset < 11) or constant inputs.
    float clipBound(const char* name, size_t input, float fallback) const {
        if (node_.has(name)) return node_.attrFloat(name, fallback);
        if (node_.input(input).empty()) return fallback;
        const Tensor& bound = weight(input, name);
        if (bound.numel() != 1) refuse(std::string(name) + " must be a scalar");
        return bound.asFloats()[0];
    }

    // Fills the layer; returns text for fields of forked layers that the schema lacks.
    std::string fill(caffe::LayerParameter& layer) const {
        const std::string& op = node_.op;
        if (op == "Conv" || op == "ConvTranspose") {
            layer.set_type(op == "Conv" ? "Convolution" : "Deconvolution");
            convolution(layer);
        } else if (op == "Gemm") {
            layer.set_type("InnerProduct");
            innerProduct(layer);
        } else if (op == "BatchNormalization") {
            layer.set_type("BatchNorm");
            layer.mutable_batch_norm_param()->set_use_global_stats(true);
            layer.mutable_batch_norm_param()->set_eps(node_.attrFloat("epsilon", 1e-5f));
        } else if (op == "Scale") {
            layer.set_type("Scale");
            auto& param = *layer.mutable_scale_param();
            if (node_.attrInt("axis", 1) != 1)
                param.set_axis(static_cast<int32_t>(node_.attrInt("axis", 1)));
            if (node_.attrInt("num_axes", 1) != 1)
                param.set_num_axes(static_cast<int32_t>(node_.attrInt("num_axes", 1)));
            if (!node_.input(2).empty()) param.set_bias_term(true);
        } else if (op == "Bias") {
            layer.set_type("Bias");
            if (node_.attrInt("axis", 1) != 1)
                layer.mutable_bias_param()->set_axis(
                    static_cast<int32_t>(node_.attrInt("axis", 1)));
        } else if (op == "Relu") {
            layer.set_type("ReLU");
        } else if (op == "LeakyRelu") {
            layer.set_type("ReLU");
            layer.mutable_relu_param()->set_negative_slope(node_.attrFloat("alpha", 0.01f));
        } else if (op == "PRelu") {
            layer.set_type("PReLU");
            const Tensor& slope = weight(1, "slope");
            if (slope.numel() == 1 && slope.rank() <= 1)
                layer.mutable_prelu_param()->set_channel_shared(true);
        } else if (op == "Clip") {
            const float low = clipBound("min", 1, -std::numeric_limits<float>::infinity());
            const float high = clipBound("max", 2, std::numeric_limits<float>::infinity());
            if (low == 0.0f && high == 6.0f) {
                layer.set_type("ReLU6");
            } else {
                layer.set_type("Clip");  // a forked layer: its parameters are written as text
                return "  clip_param {\n    min: " + floatText(low) +
                       "\n    max: " + floatText(high) + "\n  }\n";
            }
        } else if (op == "Sigmoid") {
            layer.set_type("Sigmoid");
        } else if (op == "Tanh") {
            layer.set_type("TanH");
        } else if (op == "MaxPool" || op == "AveragePool" || op == "GlobalMaxPool" ||
                   op == "GlobalAveragePool") {
            layer.set_type("Pooling");
            pooling(layer);
        } else if (op == "Eltwise") {
            layer.set_type("Eltwise");
            const auto operation = node_.attrInt("operation", caffe::EltwiseParameter::SUM);
            if (!caffe::EltwiseParameter::EltwiseOp_IsValid(static_cast<int>(operation)))
                refuse("unknown operation " + std::to_string(operation));
            auto& param = *layer.mutable_eltwise_param();
            param.set_operation(static_cast<caffe::EltwiseParameter::EltwiseOp>(operation));
            for (const float coeff : node_.attrFloats("coeffs")) param.add_coeff(coeff);
        } else if (op == "Concat") {
            layer.set_type("Concat");
            layer.mutable_concat_param()->set_axis(static_cast<int32_t>(node_.attrInt("axis", 1)));
        } else if (op == "Flatten") {
            layer.set_type("Flatten");
            layer.mutable_flatten_param()->set_axis(static_cast<int32_t>(node_.attrInt("axis", 1)));
            layer.mutable_flatten_param()->set_end_axis(
                static_cast<int32_t>(node_.attrInt("end_axis", -1)));
        } else if (op == "Reshape") {
            layer.set_type("Reshape");
            auto& param = *layer.mutable_reshape_param();
            const Ints shape =
                node_.has("shape") ? node_.attrInts("shape") : weight(1, "shape").asInts();
            for (const int64_t dim : shape) param.mutable_shape()->add_dim(dim);
            if (node_.has("axis")) param.set_axis(static_cast<int32_t>(node_.attrInt("axis", 0)));
            if (node_.has("num_axes"))
                param.set_num_axes(static_cast<int32_t>(node_.attrInt("num_axes", -1)));
        } else if (op == "Transpose") {
            layer.set_type("Permute");  // a forked layer: its parameters are written as text
            std::string order;
            for (const int64_t axis : node_.attrInts("perm"))
                order += "    order: " + std::to_string(axis) + "\n";
            return "  permute_param {\n" + order + "  }\n";
        } else if (op == "Softmax") {
            layer.set_type("Softmax");
            layer.mutable_softmax_param()->set_axis(static_cast<int32_t>(node_.attrInt("axis", 1)));
        } else if (op == "Dropout") {
            layer.set_type("Dropout");
        } else if (op == "Crop") {
            layer.set_type("Crop");
            layer.mutable_crop_param()->set_axis(static_cast<int32_t>(node_.attrInt("axis", 2)));
            for (const int64_t offset : node_.attrInts("offset"))
                layer.mutable_crop_param()->add_offset(static_cast<uint32_t>(offset));
        } else if (op == "Power") {
            layer.set_type("Power");
            layer.mutable_power_param()->set_power(node_.attrFloat("power", 1.0f));
            layer.mutable_power_param()->set_scale(node_.attrFloat("scale", 1.0f));
            layer.mutable_power_param()->set_shift(node_.attrFloat("shift", 0.0f));
        } else {
            refuse("no Caffe layer expresses this op");
        }
        return "";
    }

private:
    const Node& node_;
    const Graph& graph_;
};

}  // namespace

std::string layerBlockText(const caffe::LayerParameter& layer) {
    caffe::NetParameter net;
    *net.add_layer() = layer;
    std::string text;
    google::protobuf::TextFormat::PrintToString(net, &text);
    while (!text.empty() && text.back() == '\n') text.pop_back();
    return text;
}

LayerBlock layerFromNode(const Node& node, const Graph& graph,
                         const std::vector<std::string>& bottoms,
                         const std::vector<std::string>& tops) {
    caffe::LayerParameter layer;
    layer.set_name(node.name);
    for (const auto& bottom : bottoms) layer.add_bottom(bottom);
    for (const auto& top : tops) layer.add_top(top);
    const std::string forkFields = Generator(node, graph).fill(layer);
    std::string text = layerBlockText(layer);
    text.insert(text.size() - 1, forkFields);  // before the closing brace
    return {layer.type(), text};
}

}  // namespace qf::caffe_format

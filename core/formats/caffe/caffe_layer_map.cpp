#include "formats/caffe/caffe_layer_map.h"

#include <optional>
#include <vector>

#include "formats/caffe/prototxt_scanner.h"
#include "runtime/kernel.h"
#include "util/error.h"

namespace qf::caffe_format {
namespace {

using Ints = std::vector<int64_t>;

std::string describe(const caffe::LayerParameter& layer) {
    return "layer '" + layer.name() + "' (" + layer.type() + ")";
}

// Caffe's repeated spatial parameters: none (the default for every axis), one (for every
// axis) or one per axis.
Ints perAxis(const google::protobuf::RepeatedField<uint32_t>& values, size_t axes, int64_t fallback,
             const char* what, const caffe::LayerParameter& layer) {
    if (values.empty()) return Ints(axes, fallback);
    if (values.size() == 1) return Ints(axes, values[0]);
    if (static_cast<size_t>(values.size()) != axes)
        throw Error(describe(layer) + ": " + std::to_string(values.size()) + " " + what +
                    " values for " + std::to_string(axes) + " spatial axes");
    return Ints(values.begin(), values.end());
}

void requirePositive(const Ints& values, const char* what, const caffe::LayerParameter& layer) {
    for (const int64_t value : values)
        if (value <= 0) throw Error(describe(layer) + ": " + what + " must be positive");
}

Ints concat(Ints first, const Ints& second) {
    first.insert(first.end(), second.begin(), second.end());
    return first;
}

void convolutionAttrs(const caffe::LayerParameter& layer, LayerOp& mapped) {
    const auto& param = layer.convolution_param();
    Ints kernel;
    if (param.has_kernel_h() || param.has_kernel_w())
        kernel = {param.kernel_h(), param.kernel_w()};
    else if (!param.kernel_size().empty())
        kernel = perAxis(param.kernel_size(), std::max(2, param.kernel_size_size()), 0,
                         "kernel_size", layer);
    else
        throw Error(describe(layer) + ": kernel_size is missing");
    const size_t axes = kernel.size();
    const Ints pads = param.has_pad_h() || param.has_pad_w()
                          ? Ints{param.pad_h(), param.pad_w()}
                          : perAxis(param.pad(), axes, 0, "pad", layer);
    const Ints strides = param.has_stride_h() || param.has_stride_w()
                             ? Ints{param.stride_h(), param.stride_w()}
                             : perAxis(param.stride(), axes, 1, "stride", layer);
    const Ints dilations = perAxis(param.dilation(), axes, 1, "dilation", layer);
    requirePositive(kernel, "kernel size", layer);
    requirePositive(strides, "stride", layer);
    requirePositive(dilations, "dilation", layer);
    if (param.group() == 0) throw Error(describe(layer) + ": group must be positive");
    mapped.attrs["kernel_shape"] = Attribute::ofInts(kernel);
    mapped.attrs["strides"] = Attribute::ofInts(strides);
    mapped.attrs["pads"] = Attribute::ofInts(concat(pads, pads));  // begins, then ends
    mapped.attrs["dilations"] = Attribute::ofInts(dilations);
    mapped.attrs["group"] = Attribute::ofInt(param.group());
}

void poolingAttrs(const caffe::LayerParameter& layer, LayerOp& mapped) {
    const auto& param = layer.pooling_param();
    if (param.pool() == caffe::PoolingParameter::STOCHASTIC) {
        mapped.op = layer.type();  // no IR op samples; kept as an unknown layer
        return;
    }
    const bool isMax = param.pool() == caffe::PoolingParameter::MAX;
    if (param.global_pooling()) {
        mapped.op = isMax ? "GlobalMaxPool" : "GlobalAveragePool";
        return;
    }
    mapped.op = isMax ? "MaxPool" : "AveragePool";
    Ints kernel;
    if (param.has_kernel_h() || param.has_kernel_w())
        kernel = {param.kernel_h(), param.kernel_w()};
    else if (param.has_kernel_size())
        kernel = {param.kernel_size(), param.kernel_size()};
    else
        throw Error(describe(layer) + ": kernel_size is missing (and global_pooling is off)");
    const Ints pads = param.has_pad_h() || param.has_pad_w() ? Ints{param.pad_h(), param.pad_w()}
                                                             : Ints{param.pad(), param.pad()};
    const Ints strides = param.has_stride_h() || param.has_stride_w()
                             ? Ints{param.stride_h(), param.stride_w()}
                             : Ints{param.stride(), param.stride()};
    requirePositive(kernel, "kernel size", layer);
    requirePositive(strides, "stride", layer);
    mapped.attrs["kernel_shape"] = Attribute::ofInts(kernel);
    mapped.attrs["strides"] = Attribute::ofInts(strides);
    mapped.attrs["pads"] = Attribute::ofInts(concat(pads, pads));
    mapped.attrs["ceil_mode"] = Attribute::ofInt(1);  // Caffe rounds output sizes up
    // ONNX defines count_include_pad for AveragePool only.
    if (!isMax) mapped.attrs["count_include_pad"] = Attribute::ofInt(1);
}

void reshapeAttrs(const caffe::LayerParameter& layer, LayerOp& mapped) {
    const auto& param = layer.reshape_param();
    Ints shape(param.shape().dim().begin(), param.shape().dim().end());
    if (param.num_axes() == -1 && param.axis() >= 0) {
        // Replacing the axes from `axis` on equals copying the leading ones (0 = copy).
        shape.insert(shape.begin(), static_cast<size_t>(param.axis()), 0);
    } else {
        // A partial reshape in the middle of the shape has no ONNX form; keep Caffe's terms.
        mapped.attrs["axis"] = Attribute::ofInt(param.axis());
        mapped.attrs["num_axes"] = Attribute::ofInt(param.num_axes());
    }
    mapped.attrs["shape"] = Attribute::ofInts(shape);
}

// The fields of a forked layer's parameter message (e.g. clip_param), read from the layer
// text because the compiled schema drops them.
std::vector<std::string> forkValues(const std::string& text, const std::string& param,
                                    const std::string& field) {
    const auto outer = scanFields(text, 0, text.size());
    if (outer.empty() || !outer.front().isMessage) return {};
    const auto fields = scanMessage(text, outer.front());
    const TextField* message = findField(fields, param);
    if (message == nullptr || !message->isMessage) return {};
    return scalarValues(text, scanMessage(text, *message), field);
}

std::vector<double> forkNumbers(const caffe::LayerParameter& layer, const std::string& text,
                                const std::string& param, const std::string& field) {
    std::vector<double> numbers;
    for (const auto& value : forkValues(text, param, field)) {
        const auto number = numberValue(value);
        if (!number)
            throw Error(describe(layer) + ": " + param + "." + field + " '" + value +
                        "' is not a number");
        numbers.push_back(*number);
    }
    return numbers;
}

void clipAttrs(const caffe::LayerParameter& layer, const std::string& text, LayerOp& mapped) {
    for (const char* bound : {"min", "max"}) {
        const auto values = forkNumbers(layer, text, "clip_param", bound);
        if (!values.empty())
            mapped.attrs[bound] = Attribute::ofFloat(static_cast<float>(values.back()));
    }
}

void permuteAttrs(const caffe::LayerParameter& layer, const std::string& text, LayerOp& mapped) {
    Ints perm;
    for (const double axis : forkNumbers(layer, text, "permute_param", "order"))
        perm.push_back(static_cast<int64_t>(axis));
    mapped.attrs["perm"] = Attribute::ofInts(perm);
}

}  // namespace

std::string biasTermParam(const std::string& caffeType) {
    if (caffeType == "Convolution" || caffeType == "Deconvolution") return "convolution_param";
    if (caffeType == "InnerProduct") return "inner_product_param";
    if (caffeType == "Scale") return "scale_param";
    return "";
}

bool biasTerm(const caffe::LayerParameter& layer) {
    const std::string& type = layer.type();
    if (type == "Convolution" || type == "Deconvolution")
        return layer.convolution_param().bias_term();
    if (type == "InnerProduct") return layer.inner_product_param().bias_term();
    if (type == "Scale") return layer.scale_param().bias_term();
    return false;
}

LayerOp mapLayer(const caffe::LayerParameter& layer, const std::string& text) {
    const std::string& type = layer.type();
    LayerOp mapped;
    auto& attrs = mapped.attrs;
    if (type == "Convolution" || type == "Deconvolution") {
        mapped.op = type == "Convolution" ? "Conv" : "ConvTranspose";
        convolutionAttrs(layer, mapped);
    } else if (type == "InnerProduct") {
        mapped.op = "Gemm";
        attrs["transB"] = Attribute::ofInt(layer.inner_product_param().transpose() ? 0 : 1);
        attrs["axis"] = Attribute::ofInt(layer.inner_product_param().axis());
    } else if (type == "BatchNorm") {
        mapped.op = "BatchNormalization";
        attrs["epsilon"] = Attribute::ofFloat(layer.batch_norm_param().eps());
    } else if (type == "Scale") {
        mapped.op = "Scale";
        attrs["axis"] = Attribute::ofInt(layer.scale_param().axis());
        attrs["num_axes"] = Attribute::ofInt(layer.scale_param().num_axes());
        attrs["bias_term"] = Attribute::ofInt(layer.scale_param().bias_term() ? 1 : 0);
    } else if (type == "Bias") {
        mapped.op = "Bias";
        attrs["axis"] = Attribute::ofInt(layer.bias_param().axis());
    } else if (type == "ReLU") {
        const float slope = layer.relu_param().negative_slope();
        mapped.op = slope != 0.0f ? "LeakyRelu" : "Relu";
        if (slope != 0.0f) attrs["alpha"] = Attribute::ofFloat(slope);
    } else if (type == "PReLU") {
        mapped.op = "PRelu";
    } else if (type == "ReLU6") {
        mapped.op = "Clip";
        attrs["min"] = Attribute::ofFloat(0.0f);
        attrs["max"] = Attribute::ofFloat(6.0f);
    } else if (type == "Clip") {
        mapped.op = "Clip";
        clipAttrs(layer, text, mapped);
    } else if (type == "Sigmoid") {
        mapped.op = "Sigmoid";
    } else if (type == "TanH") {
        mapped.op = "Tanh";
    } else if (type == "Pooling") {
        poolingAttrs(layer, mapped);
    } else if (type == "Eltwise") {
        const auto& param = layer.eltwise_param();
        mapped.op = "Eltwise";
        attrs["operation"] = Attribute::ofInt(param.operation());
        if (!param.coeff().empty())
            attrs["coeffs"] = Attribute::ofFloats({param.coeff().begin(), param.coeff().end()});
    } else if (type == "Concat") {
        const auto& param = layer.concat_param();
        mapped.op = "Concat";
        const bool legacyDim = !param.has_axis() && param.has_concat_dim();
        attrs["axis"] = Attribute::ofInt(legacyDim ? param.concat_dim() : param.axis());
    } else if (type == "Flatten") {
        mapped.op = "Flatten";
        attrs["axis"] = Attribute::ofInt(layer.flatten_param().axis());
        attrs["end_axis"] = Attribute::ofInt(layer.flatten_param().end_axis());
    } else if (type == "Reshape") {
        mapped.op = "Reshape";
        reshapeAttrs(layer, mapped);
    } else if (type == "Permute") {
        mapped.op = "Transpose";
        permuteAttrs(layer, text, mapped);
    } else if (type == "Softmax") {
        mapped.op = "Softmax";
        attrs["axis"] = Attribute::ofInt(layer.softmax_param().axis());
    } else if (type == "Dropout") {
        mapped.op = "Dropout";
    } else if (type == "Crop") {
        mapped.op = "Crop";
        attrs["axis"] = Attribute::ofInt(layer.crop_param().axis());
        attrs["offset"] = Attribute::ofInts(
            {layer.crop_param().offset().begin(), layer.crop_param().offset().end()});
    } else if (type == "Power") {
        mapped.op = "Power";
        attrs["power"] = Attribute::ofFloat(layer.power_param().power());
        attrs["scale"] = Attribute::ofFloat(layer.power_param().scale());
        attrs["shift"] = Attribute::ofFloat(layer.power_param().shift());
    } else if (findKernel(type)) {
        // A Caffe type named like an IR op of other meaning (Exp with base/scale/shift, Slice
        // that splits, the fork's Upsample) must not run that op's kernel: kept unknown.
        mapped.op = "Caffe." + type;
    } else {
        mapped.op = type;
    }
    return mapped;
}

}  // namespace qf::caffe_format

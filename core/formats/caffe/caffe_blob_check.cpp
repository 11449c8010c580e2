#include "formats/caffe/caffe_blob_check.h"

#include <set>

#include "util/error.h"

namespace qf::caffe_format {
namespace {

// Caffe types the importer maps that have no parameter blobs.
const std::set<std::string>& parameterlessTypes() {
    static const std::set<std::string> types{"ReLU",    "ReLU6",   "Clip",    "Sigmoid", "TanH",
                                             "Pooling", "Eltwise", "Concat",  "Flatten", "Reshape",
                                             "Permute", "Softmax", "Dropout", "Crop",    "Power"};
    return types;
}

// -1 (unknown) stays unknown through the arithmetic.
int64_t divided(int64_t count, int64_t groups) {
    return count >= 0 && groups > 0 && count % groups == 0 ? count / groups : -1;
}

std::string expectedText(const Shape& shape) {
    std::string text = "[";
    for (size_t k = 0; k < shape.size(); ++k) {
        if (k) text += "x";
        text += shape[k] < 0 ? "?" : std::to_string(shape[k]);
    }
    return text + "]";
}

bool matches(const Shape& expected, const Shape& actual) {
    if (expected.empty()) return shapeNumel(actual) == 1;  // a scalar, however written
    if (expected.size() != actual.size()) return false;
    for (size_t k = 0; k < expected.size(); ++k)
        if (expected[k] >= 0 && expected[k] != actual[k]) return false;
    return true;
}

// A Scale's or Bias's learned parameter covers num_axes axes from `axis`.
std::optional<Shape> broadcastShape(int axis, int numAxes, int64_t inputChannels) {
    if (numAxes < 0) return std::nullopt;
    if (axis == 1 && numAxes == 1) return Shape{inputChannels};
    return Shape(static_cast<size_t>(numAxes), -1);
}

}  // namespace

std::optional<std::vector<BlobSpec>> blobSpecs(const caffe::LayerParameter& layer, const Node& node,
                                               int64_t inputChannels) {
    const std::string& type = layer.type();
    const int64_t channels = inputChannels;
    std::vector<BlobSpec> specs;
    if (type == "Convolution" || type == "Deconvolution") {
        const auto& param = layer.convolution_param();
        const int64_t outputs = param.num_output();
        const int64_t groups = param.group();
        Shape weights = type == "Convolution" ? Shape{outputs, divided(channels, groups)}
                                              : Shape{channels, divided(outputs, groups)};
        for (const int64_t size : node.attrInts("kernel_shape")) weights.push_back(size);
        specs.push_back({"weights", static_cast<int>(weights.size()), weights});
        if (param.bias_term()) specs.push_back({"bias", 1, Shape{outputs}});
    } else if (type == "InnerProduct") {
        const auto& param = layer.inner_product_param();
        const int64_t outputs = param.num_output();
        specs.push_back(
            {"weights", 2, param.transpose() ? Shape{-1, outputs} : Shape{outputs, -1}});
        if (param.bias_term()) specs.push_back({"bias", 1, Shape{outputs}});
    } else if (type == "BatchNorm") {
        specs.push_back({"mean", 1, Shape{channels}});
        specs.push_back({"variance", 1, Shape{channels}});
        specs.push_back({"scale factor", 1, Shape{1}});
    } else if (type == "Scale" || type == "Bias") {
        const bool learned = layer.bottom_size() == 1;  // else bottom[1] is the parameter
        const int axis = type == "Scale" ? layer.scale_param().axis() : layer.bias_param().axis();
        const int numAxes =
            type == "Scale" ? layer.scale_param().num_axes() : layer.bias_param().num_axes();
        const int legacyRank = std::max(numAxes, 1);
        const auto shape = broadcastShape(axis, numAxes, channels);
        if (learned) specs.push_back({type == "Scale" ? "scale" : "bias", legacyRank, shape});
        if (type == "Scale" && layer.scale_param().bias_term())
            specs.push_back({"bias", legacyRank, learned ? shape : std::nullopt});
    } else if (type == "PReLU") {
        if (layer.prelu_param().channel_shared())
            specs.push_back({"slope", 0, Shape{}});
        else
            specs.push_back({"slope", 1, Shape{channels}});
    } else if (!parameterlessTypes().count(type)) {
        return std::nullopt;
    }
    return specs;
}

void checkBlobShapes(const std::string& where, const std::vector<BlobSpec>& specs,
                     const std::vector<Tensor>& blobs) {
    if (blobs.size() != specs.size()) {
        std::string roles;
        for (const auto& spec : specs) roles += (roles.empty() ? "" : ", ") + spec.role;
        throw Error(where + ": the caffemodel has " + std::to_string(blobs.size()) +
                    " blobs, the prototxt implies " + std::to_string(specs.size()) + " (" + roles +
                    ")");
    }
    for (size_t k = 0; k < specs.size(); ++k) {
        const auto& expected = specs[k].shape;
        if (expected && !matches(*expected, blobs[k].shape))
            throw Error(where + ": " + specs[k].role + " blob has shape " +
                        shapeToString(blobs[k].shape) + ", the prototxt implies " +
                        expectedText(*expected));
    }
}

int64_t outputChannels(const caffe::LayerParameter& layer, const Node& node,
                       const std::map<std::string, int64_t>& channels) {
    const auto inputChannels = [&](size_t k) -> int64_t {
        const auto it = channels.find(node.input(k));
        return it == channels.end() ? -1 : it->second;
    };
    static const std::set<std::string> keepChannels{"BatchNormalization",
                                                    "Scale",
                                                    "Bias",
                                                    "Relu",
                                                    "LeakyRelu",
                                                    "PRelu",
                                                    "Clip",
                                                    "Sigmoid",
                                                    "Tanh",
                                                    "MaxPool",
                                                    "AveragePool",
                                                    "Power",
                                                    "GlobalMaxPool",
                                                    "GlobalAveragePool",
                                                    "Dropout",
                                                    "Eltwise"};
    const std::string& op = node.op;
    if (op == "Conv" || op == "ConvTranspose") return layer.convolution_param().num_output();
    if (op == "Gemm")
        return layer.inner_product_param().axis() == 1 ? layer.inner_product_param().num_output()
                                                       : -1;
    if (keepChannels.count(op)) return inputChannels(0);
    if (op == "Crop") {
        const int64_t axis = node.attrInt("axis", 2);
        return axis >= 2 ? inputChannels(0) : axis >= 0 ? inputChannels(1) : -1;
    }
    if (op == "Concat") {
        const int64_t axis = node.attrInt("axis", 1);
        if (axis != 1) return axis >= 0 ? inputChannels(0) : -1;
        int64_t sum = 0;
        for (size_t k = 0; k < node.inputs.size(); ++k) {
            if (inputChannels(k) < 0) return -1;
            sum += inputChannels(k);
        }
        return sum;
    }
    return -1;
}

}  // namespace qf::caffe_format

#include "formats/caffe/caffe_unread_fields.h"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/message.h>

#include <map>
#include <set>

namespace qf::caffe_format {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

struct OwnParameters {
    std::string message;          // the LayerParameter field, e.g. "convolution_param"
    std::set<std::string> known;  // fields the importer reads, or that do not change inference
};

// Per Caffe type the importer maps (caffe_layer_map.cpp), its parameter message and the fields
// read from it (plus fillers, engines and training settings, which inference ignores rightly).
const std::map<std::string, OwnParameters>& ownParameters() {
    static const std::set<std::string> convolution{
        "num_output", "bias_term", "pad",           "pad_h",       "pad_w",          "kernel_size",
        "kernel_h",   "kernel_w",  "stride",        "stride_h",    "stride_w",       "group",
        "dilation",   "engine",    "weight_filler", "bias_filler", "force_nd_im2col"};
    static const std::map<std::string, OwnParameters> table = {
        {"Convolution", {"convolution_param", convolution}},
        {"Deconvolution", {"convolution_param", convolution}},
        {"InnerProduct",
         {"inner_product_param",
          {"num_output", "bias_term", "transpose", "axis", "weight_filler", "bias_filler"}}},
        {"BatchNorm", {"batch_norm_param", {"eps", "use_global_stats", "moving_average_fraction"}}},
        {"Scale", {"scale_param", {"axis", "num_axes", "bias_term", "filler", "bias_filler"}}},
        {"Bias", {"bias_param", {"axis", "num_axes", "filler"}}},
        {"ReLU", {"relu_param", {"negative_slope", "engine"}}},
        {"PReLU", {"prelu_param", {"channel_shared", "filler"}}},
        {"Sigmoid", {"sigmoid_param", {"engine"}}},
        {"TanH", {"tanh_param", {"engine"}}},
        {"Pooling",
         {"pooling_param",
          {"pool", "kernel_size", "kernel_h", "kernel_w", "pad", "pad_h", "pad_w", "stride",
           "stride_h", "stride_w", "global_pooling", "engine"}}},
        {"Eltwise", {"eltwise_param", {"operation", "coeff", "stable_prod_grad"}}},
        {"Concat", {"concat_param", {"axis", "concat_dim"}}},
        {"Flatten", {"flatten_param", {"axis", "end_axis"}}},
        {"Reshape", {"reshape_param", {"shape", "axis", "num_axes"}}},
        {"Softmax", {"softmax_param", {"axis", "engine"}}},
        {"Dropout", {"dropout_param", {"dropout_ratio"}}},  // identity at inference
        {"Crop", {"crop_param", {"axis", "offset"}}},
        {"Power", {"power_param", {"power", "scale", "shift"}}},
        // Forked layers whose parameters the schema lacks (read from the text): no message.
        {"ReLU6", {"", {}}},
        {"Clip", {"", {}}},
        {"Permute", {"", {}}},
    };
    return table;
}

// A singular scalar explicitly set to its default changes nothing.
bool isDefault(const Message& message, const Reflection& reflection, const FieldDescriptor& field) {
    if (field.is_repeated()) return reflection.FieldSize(message, &field) == 0;
    switch (field.cpp_type()) {
        case FieldDescriptor::CPPTYPE_INT32:
            return reflection.GetInt32(message, &field) == field.default_value_int32();
        case FieldDescriptor::CPPTYPE_INT64:
            return reflection.GetInt64(message, &field) == field.default_value_int64();
        case FieldDescriptor::CPPTYPE_UINT32:
            return reflection.GetUInt32(message, &field) == field.default_value_uint32();
        case FieldDescriptor::CPPTYPE_UINT64:
            return reflection.GetUInt64(message, &field) == field.default_value_uint64();
        case FieldDescriptor::CPPTYPE_FLOAT:
            return reflection.GetFloat(message, &field) == field.default_value_float();
        case FieldDescriptor::CPPTYPE_DOUBLE:
            return reflection.GetDouble(message, &field) == field.default_value_double();
        case FieldDescriptor::CPPTYPE_BOOL:
            return reflection.GetBool(message, &field) == field.default_value_bool();
        case FieldDescriptor::CPPTYPE_ENUM:
            return reflection.GetEnumValue(message, &field) == field.default_value_enum()->number();
        default:
            return false;
    }
}

bool endsWith(const std::string& text, const std::string& suffix) {
    return text.size() >= suffix.size() &&
           text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

std::vector<std::string> unreadParameters(const caffe::LayerParameter& layer) {
    const auto own = ownParameters().find(layer.type());
    if (own == ownParameters().end()) return {};
    std::vector<std::string> unread;
    std::vector<const FieldDescriptor*> fields;
    layer.GetReflection()->ListFields(layer, &fields);
    for (const FieldDescriptor* field : fields) {
        const std::string& name = field->name();
        // transform_param and loss_param belong to data and loss layers in training.
        if (field->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE || !endsWith(name, "_param") ||
            name == "transform_param" || name == "loss_param")
            continue;
        if (name != own->second.message) {
            unread.push_back(name);
            continue;
        }
        const Message& message = layer.GetReflection()->GetMessage(layer, field);
        const Reflection& reflection = *message.GetReflection();
        std::vector<const FieldDescriptor*> set;
        reflection.ListFields(message, &set);
        for (const FieldDescriptor* inner : set)
            if (!own->second.known.count(inner->name()) && !isDefault(message, reflection, *inner))
                unread.push_back(name + "." + inner->name());
    }
    return unread;
}

}  // namespace qf::caffe_format

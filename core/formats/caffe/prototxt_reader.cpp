#include "formats/caffe/prototxt_reader.h"

#include <google/protobuf/io/tokenizer.h>
#include <google/protobuf/text_format.h>

#include "formats/caffe/caffe_v1.h"
#include "formats/caffe/prototxt_scanner.h"
#include "util/error.h"

namespace qf::caffe_format {
namespace {

// Keeps the parser's first error, located in the file; warnings (skipped unknown fields of
// forked layers) are expected and dropped.
class FirstError : public google::protobuf::io::ErrorCollector {
public:
    explicit FirstError(std::string path) : path_(std::move(path)) {}

    void AddError(int line, google::protobuf::io::ColumnNumber column,
                  const std::string& message) override {
        if (message_.empty())
            message_ = path_ + ":" + std::to_string(line + 1) + ":" + std::to_string(column + 1) +
                       ": " + message;
    }

    std::string message() const { return message_.empty() ? path_ + ": cannot parse" : message_; }

private:
    std::string path_;
    std::string message_;
};

caffe::NetParameter parseNet(const std::string& text, const std::string& path) {
    google::protobuf::TextFormat::Parser parser;
    FirstError errors(path);
    parser.RecordErrorsTo(&errors);
    parser.AllowUnknownField(true);
    caffe::NetParameter net;
    if (!parser.ParseFromString(text, &net)) throw Error(errors.message());
    return net;
}

}  // namespace

Prototxt readPrototxt(const std::string& text, const std::string& path) {
    Prototxt prototxt;
    caffe::NetParameter net = parseNet(text, path);
    if (net.layer_size() > 0 && net.layers_size() > 0)
        throw Error(path + ": mixes `layer` and V1 `layers` definitions (Caffe refuses this too)");
    prototxt.v1 = net.layers_size() > 0;

    std::vector<TextField> blocks;
    for (auto& field : scanFields(text, 0, text.size()))
        if (field.name == "layer" || field.name == "layers") blocks.push_back(std::move(field));
    const int layerCount = prototxt.v1 ? net.layers_size() : net.layer_size();
    if (static_cast<int>(blocks.size()) != layerCount)
        throw Error(path + ": found " + std::to_string(blocks.size()) +
                    " layer blocks in the text but " + std::to_string(layerCount) +
                    " layers in the parse");

    for (int k = 0; k < layerCount; ++k) {
        PrototxtLayer layer;
        layer.param = prototxt.v1 ? upgradeV1Layer(net.layers(k)) : net.layer(k);
        layer.begin = blocks[static_cast<size_t>(k)].begin;
        layer.end = blocks[static_cast<size_t>(k)].end;
        layer.text = text.substr(layer.begin, layer.end - layer.begin);
        prototxt.layers.push_back(std::move(layer));
    }
    net.clear_layer();
    net.clear_layers();
    prototxt.header = std::move(net);
    return prototxt;
}

caffe::LayerParameter parseLayerBlock(const std::string& block) {
    const Prototxt parsed = readPrototxt(block, "layer text");
    if (parsed.layers.size() != 1)
        throw Error("layer text holds " + std::to_string(parsed.layers.size()) + " layers");
    return parsed.layers.front().param;
}

}  // namespace qf::caffe_format

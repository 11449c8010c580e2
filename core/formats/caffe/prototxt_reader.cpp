#include "formats/caffe/prototxt_reader.h"

#include <google/protobuf/io/tokenizer.h>
#include <google/protobuf/text_format.h>

#include <optional>

#include "formats/caffe/caffe_v1.h"
#include "formats/caffe/prototxt_scanner.h"
#include "util/error.h"

namespace qf::caffe_format {
namespace {

// Keeps the parser's first error, located in the file, and its warnings: the fields it skipped
// because the schema lacks them (forked layers' parameters, or typos).
class ParserMessages : public google::protobuf::io::ErrorCollector {
public:
    explicit ParserMessages(std::string path) : path_(std::move(path)) {}

    void AddError(int line, google::protobuf::io::ColumnNumber column,
                  const std::string& message) override {
        if (!error_)
            error_ = Diagnostic{Severity::Error, path_, line + 1, column + 1, "", "", message};
    }

    // protobuf: Message type "caffe.LayerParameter" has no field named "fork_note".
    void AddWarning(int line, google::protobuf::io::ColumnNumber column,
                    const std::string& message) override {
        const std::string marker = "has no field named \"";
        const size_t at = message.find(marker);
        std::string text = message;
        if (at != std::string::npos) {
            const size_t begin = at + marker.size();
            const size_t end = message.find('"', begin);
            const size_t type = message.find('"');
            const std::string owner =
                type < at ? message.substr(type + 1, message.find('"', type + 1) - type - 1) : "";
            text = "field '" + message.substr(begin, end - begin) + "'" +
                   (owner.empty() ? "" : " (in " + owner + ")") +
                   " is not in Caffe's schema: skipped, not read";
        }
        warnings.push_back({Severity::Warning, path_, line + 1, column + 1, "", "", text});
    }

    Error error() const {
        return error_ ? Error(*error_)
                      : Error(Diagnostic{Severity::Error, path_, 0, 0, "", "", "cannot parse"});
    }

    Diagnostics warnings;

private:
    std::string path_;
    std::optional<Diagnostic> error_;
};

// protobuf's text parser recurses once per nested message, including the unknown fields it
// skips: 20 000 nested braces overflow the stack. A deploy net nests a handful of levels, so
// anything past this is refused before protobuf sees it.
constexpr int kMaxNesting = 100;

void checkNesting(const std::string& text, const std::string& path) {
    int depth = 0;
    for (size_t pos = 0; pos < text.size(); ++pos) {
        const char c = text[pos];
        if (c == '#') {
            pos = text.find('\n', pos);
            if (pos == std::string::npos) return;
        } else if (c == '"' || c == '\'') {
            for (++pos; pos < text.size() && text[pos] != c; ++pos)
                if (text[pos] == '\\') ++pos;
        } else if (c == '{' || c == '<') {
            if (++depth > kMaxNesting) {
                const TextPosition at = textPosition(text, pos);
                throw Error(Diagnostic{
                    Severity::Error, path, at.line, at.column, "", "",
                    "messages nested deeper than " + std::to_string(kMaxNesting) + " levels"});
            }
        } else if (c == '}' || c == '>') {
            --depth;
        }
    }
}

caffe::NetParameter parseNet(const std::string& text, const std::string& path,
                             Diagnostics& unknownFields) {
    checkNesting(text, path);
    google::protobuf::TextFormat::Parser parser;
    parser.SetRecursionLimit(kMaxNesting);
    ParserMessages messages(path);
    parser.RecordErrorsTo(&messages);
    parser.AllowUnknownField(true);
    caffe::NetParameter net;
    if (!parser.ParseFromString(text, &net)) throw messages.error();
    unknownFields = std::move(messages.warnings);
    return net;
}

}  // namespace

Prototxt readPrototxt(const std::string& text, const std::string& path) {
    Prototxt prototxt;
    caffe::NetParameter net = parseNet(text, path, prototxt.unknownFields);
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

#include "formats/caffe/caffe_importer.h"
#include "formats/protobuf_log.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <map>
#include <set>

#include "caffe.pb.h"
#include "formats/caffe/caffe_blob_check.h"
#include "formats/caffe/caffe_blobs.h"
#include "formats/caffe/caffe_layer_map.h"
#include "formats/caffe/caffe_unread_fields.h"
#include "formats/caffe/prototxt_reader.h"
#include "runtime/kernel.h"
#include "util/atomic_file.h"
#include "util/error.h"

namespace qf {
namespace {

using caffe_format::PrototxtLayer;
using BlobList = google::protobuf::RepeatedPtrField<caffe::BlobProto>;

std::string describe(const caffe::LayerParameter& layer) {
    return "layer '" + layer.name() + "'" + (layer.type().empty() ? "" : " (" + layer.type() + ")");
}

// The trained blobs by layer name. Layers the prototxt lacks (training layers) are harmless.
std::map<std::string, BlobList> readCaffemodel(const std::string& path, const Progress& progress) {
    caffe::NetParameter model;
    const std::string bytes = readFile(path, progress.phase(0, 60, 100));
    progress.throwIfCancelled();
    progress.step(60, 100, "parsing " + std::filesystem::path(path).filename().string());
    const ProtobufLogCapture protobufLog;
    if (!model.ParseFromString(bytes))
        throw Error(path + ": not a Caffe model (truncated or corrupt binary NetParameter)" +
                    protobufLog.suffix());
    std::map<std::string, BlobList> blobs;
    for (auto& layer : *model.mutable_layer())
        if (layer.blobs_size() > 0) blobs[layer.name()] = std::move(*layer.mutable_blobs());
    for (auto& layer : *model.mutable_layers())
        if (layer.blobs_size() > 0) blobs[layer.name()] = std::move(*layer.mutable_blobs());
    return blobs;
}

// Graph inputs declared in the net header (`input` with `input_shape` or `input_dim`).
std::vector<ValueInfo> headerInputs(const caffe::NetParameter& header) {
    std::vector<ValueInfo> inputs;
    for (int k = 0; k < header.input_size(); ++k) {
        ValueInfo input;
        input.name = header.input(k);
        if (k < header.input_shape_size()) {
            const auto& dims = header.input_shape(k).dim();
            input.shape.assign(dims.begin(), dims.end());
        } else if (header.input_dim_size() >= 4 * (k + 1)) {
            const auto first = header.input_dim().begin() + 4 * k;
            input.shape.assign(first, first + 4);
        }
        inputs.push_back(std::move(input));
    }
    return inputs;
}

// Caffe's StateMeetsRule for the state a deploy net runs in: phase TEST, the net's own level
// and stages (NetParameter.state).
bool stateMeetsRule(const caffe::NetState& state, const caffe::NetStateRule& rule) {
    if (rule.has_phase() && rule.phase() != caffe::TEST) return false;
    if (rule.has_min_level() && state.level() < rule.min_level()) return false;
    if (rule.has_max_level() && state.level() > rule.max_level()) return false;
    const auto hasStage = [&state](const std::string& stage) {
        return std::find(state.stage().begin(), state.stage().end(), stage) != state.stage().end();
    };
    for (const auto& stage : rule.stage())
        if (!hasStage(stage)) return false;
    for (const auto& stage : rule.not_stage())
        if (hasStage(stage)) return false;
    return true;
}

// A rule as the prototxt writes it: `include { phase: TRAIN }`.
std::string ruleText(const char* kind, const caffe::NetStateRule& rule) {
    std::string text = std::string(kind) + " {";
    if (rule.has_phase()) text += rule.phase() == caffe::TRAIN ? " phase: TRAIN" : " phase: TEST";
    if (rule.has_min_level()) text += " min_level: " + std::to_string(rule.min_level());
    if (rule.has_max_level()) text += " max_level: " + std::to_string(rule.max_level());
    for (const auto& stage : rule.stage()) text += " stage: \"" + stage + "\"";
    for (const auto& stage : rule.not_stage()) text += " not_stage: \"" + stage + "\"";
    return text + " }";
}

// Caffe's FilterNet for one layer: "" when the layer is part of the TEST net, else the rule
// that leaves it out (an exclude that matches, or the include rules none of which matches).
std::string phaseRuleExcluding(const caffe::NetState& state, const caffe::LayerParameter& layer) {
    if (layer.include_size() == 0) {
        for (const auto& rule : layer.exclude())
            if (stateMeetsRule(state, rule)) return ruleText("exclude", rule);
        return "";
    }
    std::string rules;
    for (const auto& rule : layer.include()) {
        if (stateMeetsRule(state, rule)) return "";
        rules += (rules.empty() ? "" : ", ") + ruleText("include", rule);
    }
    return rules;
}

// A forked layer's parameter message that the layer map reads from the text itself.
bool readFromText(const std::string& layerType, const std::string& message) {
    return (layerType == "Clip" && message.find("'clip_param'") != std::string::npos) ||
           (layerType == "Permute" && message.find("'permute_param'") != std::string::npos);
}

class GraphBuilder {
public:
    GraphBuilder(std::string prototxtPath, std::string weightsPath, const Progress& progress)
        : prototxtPath_(std::move(prototxtPath)),
          weightsPath_(std::move(weightsPath)),
          progress_(progress) {}

    Graph build(const caffe_format::Prototxt& prototxt, const std::string& text) {
        graph_.format = "caffe";
        graph_.name = prototxt.header.name();
        for (const auto& layer : prototxt.layers) {
            const std::string rule = phaseRuleExcluding(prototxt.header.state(), layer.param);
            if (rule.empty()) continue;
            dropped_.insert(&layer);
            const TextPosition at = textPosition(text, layer.begin);
            warnings_.push_back({Severity::Warning, prototxtPath_, at.line, at.column,
                                 layer.param.name(), "",
                                 layer.param.type() + " layer dropped: its rule " + rule +
                                     " leaves it out of the TEST phase a deployed model runs in"});
        }
        graph_.source = headerText(prototxt, text);
        if (prototxt.v1) graph_.sourceInfo["caffe.layers"] = "v1";
        // Steps out of 100: the weights file is most of a load.
        if (!weightsPath_.empty())
            trained_ = readCaffemodel(weightsPath_, progress_.phase(0, 80, 100));
        countWrites(prototxt);
        for (auto& input : headerInputs(prototxt.header)) addInput(input, "input");
        std::set<std::string> names;
        const Progress layersProgress = progress_.phase(80, 18, 100);
        const auto layerCount = static_cast<long>(prototxt.layers.size());
        long layerIndex = 0;
        for (const auto& layer : prototxt.layers) {
            if (layerIndex % 32 == 0) {
                layersProgress.throwIfCancelled();
                layersProgress.step(layerIndex, layerCount, "converting layers");
            }
            ++layerIndex;
            if (dropped_.count(&layer)) continue;
            const auto& param = layer.param;
            at_ = textPosition(text, layer.begin);
            if (param.type().empty()) fail(param, "has no type");
            if (!names.insert(param.name()).second)
                fail(param, "two layers are named '" + param.name() + "'",
                     located() + "two layers are named '" + param.name() + "'");
            if (param.type() == "Input")
                addInputLayer(param);
            else if (param.type() == "Split")
                aliasSplit(param);
            else
                addNode(layer);
        }
        unknownFieldWarnings(prototxt, text);
        setOutputs();
        progress_.step(98, 100, "checking the graph");
        graph_.sortTopologically();
        progress_.step(100, 100, "");
        return std::move(graph_);
    }

    Diagnostics& warnings() { return warnings_; }

private:
    // An error about a prototxt layer, at the layer's line. `what` (the message) defaults to
    // "<file>:<line>:<column>: layer '<name>' (<type>): <problem>".
    [[noreturn]] void fail(const caffe::LayerParameter& layer, const std::string& problem,
                           const std::string& what = "") const {
        throw Error(
            Diagnostic{Severity::Error, prototxtPath_, at_.line, at_.column, layer.name(), "",
                       (layer.type().empty() ? "layer" : layer.type() + " layer") + ": " + problem},
            what.empty() ? located() + describe(layer) + " " + problem : what);
    }
    std::string located() const {
        return prototxtPath_ + ":" + std::to_string(at_.line) + ":" + std::to_string(at_.column) +
               ": ";
    }

    // An error about a layer's blobs in the caffemodel, whose message starts with `prefix`.
    [[noreturn]] void failWeights(const caffe::LayerParameter& layer, const Error& error,
                                  const std::string& prefix) const {
        std::string problem = error.what();
        if (problem.rfind(prefix + ": ", 0) == 0) problem.erase(0, prefix.size() + 2);
        throw Error(Diagnostic{Severity::Error, weightsPath_, 0, 0, layer.name(), "",
                               layer.type() + " layer: " + problem},
                    error.what());
    }

    // The parser's skipped fields, each given to the layer whose block holds it.
    void unknownFieldWarnings(const caffe_format::Prototxt& prototxt, const std::string& text) {
        for (Diagnostic warning : prototxt.unknownFields) {
            for (const auto& layer : prototxt.layers) {
                const TextPosition begin = textPosition(text, layer.begin);
                const TextPosition end = textPosition(text, layer.end);
                const auto before = [](const TextPosition& a, int line, int column) {
                    return a.line < line || (a.line == line && a.column <= column);
                };
                if (!before(begin, warning.line, warning.column) ||
                    before(end, warning.line, warning.column))
                    continue;
                if (dropped_.count(&layer) || readFromText(layer.param.type(), warning.message))
                    warning.message.clear();
                warning.node = layer.param.name();
                break;
            }
            if (!warning.message.empty()) warnings_.push_back(std::move(warning));
        }
    }

    // The file without the layers that become nodes; Input layers stay, since they are no
    // nodes but have to be written back, and so do the layers the TEST phase drops.
    std::string headerText(const caffe_format::Prototxt& prototxt, const std::string& text) const {
        std::string header;
        size_t pos = 0;
        for (const auto& layer : prototxt.layers) {
            if (layer.param.type() == "Input" || dropped_.count(&layer)) continue;
            header += text.substr(pos, layer.begin - pos);
            pos = layer.end;
            while (pos < text.size() && std::isspace(static_cast<unsigned char>(text[pos]))) ++pos;
        }
        header += text.substr(pos);
        if (!header.empty() && header.back() != '\n') header += '\n';
        return header;
    }

    void countWrites(const caffe_format::Prototxt& prototxt) {
        for (const auto& input : prototxt.header.input()) ++writesLeft_[input];
        for (const auto& layer : prototxt.layers)
            if (layer.param.type() != "Split" && !dropped_.count(&layer))
                for (const auto& top : layer.param.top()) ++writesLeft_[top];
    }

    // SSA naming of Caffe's in-place layers: every write of a blob but the last is named
    // `<blob>@<writer>`, so graph outputs keep their blob names.
    std::string write(const std::string& blob, const std::string& writer) {
        const bool last = --writesLeft_[blob] <= 0;
        const std::string tensor = last ? blob : blob + "@" + writer;
        if (!last) graph_.sourceInfo["blob:" + tensor] = blob;
        current_[blob] = tensor;
        return tensor;
    }

    std::string read(const std::string& blob, const caffe::LayerParameter& layer) {
        const auto it = current_.find(blob);
        if (it == current_.end())
            fail(layer, "reads blob '" + blob + "', which no earlier layer or input produces");
        consumed_.insert(it->second);
        return it->second;
    }

    void addInput(ValueInfo input, const std::string& writer) {
        input.name = write(input.name, writer);
        if (input.shape.size() >= 2 && input.shape[1] > 0) channels_[input.name] = input.shape[1];
        graph_.inputs.push_back(std::move(input));
    }

    void addInputLayer(const caffe::LayerParameter& layer) {
        const auto& shapes = layer.input_param().shape();
        for (int k = 0; k < layer.top_size(); ++k) {
            ValueInfo input;
            input.name = layer.top(k);
            // One shape for every top, or one per top.
            const int shapeIndex = shapes.size() == 1 ? 0 : k;
            if (shapeIndex < shapes.size())
                input.shape.assign(shapes[shapeIndex].dim().begin(),
                                   shapes[shapeIndex].dim().end());
            addInput(std::move(input), layer.name());
        }
    }

    // Caffe inserts Split layers itself; their tops are the bottom under other names.
    void aliasSplit(const caffe::LayerParameter& layer) {
        if (layer.bottom_size() != 1) fail(layer, "needs exactly one bottom");
        const std::string tensor = read(layer.bottom(0), layer);
        for (const auto& top : layer.top()) current_[top] = tensor;
    }

    void addNode(const PrototxtLayer& layer) {
        const auto& param = layer.param;
        Node node;
        node.name = param.name();
        node.source = layer.text;
        try {
            auto mapped = caffe_format::mapLayer(param, layer.text);
            node.op = std::move(mapped.op);
            node.attrs = std::move(mapped.attrs);
        } catch (const Error& error) {
            // mapLayer's messages start with the layer ("layer 'x' (Type): ...").
            const std::string prefix = describe(param) + ": ";
            std::string problem = error.what();
            if (problem.rfind(prefix, 0) == 0) problem.erase(0, prefix.size());
            fail(param, problem, located() + error.what());
        }
        for (const auto& field : caffe_format::unreadParameters(param))
            warnings_.push_back({Severity::Warning, prototxtPath_, at_.line, at_.column, node.name,
                                 "",
                                 param.type() + " parameter '" + field +
                                     "' is not read by this runtime: the layer runs as if it "
                                     "were absent"});
        if (!findKernel(node.op))
            warnings_.push_back({Severity::Warning, prototxtPath_, at_.line, at_.column, node.name,
                                 "",
                                 "layer type '" + param.type() + "'" +
                                     (node.op != param.type() ? " (op " + node.op + ")" : "") +
                                     " is not supported by this runtime: the layer is kept and "
                                     "written back, but the model cannot run"});
        for (const auto& bottom : param.bottom()) node.inputs.push_back(read(bottom, param));
        if (!weightsPath_.empty()) addWeights(param, node);
        for (const auto& top : param.top()) node.outputs.push_back(write(top, param.name()));
        const int64_t channels = caffe_format::outputChannels(param, node, channels_);
        if (channels > 0 && !node.outputs.empty()) channels_[node.outputs.front()] = channels;
        graph_.addNode(std::move(node));
    }

    void addWeights(const caffe::LayerParameter& layer, Node& node) {
        const auto inputChannels = channels_.find(node.input(0));
        const auto specs = caffe_format::blobSpecs(
            layer, node, inputChannels == channels_.end() ? -1 : inputChannels->second);
        if (specs && specs->empty()) return;  // a layer without parameters
        const auto found = trained_.find(layer.name());
        if (found == trained_.end()) {
            if (!specs) return;  // an unknown layer without blobs
            throw Error(Diagnostic{Severity::Error, weightsPath_, 0, 0, layer.name(), "",
                                   layer.type() + " layer: no weights in " + weightsPath_},
                        describe(layer) + ": no weights in " + weightsPath_);
        }
        const std::string where = weightsPath_ + ": " + describe(layer);
        std::vector<Tensor> blobs;
        try {
            for (int k = 0; k < found->second.size(); ++k) {
                const int legacyRank = specs && k < static_cast<int>(specs->size())
                                           ? (*specs)[static_cast<size_t>(k)].legacyRank
                                           : -1;
                blobs.push_back(caffe_format::blobToTensor(found->second[k], legacyRank,
                                                           where + ": blob " + std::to_string(k)));
            }
            if (specs) caffe_format::checkBlobShapes(where, *specs, blobs);
        } catch (const Error& error) {
            failWeights(layer, error, where);
        }

        if (layer.type() == "BatchNorm") return addBatchNormWeights(layer, std::move(blobs), node);
        if (layer.type() == "PReLU") {
            const int64_t slopes = blobs[0].numel();
            blobs[0].shape = layer.prelu_param().channel_shared() ? Shape{1} : Shape{slopes, 1, 1};
        }
        for (size_t k = 0; k < blobs.size(); ++k)
            addWeight(node, std::to_string(k), std::move(blobs[k]));
    }

    // Caffe keeps running sums: the statistics are the blobs times 1 / scale_factor, and a
    // zero factor zeroes them. Multiplying by the float reciprocal is what Caffe computes.
    void addBatchNormWeights(const caffe::LayerParameter& layer, std::vector<Tensor> blobs,
                             Node& node) {
        Tensor& mean = blobs[0];
        Tensor& variance = blobs[1];
        if (mean.numel() != variance.numel()) {
            const std::string problem = "mean has shape " + shapeToString(mean.shape) +
                                        " but variance " + shapeToString(variance.shape);
            throw Error(Diagnostic{Severity::Error, weightsPath_, 0, 0, layer.name(), "",
                                   layer.type() + " layer: " + problem},
                        weightsPath_ + ": " + describe(layer) + ": " + problem);
        }
        const float scaleFactor = blobs[2].f[0];
        const float factor = scaleFactor == 0.0f ? 0.0f : 1.0f / scaleFactor;
        for (float& value : mean.f) value *= factor;
        for (float& value : variance.f) value *= factor;
        const Shape channels{mean.numel()};
        mean.shape = channels;
        variance.shape = channels;
        addWeight(node, "scale", Tensor::floats(channels, 1.0f));
        addWeight(node, "bias", Tensor::floats(channels, 0.0f));
        addWeight(node, "0", std::move(mean));
        addWeight(node, "1", std::move(variance));
    }

    void addWeight(Node& node, const std::string& suffix, Tensor tensor) {
        const std::string name = node.name + "$" + suffix;
        graph_.weights.set(name, std::move(tensor));
        node.inputs.push_back(name);
    }

    // What Caffe reports as the net's outputs: tops no layer reads.
    void setOutputs() {
        for (const auto& node : graph_.nodes)
            for (const auto& output : node.outputs)
                if (!consumed_.count(output)) graph_.outputs.push_back(ValueInfo{output, {}});
    }

    const std::string prototxtPath_;
    const std::string weightsPath_;
    const Progress progress_;
    Graph graph_;
    Diagnostics warnings_;
    std::set<const caffe_format::PrototxtLayer*> dropped_;  // left out of the TEST phase
    TextPosition at_;                                       // of the layer being read
    std::map<std::string, BlobList> trained_;
    std::map<std::string, int> writesLeft_;       // blob → writes still to come
    std::map<std::string, std::string> current_;  // blob → tensor holding its latest value
    std::map<std::string, int64_t> channels_;     // tensor → channels, when known
    std::set<std::string> consumed_;
};

}  // namespace

Graph importCaffe(const std::string& prototxtPath, const std::string& weightsPath,
                  Diagnostics* warnings, const Progress& progress) {
    const std::string text = readFile(prototxtPath);
    const auto prototxt = caffe_format::readPrototxt(text, prototxtPath);
    GraphBuilder builder(prototxtPath, weightsPath, progress);
    Graph graph = builder.build(prototxt, text);
    // In file order, as a reader goes through them.
    std::stable_sort(builder.warnings().begin(), builder.warnings().end(),
                     [](const Diagnostic& a, const Diagnostic& b) {
                         return a.line != b.line ? a.line < b.line : a.column < b.column;
                     });
    if (warnings)
        warnings->insert(warnings->end(), builder.warnings().begin(), builder.warnings().end());
    return graph;
}

}  // namespace qf

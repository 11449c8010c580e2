#include "formats/caffe/caffe_exporter.h"

#include <algorithm>

#include "caffe.pb.h"
#include "formats/caffe/caffe_blob_names.h"
#include "formats/caffe/caffe_blobs.h"
#include "formats/caffe/caffe_layer_map.h"
#include "formats/caffe/layer_from_node.h"
#include "formats/caffe/layer_text_edit.h"
#include "formats/caffe/prototxt_reader.h"
#include "formats/caffe/prototxt_scanner.h"
#include "util/atomic_file.h"
#include "util/error.h"

namespace qf {
namespace {

using namespace caffe_format;

bool sameAttribute(const Attribute& a, const Attribute& b) {
    if (a.kind != b.kind) return false;
    switch (a.kind) {
        case Attribute::Kind::Int:
            return a.i == b.i;
        case Attribute::Kind::Float:
            return a.f == b.f;
        case Attribute::Kind::String:
            return a.s == b.s;
        case Attribute::Kind::Ints:
            return a.ints == b.ints;
        case Attribute::Kind::Floats:
            return a.floats == b.floats;
        case Attribute::Kind::Strings:
            return a.strings == b.strings;
        case Attribute::Kind::Tensor:
            return a.t.dtype == b.t.dtype && a.t.shape == b.t.shape && a.t.f == b.t.f &&
                   a.t.i == b.t.i;
    }
    return false;
}

bool sameAttrs(const std::map<std::string, Attribute>& a,
               const std::map<std::string, Attribute>& b) {
    return a.size() == b.size() &&
           std::equal(a.begin(), a.end(), b.begin(), [](const auto& x, const auto& y) {
               return x.first == y.first && sameAttribute(x.second, y.second);
           });
}

bool sameNames(const std::vector<std::string>& names,
               const google::protobuf::RepeatedPtrField<std::string>& original) {
    return std::equal(names.begin(), names.end(), original.begin(), original.end());
}

struct ExportedLayer {
    std::string type;
    std::string text;
    bool v1 = false;  // a V1 `layers` block
};

bool isV1Block(const std::string& text) {
    const auto fields = scanFields(text, 0, text.size());
    return !fields.empty() && fields.front().name == "layers";
}

bool hasWeights(const Node& node, const Graph& graph) {
    return std::any_of(node.inputs.begin(), node.inputs.end(),
                       [&](const std::string& input) { return graph.isWeight(input); });
}

// The node's original text when it still describes the node, with only the connections and
// the bias term updated (the edits passes make); else a layer written from the IR.
ExportedLayer exportLayer(const Node& node, const Graph& graph,
                          const std::vector<std::string>& bottoms,
                          const std::vector<std::string>& tops) {
    if (graph.format == "caffe" && !node.source.empty()) {
        const caffe::LayerParameter original = parseLayerBlock(node.source);
        const LayerOp mapped = mapLayer(original, node.source);
        if (mapped.op == node.op && sameAttrs(mapped.attrs, node.attrs)) {
            std::string text = node.source;
            if (!sameNames(bottoms, original.bottom()) || !sameNames(tops, original.top()))
                text = withConnections(text, bottoms, tops);
            // Conv, Deconvolution, InnerProduct and Scale all have their bias as input 2. A
            // node imported without a caffemodel has no weights to tell.
            const std::string param = biasTermParam(original.type());
            const bool hasBias = !node.input(2).empty();
            if (!param.empty() && hasWeights(node, graph) && hasBias != biasTerm(original))
                text = withBiasTerm(text, param, hasBias);
            return {original.type(), text, isV1Block(text)};
        }
    }
    LayerBlock block = layerFromNode(node, graph, bottoms, tops);
    return {block.type, block.text, false};
}

bool allEqualTo(const Tensor& tensor, float value) {
    return std::all_of(tensor.f.begin(), tensor.f.end(), [&](float x) { return x == value; });
}

// The node's weights as Caffe stores them: BatchNorm's statistics with a scale factor of 1,
// PReLU's slope and biases as vectors.
void addBlobs(const Node& node, const Graph& graph, caffe::LayerParameter& layer) {
    if (node.op == "BatchNormalization" && node.inputs.size() == 5) {
        const Tensor* scale = graph.weight(node.input(1));
        const Tensor* bias = graph.weight(node.input(2));
        const Tensor* mean = graph.weight(node.input(3));
        const Tensor* variance = graph.weight(node.input(4));
        if (!scale || !bias || !mean || !variance)
            throw Error("node '" + node.name +
                        "' (BatchNormalization): its parameters must be weights");
        if (!allEqualTo(*scale, 1.0f) || !allEqualTo(*bias, 0.0f))
            throw Error("node '" + node.name +
                        "' (BatchNormalization): its scale and bias are no longer 1 and 0, which a "
                        "Caffe BatchNorm cannot hold");
        tensorToBlob(*mean, {mean->numel()}, layer.add_blobs());
        tensorToBlob(*variance, {variance->numel()}, layer.add_blobs());
        tensorToBlob(Tensor::floats({1}, 1.0f), {1}, layer.add_blobs());
        return;
    }
    const bool biasIsVector = node.op == "Conv" || node.op == "ConvTranspose" || node.op == "Gemm";
    for (size_t k = 0; k < node.inputs.size(); ++k) {
        const Tensor* tensor = graph.weight(node.inputs[k]);
        if (tensor == nullptr) continue;
        Shape shape = tensor->shape;
        if (node.op == "PRelu")  // [C, 1, 1] → [C]; a shared slope is a scalar
            shape = tensor->numel() == 1 && tensor->rank() <= 1 ? Shape{} : Shape{tensor->numel()};
        if (biasIsVector && k == 2) shape = {tensor->numel()};
        tensorToBlob(*tensor, shape, layer.add_blobs());
    }
}

// A header for a graph that did not come from a prototxt: the name and an Input layer.
std::string generatedHeader(const Graph& graph, const BlobNames& blobNames) {
    std::string header = "name: " + quoted(graph.name) + "\n";
    if (graph.inputs.empty()) return header;
    caffe::LayerParameter input;
    input.set_name("input");
    input.set_type("Input");
    for (const auto& value : graph.inputs) {
        input.add_top(blobNames(value.name));
        auto& shape = *input.mutable_input_param()->add_shape();
        for (const int64_t dim : value.shape) shape.add_dim(dim);
    }
    return header + layerBlockText(input) + "\n";
}

}  // namespace

void exportCaffe(const Graph& graph, const std::string& prototxtPath,
                 const std::string& weightsPath, const Progress& progress) {
    if (prototxtPath == weightsPath)
        throw Error(prototxtPath + ": the prototxt and the caffemodel cannot be the same file");
    const BlobNames blobNames(graph);
    caffe::NetParameter model;
    model.set_name(graph.name);
    std::vector<ExportedLayer> layers;
    // Steps out of 100: the layers and their blobs, then serializing and writing.
    const Progress layersProgress = progress.phase(0, 40, 100);
    const auto nodeCount = static_cast<long>(graph.nodes.size());
    for (const auto& node : graph.nodes) {
        const auto index = static_cast<long>(&node - graph.nodes.data());
        if (index % 32 == 0) {
            layersProgress.throwIfCancelled();
            layersProgress.step(index, nodeCount, "writing layers");
        }
        std::vector<std::string> bottoms;
        std::vector<std::string> tops;
        for (const auto& input : node.inputs)
            if (!input.empty() && !graph.isWeight(input)) bottoms.push_back(blobNames(input));
        for (const auto& output : node.outputs) tops.push_back(blobNames(output));
        try {
            layers.push_back(exportLayer(node, graph, bottoms, tops));
            if (!hasWeights(node, graph)) continue;
            auto& entry = *model.add_layer();
            entry.set_name(node.name);
            entry.set_type(layers.back().type);
            for (const auto& bottom : bottoms) entry.add_bottom(bottom);
            for (const auto& top : tops) entry.add_top(top);
            addBlobs(node, graph, entry);
        } catch (const Error& error) {
            throw Error(prototxtPath + ": " + error.what());
        }
    }

    // A prototxt holds either V1 `layers` or current `layer` blocks, never both.
    const bool anyV1 =
        std::any_of(layers.begin(), layers.end(), [](const auto& l) { return l.v1; });
    const bool allV1 =
        std::all_of(layers.begin(), layers.end(), [](const auto& l) { return l.v1; });
    // Another format's Graph::source is no prototxt header.
    const bool fromCaffe = graph.format == "caffe" && !graph.source.empty();
    std::string prototxt = fromCaffe ? graph.source : generatedHeader(graph, blobNames);
    for (auto& layer : layers) {
        if (layer.v1 && !allV1 && anyV1) layer.text = layerBlockText(parseLayerBlock(layer.text));
        prototxt += layer.text + "\n";
    }

    progress.throwIfCancelled();
    progress.step(40, 100, "serializing");
    std::string weights;
    if (!model.SerializeToString(&weights))
        throw Error(weightsPath + ": the weights are too large for a caffemodel");
    writeFileAtomically(weightsPath, weights, progress.phase(50, 50, 100));
    writeFileAtomically(prototxtPath, prototxt);
    progress.step(100, 100, "");
}

}  // namespace qf

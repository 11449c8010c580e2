// Caffe import and export: layer mapping (graph/OPS.md), SSA names of in-place layers, blob
// checks, error messages, and round trips that keep weights bit-identical.
#include <QObject>
#include <QtTest>
#include <cmath>
#include <cstring>
#include <fstream>

#include "caffe.pb.h"
#include "formats/caffe/caffe_exporter.h"
#include "formats/caffe/caffe_importer.h"
#include "test_support.h"
#include "util/atomic_file.h"
#include "util/error.h"

namespace {

using qf::Graph;
using qf::Node;
using qf::Shape;

using Ints = std::vector<int64_t>;
using Floats = std::vector<float>;
using Names = std::vector<std::string>;

// A deploy net with the usual in-place Conv → BatchNorm → Scale → ReLU chain. The comment
// with braces and the unknown field with a brace in a string exercise the text slicing.
const char* const kTinyPrototxt = R"(name: "tiny"
input: "data"
input_shape { dim: 1 dim: 3 dim: 8 dim: 8 }
layer {
  name: "conv1"
  type: "Convolution"
  bottom: "data"
  top: "conv1"
  convolution_param {
    num_output: 4
    bias_term: false
    kernel_h: 3
    kernel_w: 1
    pad_h: 1
    pad_w: 0
    stride_h: 2
    stride_w: 1
  }
}
# a comment with } and { that must not end a block
layer {
  name: "bn1"
  type: "BatchNorm"
  bottom: "conv1"
  top: "conv1"
  batch_norm_param { use_global_stats: true eps: 0.001 }
}
layer {
  name: "scale1"
  type: "Scale"
  bottom: "conv1"
  top: "conv1"
  scale_param { bias_term: true }
}
layer {
  name: "relu1"
  type: "ReLU"
  bottom: "conv1"
  top: "conv1"
  fork_note: "a } in a string"
}
layer {
  name: "pool1"
  type: "Pooling"
  bottom: "conv1"
  top: "pool1"
  pooling_param { pool: MAX kernel_size: 2 stride: 2 }
}
layer {
  name: "fc"
  type: "InnerProduct"
  bottom: "pool1"
  top: "fc"
  inner_product_param { num_output: 5 }
}
)";

Floats ramp(size_t count, float start, float step) {
    Floats values(count);
    for (size_t k = 0; k < count; ++k) values[k] = start + step * static_cast<float>(k);
    return values;
}

void addBlob(caffe::LayerParameter* layer, const Shape& shape, const Floats& values) {
    auto* blob = layer->add_blobs();
    for (const int64_t dim : shape) blob->mutable_shape()->add_dim(dim);
    for (const float value : values) blob->add_data(value);
}

caffe::LayerParameter* addLayer(caffe::NetParameter& net, const std::string& name,
                                const std::string& type) {
    auto* layer = net.add_layer();
    layer->set_name(name);
    layer->set_type(type);
    return layer;
}

const Floats kBnMeanSums{2, 4, 6, 8};
const Floats kBnVarianceSums{1, 3, 5, 7};

// The trained weights of kTinyPrototxt, with a BatchNorm scale factor of 2 (Caffe stores
// running sums) and a training-only layer the prototxt lacks.
caffe::NetParameter tinyWeights(int64_t convOutputs = 4, int64_t convInputs = 3) {
    caffe::NetParameter net;
    net.set_name("tiny");
    addBlob(addLayer(net, "conv1", "Convolution"), {convOutputs, convInputs, 3, 1},
            ramp(static_cast<size_t>(convOutputs * convInputs * 3), -0.5f, 0.01f));
    auto* bn = addLayer(net, "bn1", "BatchNorm");
    addBlob(bn, {4}, kBnMeanSums);
    addBlob(bn, {4}, kBnVarianceSums);
    addBlob(bn, {1}, {2.0f});
    auto* scale = addLayer(net, "scale1", "Scale");
    addBlob(scale, {4}, {0.5f, 1.5f, 2.5f, 3.5f});
    addBlob(scale, {4}, {0.1f, 0.2f, 0.3f, 0.4f});
    auto* fc = addLayer(net, "fc", "InnerProduct");
    addBlob(fc, {5, 32}, ramp(160, 1.0f, -0.0125f));
    addBlob(fc, {5}, {1, 2, 3, 4, 5});
    addBlob(addLayer(net, "loss_helper", "InnerProduct"), {2}, {1, 2});
    return net;
}

std::string writeFile(const QTemporaryDir& dir, const std::string& name, const std::string& bytes) {
    const std::string path = dir.filePath(QString::fromStdString(name)).toStdString();
    qf::writeFileAtomically(path, bytes);
    return path;
}

std::string writeModel(const QTemporaryDir& dir, const std::string& name,
                       const caffe::NetParameter& net) {
    return writeFile(dir, name, net.SerializeAsString());
}

// The helpers record a failure instead of throwing: Qt 6.4 aborts the whole run on an
// exception that escapes a test function.
const Node& nodeNamed(const Graph& graph, const std::string& name) {
    static const Node missing;
    const int index = graph.nodeIndex(name);
    if (index < 0) QTest::qFail(("no node named " + name).c_str(), __FILE__, __LINE__);
    return index < 0 ? missing : graph.nodes[static_cast<size_t>(index)];
}

const qf::Tensor& weightNamed(const Graph& graph, const std::string& name) {
    static const qf::Tensor missing;
    const qf::Tensor* tensor = graph.weight(name);
    if (tensor == nullptr) QTest::qFail(("no weight named " + name).c_str(), __FILE__, __LINE__);
    return tensor ? *tensor : missing;
}

Graph load(const std::string& prototxt, const std::string& model) {
    try {
        return qf::importCaffe(prototxt, model);
    } catch (const qf::Error& error) {
        QTest::qFail(error.what(), __FILE__, __LINE__);
        return {};
    }
}

bool save(const Graph& graph, const std::string& prototxt, const std::string& model) {
    try {
        qf::exportCaffe(graph, prototxt, model);
        return true;
    } catch (const qf::Error& error) {
        QTest::qFail(error.what(), __FILE__, __LINE__);
        return false;
    }
}

Names names(const std::vector<qf::ValueInfo>& values) {
    Names out;
    for (const auto& value : values) out.push_back(value.name);
    return out;
}

bool sameAttribute(const qf::Attribute& a, const qf::Attribute& b) {
    return a.kind == b.kind && a.i == b.i && (a.f == b.f || (std::isnan(a.f) && std::isnan(b.f))) &&
           a.s == b.s && a.ints == b.ints && a.floats == b.floats && a.strings == b.strings;
}

bool bitIdentical(const Floats& a, const Floats& b) {
    return a.size() == b.size() &&
           (a.empty() || std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0);
}

// Same nodes (op, name, inputs, outputs, attributes), same graph inputs and outputs, and
// bit-identical weights.
void compareGraphs(const Graph& expected, const Graph& actual) {
    QCOMPARE(actual.name, expected.name);
    QCOMPARE(actual.nodes.size(), expected.nodes.size());
    for (size_t k = 0; k < expected.nodes.size(); ++k) {
        const Node& a = expected.nodes[k];
        const Node& b = actual.nodes[k];
        QCOMPARE(b.name, a.name);
        QCOMPARE(b.op, a.op);
        QCOMPARE(b.inputs, a.inputs);
        QCOMPARE(b.outputs, a.outputs);
        QCOMPARE(b.attrs.size(), a.attrs.size());
        for (const auto& [key, value] : a.attrs) {
            QVERIFY2(b.has(key), (a.name + " lost attribute " + key).c_str());
            QVERIFY2(sameAttribute(value, b.attrs.at(key)), (a.name + " changed " + key).c_str());
        }
    }
    QCOMPARE(names(actual.inputs), names(expected.inputs));
    for (size_t k = 0; k < expected.inputs.size(); ++k)
        QCOMPARE(actual.inputs[k].shape, expected.inputs[k].shape);
    QCOMPARE(names(actual.outputs), names(expected.outputs));
    QCOMPARE(actual.weights.size(), expected.weights.size());
    for (const auto& [name, tensor] : expected.weights) {
        const qf::Tensor* other = actual.weight(name);
        QVERIFY2(other != nullptr, ("lost weight " + name).c_str());
        QCOMPARE(other->shape, tensor.shape);
        QVERIFY2(bitIdentical(other->f, tensor.f), ("weight changed: " + name).c_str());
    }
}

// Exports `graph`, imports the result and checks that nothing changed.
Graph roundTrip(const Graph& graph, const QTemporaryDir& dir, const std::string& stem) {
    const std::string prototxt =
        dir.filePath(QString::fromStdString(stem + ".prototxt")).toStdString();
    const std::string model =
        dir.filePath(QString::fromStdString(stem + ".caffemodel")).toStdString();
    if (!save(graph, prototxt, model)) return {};
    Graph again = load(prototxt, model);
    compareGraphs(graph, again);
    return again;
}

// The message of the qf::Error that `run` throws, or "" when it throws none.
template <typename Run>
std::string errorOf(Run run) {
    try {
        run();
    } catch (const qf::Error& error) {
        return error.what();
    }
    return "";
}

bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

int count(const Graph& graph, const std::string& op) {
    const auto counts = graph.opCounts();
    const auto it = counts.find(op);
    return it == counts.end() ? 0 : it->second;
}

// The first blob of a layer as the caffemodel stores it.
Floats storedBlob(const std::string& caffemodel, const std::string& layer, int blob) {
    caffe::NetParameter net;
    if (net.ParseFromString(qf::readFile(caffemodel)))
        for (const auto& entry : net.layer())
            if (entry.name() == layer && blob < entry.blobs_size())
                return Floats(entry.blobs(blob).data().begin(), entry.blobs(blob).data().end());
    QTest::qFail(("no blob " + std::to_string(blob) + " of " + layer + " in " + caffemodel).c_str(),
                 __FILE__, __LINE__);
    return {};
}

}  // namespace

class TestCaffeFormat : public QObject {
    Q_OBJECT

private slots:
    void caffeTypesNamedLikeOnnxOpsStayUnknown() {
        // Caffe's Exp (base/scale/shift) and Slice (splits into tops) mean something else than
        // the IR's Exp and Slice: they must load as unknown layers, not run those kernels.
        QTemporaryDir dir;
        const std::string prototxt = dir.filePath("net.prototxt").toStdString();
        qf::writeFileAtomically(prototxt, R"(name: "clash"
input: "data"
input_shape { dim: 1 dim: 4 dim: 2 dim: 2 }
layer { name: "e" type: "Exp" bottom: "data" top: "e" exp_param { base: 2 scale: 3 } }
layer { name: "s" type: "Slice" bottom: "e" top: "a" top: "b" slice_param { axis: 1 slice_point: 1 } }
)");
        const qf::Graph graph = qf::importCaffe(prototxt, "");
        QCOMPARE(graph.nodes.size(), size_t{2});
        QCOMPARE(graph.nodes[0].op, std::string("Caffe.Exp"));
        QCOMPARE(graph.nodes[1].op, std::string("Caffe.Slice"));
        const std::string copy = dir.filePath("copy.prototxt").toStdString();
        const std::string weights = dir.filePath("copy.caffemodel").toStdString();
        qf::exportCaffe(graph, copy, weights);
        const std::string written = qf::readFile(copy);
        QVERIFY2(written.find("type: \"Exp\"") != std::string::npos, written.c_str());
        QVERIFY2(written.find("slice_point: 1") != std::string::npos, written.c_str());
        QCOMPARE(qf::importCaffe(copy, "").nodes[1].op, std::string("Caffe.Slice"));
    }

    void importsLayersAttributesAndInPlaceNames();
    void importsV1Layers();
    void roundTripKeepsTextAndWeights();
    void passEditsAreWrittenBack();
    void mapsForkAndMiscLayers();
    void unknownLayerSurvivesRoundTrip();
    void nanWeightsLoad();
    void refusesBatchNormWithChangedScale();
    void truncatedCaffemodelNamesFile();
    void prototxtSyntaxErrorNamesLine();
    void deepNestingIsRefused();
    void blobShapeMismatchNamesLayer();
    void missingWeightsNameLayer();
    void resnet20RoundTrip();
    void retinafaceRoundTrip();
};

void TestCaffeFormat::importsLayersAttributesAndInPlaceNames() {
    QTemporaryDir dir;
    const std::string prototxt = writeFile(dir, "tiny.prototxt", kTinyPrototxt);
    const std::string model = writeModel(dir, "tiny.caffemodel", tinyWeights());
    const Graph graph = load(prototxt, model);

    QCOMPARE(graph.format, std::string("caffe"));
    QCOMPARE(graph.name, std::string("tiny"));
    QCOMPARE(graph.nodes.size(), size_t{6});
    QCOMPARE(names(graph.inputs), Names{"data"});
    QCOMPARE(graph.inputs[0].shape, (Shape{1, 3, 8, 8}));
    QCOMPARE(names(graph.outputs), Names{"fc"});

    const Node& conv = nodeNamed(graph, "conv1");
    QCOMPARE(conv.op, std::string("Conv"));
    QCOMPARE(conv.inputs, (Names{"data", "conv1$0"}));
    QCOMPARE(conv.outputs, Names{"conv1@conv1"});
    QCOMPARE(conv.attrInts("kernel_shape"), (Ints{3, 1}));
    QCOMPARE(conv.attrInts("strides"), (Ints{2, 1}));
    QCOMPARE(conv.attrInts("pads"), (Ints{1, 0, 1, 0}));
    QCOMPARE(conv.attrInts("dilations"), (Ints{1, 1}));
    QCOMPARE(conv.attrInt("group", -1), int64_t{1});
    QCOMPARE(weightNamed(graph, "conv1$0").shape, (Shape{4, 3, 3, 1}));
    QVERIFY(conv.source.rfind("layer {", 0) == 0);
    QVERIFY(conv.source.back() == '}');
    QVERIFY(contains(conv.source, "stride_w: 1"));
    QVERIFY(!contains(conv.source, "comment"));

    // In-place chain: each write but the last is renamed after its writer.
    const Node& bn = nodeNamed(graph, "bn1");
    QCOMPARE(bn.op, std::string("BatchNormalization"));
    QCOMPARE(bn.inputs, (Names{"conv1@conv1", "bn1$scale", "bn1$bias", "bn1$0", "bn1$1"}));
    QCOMPARE(bn.outputs, Names{"conv1@bn1"});
    QCOMPARE(bn.attrFloat("epsilon", 0), 0.001f);
    QCOMPARE(weightNamed(graph, "bn1$0").f, (Floats{1, 2, 3, 4}));  // sums / scale factor 2
    QCOMPARE(weightNamed(graph, "bn1$1").f, (Floats{0.5f, 1.5f, 2.5f, 3.5f}));
    QCOMPARE(weightNamed(graph, "bn1$scale").f, (Floats{1, 1, 1, 1}));
    QCOMPARE(weightNamed(graph, "bn1$bias").f, (Floats{0, 0, 0, 0}));
    QCOMPARE(weightNamed(graph, "bn1$0").shape, Shape{4});

    const Node& scale = nodeNamed(graph, "scale1");
    QCOMPARE(scale.op, std::string("Scale"));
    QCOMPARE(scale.inputs, (Names{"conv1@bn1", "scale1$0", "scale1$1"}));
    QCOMPARE(scale.outputs, Names{"conv1@scale1"});
    QCOMPARE(scale.attrInt("axis", -1), int64_t{1});
    QCOMPARE(scale.attrInt("num_axes", -1), int64_t{1});
    QCOMPARE(scale.attrInt("bias_term", -1), int64_t{1});

    const Node& relu = nodeNamed(graph, "relu1");
    QCOMPARE(relu.op, std::string("Relu"));
    QCOMPARE(relu.inputs, Names{"conv1@scale1"});
    QCOMPARE(relu.outputs, Names{"conv1"});  // the last write keeps the blob's name
    QCOMPARE(graph.sourceInfo.at("blob:conv1@bn1"), std::string("conv1"));

    const Node& pool = nodeNamed(graph, "pool1");
    QCOMPARE(pool.op, std::string("MaxPool"));
    QCOMPARE(pool.inputs, Names{"conv1"});
    QCOMPARE(pool.attrInts("kernel_shape"), (Ints{2, 2}));
    QCOMPARE(pool.attrInts("strides"), (Ints{2, 2}));
    QCOMPARE(pool.attrInts("pads"), (Ints{0, 0, 0, 0}));
    QCOMPARE(pool.attrInt("ceil_mode", 0), int64_t{1});
    QVERIFY(!pool.has("count_include_pad"));  // ONNX has it on AveragePool only

    const Node& fc = nodeNamed(graph, "fc");
    QCOMPARE(fc.op, std::string("Gemm"));
    QCOMPARE(fc.inputs, (Names{"pool1", "fc$0", "fc$1"}));
    QCOMPARE(fc.attrInt("transB", -1), int64_t{1});
    QCOMPARE(fc.attrInt("axis", -1), int64_t{1});
    QCOMPARE(weightNamed(graph, "fc$0").shape, (Shape{5, 32}));
    QCOMPARE(weightNamed(graph, "fc$1").f, (Floats{1, 2, 3, 4, 5}));
    QVERIFY(!graph.isWeight("loss_helper$0"));  // a training layer the prototxt lacks
}

void TestCaffeFormat::importsV1Layers() {
    QTemporaryDir dir;
    // Legacy num/channels/height/width blobs, padded with leading 1s as old Caffe wrote them.
    caffe::NetParameter v1Model;
    v1Model.set_name("v1net");
    const auto legacyBlob = [](caffe::V1LayerParameter* layer, int n, int c, int h, int w) {
        auto* blob = layer->add_blobs();
        blob->set_num(n);
        blob->set_channels(c);
        blob->set_height(h);
        blob->set_width(w);
        for (int k = 0; k < n * c * h * w; ++k) blob->add_data(0.25f * static_cast<float>(k));
    };
    auto* conv = v1Model.add_layers();
    conv->set_name("conv");
    conv->set_type(caffe::V1LayerParameter::CONVOLUTION);
    legacyBlob(conv, 3, 2, 3, 3);
    legacyBlob(conv, 1, 1, 1, 3);
    auto* ip = v1Model.add_layers();
    ip->set_name("ip");
    ip->set_type(caffe::V1LayerParameter::INNER_PRODUCT);
    legacyBlob(ip, 1, 1, 2, 48);
    legacyBlob(ip, 1, 1, 1, 2);
    const std::string model = writeModel(dir, "v1.caffemodel", v1Model);

    const std::string v1Prototxt = writeFile(dir, "v1.prototxt", R"(name: "v1net"
input: "data"
input_dim: 1
input_dim: 2
input_dim: 4
input_dim: 4
layers { name: "conv" type: CONVOLUTION bottom: "data" top: "conv"
  convolution_param { num_output: 3 kernel_size: 3 pad: 1 } }
layers { name: "relu" type: RELU bottom: "conv" top: "conv" }
layers { name: "ip" type: INNER_PRODUCT bottom: "conv" top: "ip"
  inner_product_param { num_output: 2 } }
)");
    const std::string newPrototxt = writeFile(dir, "new.prototxt", R"(name: "v1net"
layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 1 dim: 2 dim: 4 dim: 4 } } }
layer { name: "conv" type: "Convolution" bottom: "data" top: "conv"
  convolution_param { num_output: 3 kernel_size: 3 pad: 1 } }
layer { name: "relu" type: "ReLU" bottom: "conv" top: "conv" }
layer { name: "ip" type: "InnerProduct" bottom: "conv" top: "ip"
  inner_product_param { num_output: 2 } }
)");
    for (const std::string& prototxt : {v1Prototxt, newPrototxt}) {
        const Graph graph = load(prototxt, model);
        QCOMPARE(graph.nodes.size(), size_t{3});
        QCOMPARE(nodeNamed(graph, "conv").op, std::string("Conv"));
        QCOMPARE(nodeNamed(graph, "conv").attrInts("pads"), (Ints{1, 1, 1, 1}));
        QCOMPARE(nodeNamed(graph, "relu").op, std::string("Relu"));
        QCOMPARE(nodeNamed(graph, "ip").op, std::string("Gemm"));
        QCOMPARE(nodeNamed(graph, "ip").inputs, (Names{"conv", "ip$0", "ip$1"}));
        QCOMPARE(weightNamed(graph, "conv$0").shape, (Shape{3, 2, 3, 3}));
        QCOMPARE(weightNamed(graph, "conv$1").shape, Shape{3});
        QCOMPARE(weightNamed(graph, "ip$0").shape, (Shape{2, 48}));
        QCOMPARE(weightNamed(graph, "ip$0").f.size(), size_t{96});
        QCOMPARE(weightNamed(graph, "ip$0").f[5], 1.25f);
        QCOMPARE(weightNamed(graph, "ip$1").shape, Shape{2});
        QCOMPARE(graph.inputs.size(), size_t{1});
        QCOMPARE(graph.inputs[0].shape, (Shape{1, 2, 4, 4}));
        roundTrip(graph, dir, "again");
    }
    // The V1 prototxt comes back as V1 text (a caffemodel is always written in today's form).
    const Graph v1Graph = load(v1Prototxt, model);
    QCOMPARE(v1Graph.sourceInfo.at("caffe.layers"), std::string("v1"));
    QVERIFY(save(v1Graph, dir.filePath("v1out.prototxt").toStdString(),
                 dir.filePath("v1out.caffemodel").toStdString()));
    QCOMPARE(qf::readFile(dir.filePath("v1out.prototxt").toStdString()), qf::readFile(v1Prototxt));
}

void TestCaffeFormat::roundTripKeepsTextAndWeights() {
    QTemporaryDir dir;
    const std::string prototxt = writeFile(dir, "tiny.prototxt", kTinyPrototxt);
    const std::string model = writeModel(dir, "tiny.caffemodel", tinyWeights());
    const Graph graph = load(prototxt, model);
    roundTrip(graph, dir, "out");
    // Nothing changed, so every layer is written back as it was: the same file (only the
    // comment between layers moves to the header).
    const std::string written = qf::readFile(dir.filePath("out.prototxt").toStdString());
    std::string original = kTinyPrototxt;
    const std::string comment = "# a comment with } and { that must not end a block\n";
    original.erase(original.find(comment), comment.size());
    QVERIFY(written.rfind(comment, 0) == std::string::npos);
    QVERIFY(contains(written, comment));
    std::string withoutComment = written;
    withoutComment.erase(withoutComment.find(comment), comment.size());
    QCOMPARE(withoutComment, original);
    // BatchNorm statistics go back already divided, with a scale factor of 1.
    const std::string outModel = dir.filePath("out.caffemodel").toStdString();
    QCOMPARE(storedBlob(outModel, "bn1", 0), (Floats{1, 2, 3, 4}));
    QCOMPARE(storedBlob(outModel, "bn1", 2), Floats{1});
}

void TestCaffeFormat::passEditsAreWrittenBack() {
    QTemporaryDir dir;
    const std::string prototxt = writeFile(dir, "tiny.prototxt", kTinyPrototxt);
    const std::string model = writeModel(dir, "tiny.caffemodel", tinyWeights());
    Graph graph = load(prototxt, model);

    // What a BatchNorm fold does: the conv gains a bias, BatchNorm and Scale disappear.
    graph.weights.set("conv1$1", qf::Tensor::floats({4}, {0.5f, -0.25f, 0.125f, 1e-3f}));
    graph.nodes[static_cast<size_t>(graph.nodeIndex("conv1"))].inputs.push_back("conv1$1");
    graph.nodes.erase(graph.nodes.begin() + graph.nodeIndex("bn1"));
    graph.nodes.erase(graph.nodes.begin() + graph.nodeIndex("scale1"));
    graph.nodes[static_cast<size_t>(graph.nodeIndex("relu1"))].inputs = {"conv1@conv1"};
    graph.removeUnusedWeights();
    // A node a pass created, without prototxt text.
    Node sigmoid;
    sigmoid.name = "fc_sigmoid";
    sigmoid.op = "Sigmoid";
    sigmoid.inputs = {"fc"};
    sigmoid.outputs = {"prob"};
    graph.nodes.push_back(sigmoid);
    graph.outputs = {qf::ValueInfo{"prob", {}}};

    const Graph again = roundTrip(graph, dir, "folded");
    const std::string written = qf::readFile(dir.filePath("folded.prototxt").toStdString());
    QVERIFY(!contains(written, "BatchNorm"));
    QVERIFY(contains(written, "bias_term: true"));
    QVERIFY(!contains(written, "bias_term: false\n    kernel_h"));
    QVERIFY(contains(written, "fork_note: \"a } in a string\""));  // relu1 untouched
    QVERIFY(contains(written, "type: \"Sigmoid\""));
    QCOMPARE(nodeNamed(again, "conv1").inputs, (Names{"data", "conv1$0", "conv1$1"}));
    QCOMPARE(nodeNamed(again, "conv1").outputs, Names{"conv1@conv1"});
    QCOMPARE(nodeNamed(again, "relu1").outputs, Names{"conv1"});
    QCOMPARE(weightNamed(again, "conv1$1").f, (Floats{0.5f, -0.25f, 0.125f, 1e-3f}));

    // A reader of an earlier value of an in-place blob: that value needs its own blob name.
    Graph rewired = load(prototxt, model);
    Node late;
    late.name = "late_sigmoid";
    late.op = "Sigmoid";
    late.inputs = {"conv1@bn1"};
    late.outputs = {"late"};
    rewired.nodes.push_back(late);
    rewired.outputs.push_back(qf::ValueInfo{"late", {}});
    roundTrip(rewired, dir, "rewired");
    const std::string rewiredText = qf::readFile(dir.filePath("rewired.prototxt").toStdString());
    QVERIFY(contains(rewiredText, "top: \"conv1@bn1\""));
}

void TestCaffeFormat::mapsForkAndMiscLayers() {
    QTemporaryDir dir;
    const std::string prototxt = writeFile(dir, "misc.prototxt", R"(name: "misc"
layer { name: "in" type: "Input" top: "data" top: "ref"
  input_param { shape { dim: 1 dim: 3 dim: 6 dim: 6 } } }
layer { name: "split" type: "Split" bottom: "data" top: "d1" top: "d2" }
layer { name: "relu6" type: "ReLU6" bottom: "d1" top: "r6" }
layer { name: "clip" type: "Clip" bottom: "d2" top: "c" clip_param { min: -1 max: 1.5 } }
layer { name: "leaky" type: "ReLU" bottom: "c" top: "c" relu_param { negative_slope: 0.1 } }
layer { name: "prelu" type: "PReLU" bottom: "c" top: "p" }
layer { name: "prod" type: "Eltwise" bottom: "r6" bottom: "p" top: "e"
  eltwise_param { operation: PROD } }
layer { name: "sum" type: "Eltwise" bottom: "e" bottom: "p" top: "s"
  eltwise_param { coeff: 1 coeff: -1 } }
layer { name: "cat" type: "Concat" bottom: "s" bottom: "e" top: "cat" concat_param { concat_dim: 1 } }
layer { name: "deconv" type: "Deconvolution" bottom: "cat" top: "up"
  convolution_param { num_output: 6 kernel_size: 4 stride: 2 pad: 1 group: 6 bias_term: false } }
layer { name: "crop" type: "Crop" bottom: "up" bottom: "ref" top: "crop" crop_param { axis: 2 offset: 1 } }
layer { name: "gap" type: "Pooling" bottom: "crop" top: "gap" pooling_param { pool: AVE global_pooling: true } }
layer { name: "avg" type: "Pooling" bottom: "crop" top: "avg"
  pooling_param { pool: AVE kernel_size: 3 stride: 2 pad: 1 } }
layer { name: "perm" type: "Permute" bottom: "avg" top: "perm" permute_param { order: 0 order: 2 order: 3 order: 1 } }
layer { name: "flat" type: "Flatten" bottom: "perm" top: "flat" }
layer { name: "reshape" type: "Reshape" bottom: "flat" top: "rs"
  reshape_param { shape { dim: 2 dim: -1 } axis: 1 } }
layer { name: "power" type: "Power" bottom: "rs" top: "pw" power_param { power: 2 scale: 0.5 shift: 1 } }
layer { name: "tanh" type: "TanH" bottom: "pw" top: "th" }
layer { name: "sig" type: "Sigmoid" bottom: "th" top: "sg" }
layer { name: "drop" type: "Dropout" bottom: "sg" top: "sg" }
layer { name: "softmax" type: "Softmax" bottom: "sg" top: "prob" softmax_param { axis: 2 } }
)");
    caffe::NetParameter weights;
    addBlob(addLayer(weights, "prelu", "PReLU"), {3}, {0.1f, 0.2f, 0.3f});
    addBlob(addLayer(weights, "deconv", "Deconvolution"), {6, 1, 4, 4}, ramp(96, 0, 0.5f));
    const std::string model = writeModel(dir, "misc.caffemodel", weights);
    const Graph graph = load(prototxt, model);

    QCOMPARE(graph.nodeIndex("split"), -1);  // Caffe's Split is dropped, its tops alias
    QCOMPARE(nodeNamed(graph, "relu6").inputs, Names{"data"});
    QCOMPARE(nodeNamed(graph, "clip").inputs, Names{"data"});
    QCOMPARE(names(graph.inputs), (Names{"data", "ref"}));
    QCOMPARE(graph.inputs[1].shape, (Shape{1, 3, 6, 6}));

    const Node& relu6 = nodeNamed(graph, "relu6");
    QCOMPARE(relu6.op, std::string("Clip"));
    QCOMPARE(relu6.attrFloat("min", -1), 0.0f);
    QCOMPARE(relu6.attrFloat("max", -1), 6.0f);
    const Node& clip = nodeNamed(graph, "clip");
    QCOMPARE(clip.op, std::string("Clip"));
    QCOMPARE(clip.attrFloat("min", 0), -1.0f);
    QCOMPARE(clip.attrFloat("max", 0), 1.5f);
    QCOMPARE(nodeNamed(graph, "leaky").op, std::string("LeakyRelu"));
    QCOMPARE(nodeNamed(graph, "leaky").attrFloat("alpha", 0), 0.1f);
    QCOMPARE(nodeNamed(graph, "prelu").op, std::string("PRelu"));
    QCOMPARE(weightNamed(graph, "prelu$0").shape, (Shape{3, 1, 1}));
    QCOMPARE(nodeNamed(graph, "prod").attrInt("operation", -1), int64_t{0});
    QCOMPARE(nodeNamed(graph, "sum").attrInt("operation", -1), int64_t{1});
    QCOMPARE(nodeNamed(graph, "sum").attrFloats("coeffs"), (Floats{1, -1}));
    QCOMPARE(nodeNamed(graph, "cat").attrInt("axis", -1), int64_t{1});
    const Node& deconv = nodeNamed(graph, "deconv");
    QCOMPARE(deconv.op, std::string("ConvTranspose"));
    QCOMPARE(deconv.attrInt("group", 0), int64_t{6});
    QCOMPARE(deconv.attrInts("pads"), (Ints{1, 1, 1, 1}));
    QCOMPARE(deconv.inputs, (Names{"cat", "deconv$0"}));
    QCOMPARE(nodeNamed(graph, "crop").inputs, (Names{"up", "ref"}));
    QCOMPARE(nodeNamed(graph, "crop").attrInts("offset"), Ints{1});
    QCOMPARE(nodeNamed(graph, "gap").op, std::string("GlobalAveragePool"));
    const Node& avg = nodeNamed(graph, "avg");
    QCOMPARE(avg.op, std::string("AveragePool"));
    QCOMPARE(avg.attrInt("count_include_pad", 0), int64_t{1});
    QCOMPARE(avg.attrInts("pads"), (Ints{1, 1, 1, 1}));
    QCOMPARE(nodeNamed(graph, "perm").op, std::string("Transpose"));
    QCOMPARE(nodeNamed(graph, "perm").attrInts("perm"), (Ints{0, 2, 3, 1}));
    QCOMPARE(nodeNamed(graph, "flat").attrInt("axis", 0), int64_t{1});
    QCOMPARE(nodeNamed(graph, "flat").attrInt("end_axis", 0), int64_t{-1});
    // Reshape from axis 1 on equals copying axis 0 first.
    QCOMPARE(nodeNamed(graph, "reshape").attrInts("shape"), (Ints{0, 2, -1}));
    QVERIFY(!nodeNamed(graph, "reshape").has("axis"));
    QCOMPARE(nodeNamed(graph, "power").attrFloat("scale", 0), 0.5f);
    QCOMPARE(nodeNamed(graph, "power").attrFloat("shift", 0), 1.0f);
    QCOMPARE(nodeNamed(graph, "tanh").op, std::string("Tanh"));
    QCOMPARE(nodeNamed(graph, "drop").outputs, Names{"sg"});
    QCOMPARE(nodeNamed(graph, "sig").outputs, Names{"sg@sig"});
    QCOMPARE(nodeNamed(graph, "softmax").attrInt("axis", 0), int64_t{2});
    QCOMPARE(names(graph.outputs), (Names{"gap", "prob"}));

    roundTrip(graph, dir, "misc_out");
    // Written from the IR, the forked layers keep their parameters.
    Graph edited = graph;
    for (auto& node : edited.nodes) node.source.clear();
    const Graph regenerated = roundTrip(edited, dir, "misc_generated");
    QCOMPARE(nodeNamed(regenerated, "clip").attrFloat("max", 0), 1.5f);
    // A graph from another format: its sources are no prototxt, the header is generated.
    Graph foreign = edited;
    foreign.format = "onnx";
    foreign.source = "\x08\x07 not a prototxt {";
    for (auto& node : foreign.nodes) node.source = std::string("\x0a\x03", 2) + "abc";
    roundTrip(foreign, dir, "misc_foreign");
}

void TestCaffeFormat::unknownLayerSurvivesRoundTrip() {
    QTemporaryDir dir;
    std::string text = kTinyPrototxt;
    text += R"(layer {
  name: "interp"
  type: "Interp"
  bottom: "fc"
  top: "interp"
  interp_param { height: 10 width: 12 }
}
)";
    const std::string prototxt = writeFile(dir, "interp.prototxt", text);
    caffe::NetParameter weights = tinyWeights();
    auto* blob = addLayer(weights, "interp", "Interp")->add_blobs();
    blob->set_num(1);
    blob->set_channels(1);
    blob->set_height(2);
    blob->set_width(3);
    for (const float value : {1.0f, -2.0f, 3.5f, 0.0f, 1e-7f, 42.0f}) blob->add_data(value);
    const std::string model = writeModel(dir, "interp.caffemodel", weights);

    const Graph graph = load(prototxt, model);
    const Node& interp = nodeNamed(graph, "interp");
    QCOMPARE(interp.op, std::string("Interp"));
    QCOMPARE(interp.inputs, (Names{"fc", "interp$0"}));
    QCOMPARE(interp.outputs, Names{"interp"});
    QCOMPARE(weightNamed(graph, "interp$0").shape, (Shape{1, 1, 2, 3}));  // as stored
    QCOMPARE(names(graph.outputs), Names{"interp"});

    // Its bottom changes name in the copy, so its text is edited, not reprinted: the
    // interp_param the schema does not know must survive.
    Graph renamed = graph;
    for (auto& node : renamed.nodes) {
        for (auto& output : node.outputs)
            if (output == "fc") output = "logits";
        for (auto& input : node.inputs)
            if (input == "fc") input = "logits";
    }
    const Graph again = roundTrip(renamed, dir, "interp_out");
    const std::string written = qf::readFile(dir.filePath("interp_out.prototxt").toStdString());
    QVERIFY(contains(written, "interp_param { height: 10 width: 12 }"));
    QVERIFY(contains(written, "  bottom: \"logits\"\n  top: \"interp\"\n"));
    QCOMPARE(weightNamed(again, "interp$0").f, (Floats{1.0f, -2.0f, 3.5f, 0.0f, 1e-7f, 42.0f}));
}

void TestCaffeFormat::nanWeightsLoad() {
    QTemporaryDir dir;
    caffe::NetParameter weights = tinyWeights();
    weights.mutable_layer(1)->mutable_blobs(1)->set_data(2, std::nanf(""));
    const std::string prototxt = writeFile(dir, "tiny.prototxt", kTinyPrototxt);
    const Graph graph = load(prototxt, writeModel(dir, "nan.caffemodel", weights));
    QCOMPARE(weightNamed(graph, "bn1$1").f.size(), size_t{4});
    QVERIFY(std::isnan(weightNamed(graph, "bn1$1").f[2]));
    QCOMPARE(weightNamed(graph, "bn1$1").f[3], 3.5f);
}

void TestCaffeFormat::refusesBatchNormWithChangedScale() {
    QTemporaryDir dir;
    const std::string prototxt = writeFile(dir, "tiny.prototxt", kTinyPrototxt);
    Graph graph = load(prototxt, writeModel(dir, "tiny.caffemodel", tinyWeights()));
    QCOMPARE(weightNamed(graph, "bn1$scale").f.size(), size_t{4});
    graph.weights.mutableTensor("bn1$scale").f[1] = 2.0f;
    const std::string message = errorOf([&] {
        qf::exportCaffe(graph, dir.filePath("o.prototxt").toStdString(),
                        dir.filePath("o.caffemodel").toStdString());
    });
    QVERIFY2(contains(message, "'bn1'"), message.c_str());
    QVERIFY(!QFileInfo::exists(dir.filePath("o.prototxt")));
}

void TestCaffeFormat::truncatedCaffemodelNamesFile() {
    QTemporaryDir dir;
    const std::string prototxt = writeFile(dir, "tiny.prototxt", kTinyPrototxt);
    const std::string bytes = tinyWeights().SerializeAsString();
    const std::string model = writeFile(dir, "half.caffemodel", bytes.substr(0, bytes.size() / 2));
    const std::string message = errorOf([&] { qf::importCaffe(prototxt, model); });
    QVERIFY2(contains(message, model), message.c_str());
}

void TestCaffeFormat::prototxtSyntaxErrorNamesLine() {
    QTemporaryDir dir;
    const std::string prototxt = writeFile(dir, "broken.prototxt", R"(name: "broken"
layer {
  name "conv1"
  type: "Convolution"
}
)");
    const std::string message = errorOf([&] { qf::importCaffe(prototxt, ""); });
    QVERIFY2(message.rfind(prototxt + ":3:", 0) == 0, message.c_str());
}

// 20 000 nested braces in an unknown field overflowed protobuf's recursive text parser (a
// segfault found by probing); a braced string or comment does not count as nesting.
void TestCaffeFormat::deepNestingIsRefused() {
    QTemporaryDir dir;
    std::string deep =
        "name: \"deep\"\nlayer { name: \"d\" type: \"ReLU\" bottom: \"a\" top: \"a\"\n";
    for (int k = 0; k < 20000; ++k) deep += "x { ";
    for (int k = 0; k < 20000; ++k) deep += "} ";
    deep += "}\n";
    const std::string prototxt = writeFile(dir, "deep.prototxt", deep);
    const std::string message = errorOf([&] { qf::importCaffe(prototxt, ""); });
    QVERIFY2(message.rfind(prototxt + ":3:", 0) == 0, message.c_str());
    QVERIFY2(contains(message, "nested deeper than 100 levels"), message.c_str());
    const std::string braces = writeFile(dir, "braces.prototxt", R"(name: "{{{{ # not nesting"
# {{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{
input: "data"
input_shape { dim: 1 dim: 1 dim: 2 dim: 2 }
layer { name: "r" type: "ReLU" bottom: "data" top: "out" }
)");
    QCOMPARE(qf::importCaffe(braces, "").nodes.size(), size_t{1});
}

void TestCaffeFormat::blobShapeMismatchNamesLayer() {
    QTemporaryDir dir;
    const std::string prototxt = writeFile(dir, "tiny.prototxt", kTinyPrototxt);
    // num_output 4, but 8 filters.
    std::string message = errorOf([&] {
        qf::importCaffe(prototxt, writeModel(dir, "outputs.caffemodel", tinyWeights(8, 3)));
    });
    QVERIFY2(contains(message, "'conv1'"), message.c_str());
    QVERIFY2(contains(message, "[8x3x3x1]"), message.c_str());
    QVERIFY2(contains(message, "[4x3x3x1]"), message.c_str());
    // Filters for 2 input channels, but the input has 3.
    message = errorOf([&] {
        qf::importCaffe(prototxt, writeModel(dir, "inputs.caffemodel", tinyWeights(4, 2)));
    });
    QVERIFY2(contains(message, "'conv1'"), message.c_str());
    QVERIFY2(contains(message, "[4x2x3x1]"), message.c_str());
    // A BatchNorm with statistics for 5 channels after a 4-channel conv.
    caffe::NetParameter weights = tinyWeights();
    weights.mutable_layer(1)->mutable_blobs(0)->mutable_shape()->set_dim(0, 5);
    weights.mutable_layer(1)->mutable_blobs(0)->add_data(1.0f);
    message =
        errorOf([&] { qf::importCaffe(prototxt, writeModel(dir, "bn.caffemodel", weights)); });
    QVERIFY2(contains(message, "'bn1' (BatchNorm)"), message.c_str());
    QVERIFY2(contains(message, "[5]"), message.c_str());
}

void TestCaffeFormat::missingWeightsNameLayer() {
    QTemporaryDir dir;
    const std::string prototxt = writeFile(dir, "tiny.prototxt", kTinyPrototxt);
    caffe::NetParameter weights = tinyWeights();
    weights.mutable_layer()->DeleteSubrange(0, 1);  // conv1
    const std::string model = writeModel(dir, "noconv.caffemodel", weights);
    const std::string message = errorOf([&] { qf::importCaffe(prototxt, model); });
    QVERIFY2(contains(message, "layer 'conv1' (Convolution): no weights in " + model),
             message.c_str());
}

void TestCaffeFormat::resnet20RoundTrip() {
    QF_SHARED(prototxt, "cifar10/resnet20/resnet20_cifar10_deploy.prototxt");
    QF_SHARED(model, "cifar10/resnet20/resnet20_cifar10.caffemodel");
    const Graph graph = load(prototxt, model);
    // The prototxt: 90 layers, the Input layer is no node.
    QCOMPARE(graph.nodes.size(), size_t{89});
    QCOMPARE(count(graph, "Conv"), 21);
    QCOMPARE(count(graph, "BatchNormalization"), 19);
    QCOMPARE(count(graph, "Scale"), 19);
    QCOMPARE(count(graph, "Relu"), 19);
    QCOMPARE(count(graph, "Eltwise"), 9);
    QCOMPARE(count(graph, "GlobalAveragePool"), 1);
    QCOMPARE(count(graph, "Gemm"), 1);
    QCOMPARE(names(graph.inputs), Names{"data"});
    QCOMPARE(graph.inputs[0].shape, (Shape{1, 3, 32, 32}));
    QCOMPARE(names(graph.outputs), Names{"fc"});
    QCOMPARE(weightNamed(graph, "fc$0").shape, (Shape{10, 64}));

    // The statistics are the stored sums times 1 / scale factor.
    const Floats sums = storedBlob(model, "conv1_bn", 0);
    const float factor = storedBlob(model, "conv1_bn", 2)[0];
    const Floats& mean = weightNamed(graph, "conv1_bn$0").f;
    QCOMPARE(mean.size(), size_t{16});
    for (size_t k = 0; k < mean.size(); ++k) QCOMPARE(mean[k], sums[k] * (1.0f / factor));

    QTemporaryDir dir;
    roundTrip(graph, dir, "resnet20");
    QCOMPARE(qf::readFile(dir.filePath("resnet20.prototxt").toStdString()), qf::readFile(prototxt));

    // Without a caffemodel: the structure only, nodes read no weights.
    const Graph structure = load(prototxt, "");
    QCOMPARE(structure.nodes.size(), size_t{89});
    QVERIFY(structure.weights.empty());
    QCOMPARE(nodeNamed(structure, "conv1").inputs, Names{"data"});
}

void TestCaffeFormat::retinafaceRoundTrip() {
    QF_SHARED(prototxt, "faces/retinaface_mnet25/mnet25.prototxt");
    QF_SHARED(model, "faces/retinaface_mnet25/mnet25.caffemodel");
    const Graph graph = load(prototxt, model);
    QCOMPARE(count(graph, "Conv"), 56);
    QCOMPARE(count(graph, "BatchNormalization"), 47);
    QCOMPARE(count(graph, "Scale"), 47);
    QCOMPARE(count(graph, "Relu"), 41);
    QCOMPARE(count(graph, "ConvTranspose"), 2);
    QCOMPARE(count(graph, "Crop"), 2);
    QCOMPARE(count(graph, "Eltwise"), 2);
    QCOMPARE(count(graph, "Concat"), 3);
    QCOMPARE(count(graph, "Reshape"), 6);
    QCOMPARE(count(graph, "Softmax"), 3);
    QCOMPARE(graph.inputs[0].shape, (Shape{1, 3, 416, 288}));

    // eps is read per layer: most are 1e-5, the context modules' 2e-5.
    QCOMPARE(nodeNamed(graph, "mobilenet0_batchnorm0_fwd").attrFloat("epsilon", 0), 1e-5f);
    QCOMPARE(nodeNamed(graph, "rf_c3_lateral_bn").attrFloat("epsilon", 0), 2e-5f);
    QCOMPARE(nodeNamed(graph, "rf_c3_det_conv1_bn").attrFloat("epsilon", 0), 2e-5f);
    const Node& depthwise = nodeNamed(graph, "mobilenet0_conv1_fwd");
    QCOMPARE(depthwise.attrInt("group", 0), int64_t{8});
    QCOMPARE(weightNamed(graph, depthwise.input(1)).shape, (Shape{8, 1, 3, 3}));
    const Node& upsampling = nodeNamed(graph, "rf_c3_upsampling");
    QCOMPARE(upsampling.attrInts("kernel_shape"), (Ints{4, 4}));
    QCOMPARE(upsampling.attrInts("strides"), (Ints{2, 2}));
    QCOMPARE(upsampling.attrInt("group", 0), int64_t{64});
    QCOMPARE(nodeNamed(graph, "crop0").attrInt("axis", 0), int64_t{1});
    QCOMPARE(nodeNamed(graph, "crop0").attrInts("offset"), (Ints{0, 0, 0}));

    Names outputs = names(graph.outputs);
    std::sort(outputs.begin(), outputs.end());
    Names expected;
    for (const char* kind : {"cls_prob_reshape", "bbox_pred", "landmark_pred"})
        for (const char* stride : {"8", "16", "32"})
            expected.push_back(std::string("face_rpn_") + kind + "_stride" + stride);
    std::sort(expected.begin(), expected.end());
    QCOMPARE(outputs, expected);

    QTemporaryDir dir;
    roundTrip(graph, dir, "retinaface");
}

QTEST_GUILESS_MAIN(TestCaffeFormat)
#include "test_caffe_format.moc"

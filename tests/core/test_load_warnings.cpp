// Loading reports what deserves a look as data (qf::Diagnostic): Caffe layers dropped by their
// TEST-phase rules, layers and ops the runtime cannot execute, prototxt fields the schema lacks
// or the importer does not read, ONNX attributes no kernel reads; and errors carry the file,
// line and node as fields.
#include <onnx/onnx_pb.h>

#include <QtTest>
#include <algorithm>

#include "caffe.pb.h"
#include "formats/caffe/caffe_exporter.h"
#include "formats/model_io.h"
#include "formats/onnx/onnx_importer.h"
#include "test_support.h"
#include "util/atomic_file.h"
#include "util/error.h"
#include "workflows/model_loading.h"

namespace {

// Layers 'label' and 'acc' (in place on 'data') belong to training only; 'test_relu' only to TEST;
// 'staged' needs a stage the deploy state lacks. Line numbers matter: the warnings name them.
const char* const kPhasedPrototxt = R"(name: "phased"
layer {
  name: "data"
  type: "Input"
  top: "data"
  input_param { shape { dim: 1 dim: 2 dim: 3 dim: 3 } }
}
layer {
  name: "label"
  type: "Data"
  top: "label"
  include { phase: TRAIN }
}
layer {
  name: "relu"
  type: "ReLU"
  bottom: "data"
  top: "data"
}
layer {
  name: "acc"
  type: "Accuracy"
  bottom: "data"
  bottom: "label"
  top: "data"
  exclude { phase: TEST }
}
layer {
  name: "test_relu"
  type: "ReLU"
  bottom: "data"
  top: "out"
  include { phase: TEST }
}
layer {
  name: "staged"
  type: "ReLU"
  bottom: "out"
  top: "staged_out"
  include { phase: TEST stage: "deploy_extra" }
}
)";

std::string writeText(const QTemporaryDir& dir, const std::string& name, const std::string& text) {
    const std::string path = dir.filePath(QString::fromStdString(name)).toStdString();
    qf::writeFileAtomically(path, text);
    return path;
}

// Loads recording a failure instead of throwing (Qt 6.4 aborts the run on an escaped exception).
qf::Graph load(const std::string& model, qf::Diagnostics& warnings,
               const std::string& weights = "") {
    try {
        return qf::loadModel(model, weights, &warnings);
    } catch (const qf::Error& error) {
        QTest::qFail(error.what(), __FILE__, __LINE__);
        return {};
    }
}

// The diagnostic of the qf::Error an action throws (message "no error" when it throws none).
qf::Diagnostic diagnosticOf(const std::function<void()>& action) {
    try {
        action();
    } catch (const qf::Error& error) {
        return error.diagnostic();
    }
    qf::Diagnostic none;
    none.message = "no error";
    return none;
}

const qf::Diagnostic* warningFor(const qf::Diagnostics& warnings, const std::string& node) {
    for (const auto& warning : warnings)
        if (warning.node == node) return &warning;
    return nullptr;
}

bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

std::string allText(const qf::Diagnostics& warnings) {
    std::string text;
    for (const auto& warning : warnings) text += warning.text() + "\n";
    return text;
}

onnx::NodeProto* addNode(onnx::GraphProto* graph, const std::string& name, const std::string& op,
                         std::vector<std::string> inputs, std::vector<std::string> outputs) {
    auto* node = graph->add_node();
    node->set_name(name);
    node->set_op_type(op);
    for (const auto& input : inputs) node->add_input(input);
    for (const auto& output : outputs) node->add_output(output);
    return node;
}

void addIntAttribute(onnx::NodeProto* node, const std::string& name, int64_t value) {
    auto* attr = node->add_attribute();
    attr->set_name(name);
    attr->set_type(onnx::AttributeProto::INT);
    attr->set_i(value);
}

void addFloatAttribute(onnx::NodeProto* node, const std::string& name, float value) {
    auto* attr = node->add_attribute();
    attr->set_name(name);
    attr->set_type(onnx::AttributeProto::FLOAT);
    attr->set_f(value);
}

void addInitializer(onnx::GraphProto* graph, const std::string& name, std::vector<int64_t> dims,
                    float value) {
    auto* init = graph->add_initializer();
    init->set_name(name);
    init->set_data_type(onnx::TensorProto::FLOAT);
    int64_t count = 1;
    for (const int64_t d : dims) {
        init->add_dims(d);
        count *= d;
    }
    for (int64_t k = 0; k < count; ++k) init->add_float_data(value);
}

// x [1,2,4,4] -> Relu (with an attribute Relu lacks) -> MaxPool (storage_order: ignored on
// purpose) -> BatchNormalization (momentum: training only) -> com.example.Fancy -> y.
onnx::ModelProto onnxModel() {
    onnx::ModelProto model;
    model.set_ir_version(7);
    model.add_opset_import()->set_version(13);
    auto* graph = model.mutable_graph();
    graph->set_name("warned");
    auto* input = graph->add_input();
    input->set_name("x");
    auto* type = input->mutable_type()->mutable_tensor_type();
    type->set_elem_type(onnx::TensorProto::FLOAT);
    for (const int64_t d : {1, 2, 4, 4}) type->mutable_shape()->add_dim()->set_dim_value(d);
    graph->add_output()->set_name("y");
    addIntAttribute(addNode(graph, "relu", "Relu", {"x"}, {"r"}), "inplace", 1);
    auto* pool = addNode(graph, "pool", "MaxPool", {"r"}, {"p"});
    auto* kernel = pool->add_attribute();
    kernel->set_name("kernel_shape");
    kernel->set_type(onnx::AttributeProto::INTS);
    kernel->add_ints(2);
    kernel->add_ints(2);
    addIntAttribute(pool, "storage_order", 0);
    for (const char* name : {"g", "b", "m", "v"}) addInitializer(graph, name, {2}, 1.0f);
    auto* bn = addNode(graph, "bn", "BatchNormalization", {"p", "g", "b", "m", "v"}, {"n"});
    addFloatAttribute(bn, "epsilon", 1e-5f);
    addFloatAttribute(bn, "momentum", 0.9f);
    addFloatAttribute(bn, "gain", 2.0f);  // no BatchNormalization has one
    auto* fancy = addNode(graph, "mystery", "Fancy", {"n"}, {"y"});
    fancy->set_domain("com.example");
    addFloatAttribute(fancy, "strength", 0.5f);
    return model;
}

}  // namespace

class TestLoadWarnings : public QObject {
    Q_OBJECT

private slots:
    void caffeDropsLayersLeftOutOfTheTestPhase() {
        QTemporaryDir dir;
        const std::string path = writeText(dir, "phased.prototxt", kPhasedPrototxt);
        qf::Diagnostics warnings;
        const qf::Graph graph = load(path, warnings);
        std::vector<std::string> nodes;
        for (const auto& node : graph.nodes) nodes.push_back(node.name);
        QCOMPARE(nodes, (std::vector<std::string>{"relu", "test_relu"}));
        // In-place naming counts only the kept writers: with 'acc' (writing 'data' in place)
        // dropped, relu is the last writer of 'data' and its output keeps the blob's name.
        QCOMPARE(graph.nodes[0].outputs, std::vector<std::string>{"data"});
        QCOMPARE(graph.outputs.size(), size_t{1});
        QCOMPARE(graph.outputs[0].name, std::string("out"));

        QCOMPARE(warnings.size(), size_t{3});
        const qf::Diagnostic* label = warningFor(warnings, "label");
        QVERIFY(label != nullptr);
        QCOMPARE(label->severity, qf::Severity::Warning);
        QCOMPARE(label->file, path);
        QCOMPARE(label->line, 8);
        QVERIFY2(contains(label->message, "include { phase: TRAIN }"), label->message.c_str());
        const qf::Diagnostic* acc = warningFor(warnings, "acc");
        QVERIFY(acc != nullptr);
        QCOMPARE(acc->line, 20);
        QVERIFY2(contains(acc->message, "exclude { phase: TEST }"), acc->message.c_str());
        const qf::Diagnostic* staged = warningFor(warnings, "staged");
        QVERIFY(staged != nullptr);
        QVERIFY2(contains(staged->message, "stage: \"deploy_extra\""), staged->message.c_str());
        QVERIFY(warningFor(warnings, "test_relu") == nullptr);
        QVERIFY2(contains(label->text(), path + ":8:1: node 'label': "), label->text().c_str());

        // Written back, the dropped layers are still in the file.
        const std::string copy = dir.filePath("copy.prototxt").toStdString();
        try {
            qf::exportCaffe(graph, copy, dir.filePath("copy.caffemodel").toStdString());
        } catch (const qf::Error& error) {
            QFAIL(error.what());
        }
        const std::string written = qf::readFile(copy);
        for (const char* name : {"\"label\"", "\"acc\"", "\"staged\"", "\"test_relu\""})
            QVERIFY2(contains(written, name), name);
        qf::Diagnostics again;
        QCOMPARE(load(copy, again).nodes.size(), graph.nodes.size());
        QCOMPARE(again.size(), size_t{3});
    }

    void caffeNetStateStagesCount() {
        // The net's own state names the stage: the staged layer stays.
        QTemporaryDir dir;
        const std::string path =
            writeText(dir, "staged.prototxt",
                      std::string(kPhasedPrototxt) + "state { stage: \"deploy_extra\" }\n");
        qf::Diagnostics warnings;
        const qf::Graph graph = load(path, warnings);
        QVERIFY(graph.nodeIndex("staged") >= 0);
        QVERIFY(warningFor(warnings, "staged") == nullptr);
        QCOMPARE(warnings.size(), size_t{2});
    }

    void caffeWarnsAboutUnsupportedLayersAndUnknownFields() {
        QTemporaryDir dir;
        const std::string path = writeText(dir, "fork.prototxt", R"(name: "fork"
input: "data"
input_shape { dim: 1 dim: 2 dim: 3 dim: 3 }
layer {
  name: "relu"
  type: "ReLU"
  bottom: "data"
  top: "r"
  fork_note: "not in the schema"
}
layer {
  name: "clip"
  type: "Clip"
  bottom: "r"
  top: "c"
  clip_param { min: 0 max: 2 }
}
layer {
  name: "magic"
  type: "Magic"
  bottom: "c"
  top: "m"
}
layer {
  name: "exp"
  type: "Exp"
  bottom: "m"
  top: "e"
}
)");
        qf::Diagnostics warnings;
        const qf::Graph graph = load(path, warnings);
        QCOMPARE(graph.nodes.size(), size_t{4});
        const std::string text = allText(warnings);
        QCOMPARE(warnings.size(), size_t{3});
        const qf::Diagnostic* relu = warningFor(warnings, "relu");
        QVERIFY2(relu && contains(relu->message, "'fork_note'") && relu->line == 9, text.c_str());
        QVERIFY2(relu->column > 0, text.c_str());
        QVERIFY2(warningFor(warnings, "clip") == nullptr, text.c_str());  // read from the text
        const qf::Diagnostic* magic = warningFor(warnings, "magic");
        QVERIFY2(magic && contains(magic->message, "'Magic'") && magic->line == 18, text.c_str());
        QVERIFY2(contains(magic->message, "not supported"), text.c_str());
        const qf::Diagnostic* exp = warningFor(warnings, "exp");
        QVERIFY2(exp && contains(exp->message, "Caffe.Exp"), text.c_str());
        // In file order.
        QVERIFY(std::is_sorted(
            warnings.begin(), warnings.end(),
            [](const qf::Diagnostic& a, const qf::Diagnostic& b) { return a.line < b.line; }));
    }

    void caffeWarnsAboutParametersItDoesNotRead() {
        QTemporaryDir dir;
        const std::string path = writeText(dir, "params.prototxt", R"(name: "params"
input: "data"
input_shape { dim: 1 dim: 2 dim: 4 dim: 4 }
layer {
  name: "conv1"
  type: "Convolution"
  bottom: "data"
  top: "c1"
  param { lr_mult: 1 }
  convolution_param { num_output: 2 kernel_size: 1 axis: 1 engine: CAFFE
                      weight_filler { type: "xavier" } }
}
layer {
  name: "conv2"
  type: "Convolution"
  bottom: "c1"
  top: "c2"
  convolution_param { num_output: 2 kernel_size: 1 axis: 2 }
  pooling_param { pool: MAX }
}
layer {
  name: "pool"
  type: "Pooling"
  bottom: "c2"
  top: "p"
  pooling_param { pool: MAX kernel_size: 2 stride: 2 engine: CAFFE }
}
)");
        qf::Diagnostics warnings;
        load(path, warnings);
        const std::string text = allText(warnings);
        // conv1: axis at its default, fillers, engines and lr_mult change nothing at inference.
        QVERIFY2(warningFor(warnings, "conv1") == nullptr, text.c_str());
        QVERIFY2(warningFor(warnings, "pool") == nullptr, text.c_str());
        QCOMPARE(warnings.size(), size_t{2});
        QCOMPARE(warnings[0].node, std::string("conv2"));
        QVERIFY2(contains(warnings[0].message, "'convolution_param.axis'"), text.c_str());
        QCOMPARE(warnings[0].line, 13);
        QVERIFY2(contains(warnings[1].message, "'pooling_param'"), text.c_str());
    }

    void onnxWarnsAboutUnreadAttributesAndUnsupportedOps() {
        QTemporaryDir dir;
        const std::string path = dir.filePath("warned.onnx").toStdString();
        qf::writeFileAtomically(path, onnxModel().SerializeAsString());
        qf::Diagnostics warnings;
        const qf::Graph graph = load(path, warnings);
        QCOMPARE(graph.nodes.size(), size_t{4});
        const std::string text = allText(warnings);
        QCOMPARE(warnings.size(), size_t{3});
        const qf::Diagnostic* relu = warningFor(warnings, "relu");
        QVERIFY2(relu && contains(relu->message, "'inplace'"), text.c_str());
        QCOMPARE(relu->file, path);
        const qf::Diagnostic* bn = warningFor(warnings, "bn");
        QVERIFY2(bn && contains(bn->message, "'gain'") && !contains(bn->message, "momentum"),
                 text.c_str());
        QVERIFY2(warningFor(warnings, "pool") == nullptr, text.c_str());
        const qf::Diagnostic* mystery = warningFor(warnings, "mystery");
        QVERIFY2(mystery && contains(mystery->message, "com.example.Fancy"), text.c_str());
        QVERIFY2(!contains(mystery->message, "strength"), text.c_str());  // unknown op: no list
        QCOMPARE(mystery->severity, qf::Severity::Warning);
    }

    void warningsAreAppendedAndOptional() {
        QTemporaryDir dir;
        const std::string path = dir.filePath("warned.onnx").toStdString();
        qf::writeFileAtomically(path, onnxModel().SerializeAsString());
        qf::Diagnostics warnings{qf::Diagnostic{qf::Severity::Info, "", 0, 0, "", "", "earlier"}};
        load(path, warnings);
        QCOMPARE(warnings.size(), size_t{4});
        QCOMPARE(warnings.front().message, std::string("earlier"));
        QCOMPARE(qftest::errorOf([&] { qf::loadModel(path); }), std::string());
    }

    void theSampleLoadsWithoutWarnings() {
        qf::Diagnostics warnings;
        load(qftest::sourcePath("resources/sample/digits.onnx"), warnings);
        load(qftest::sourcePath("resources/sample/digits_deploy.prototxt"), warnings,
             qftest::sourcePath("resources/sample/digits.caffemodel"));
        QVERIFY2(warnings.empty(), allText(warnings).c_str());
    }

    void loadForQuantizationKeepsTheWarnings() {
        QTemporaryDir dir;
        const std::string path = writeText(dir, "phased.prototxt", kPhasedPrototxt);
        try {
            const qf::LoadedModel loaded = qf::loadForQuantization(path, "");
            QCOMPARE(loaded.warnings.size(), size_t{3});
            QVERIFY(warningFor(loaded.warnings, "acc") != nullptr);
        } catch (const qf::Error& error) {
            QFAIL(error.what());
        }
    }

    // ---- Errors as data

    void prototxtSyntaxErrorHasLineAndColumn() {
        QTemporaryDir dir;
        const std::string path =
            writeText(dir, "broken.prototxt", "name: \"b\"\nlayer {\n  name \"x\"\n}\n");
        const qf::Diagnostic error = diagnosticOf([&] { qf::loadModel(path, ""); });
        QCOMPARE(error.severity, qf::Severity::Error);
        QCOMPARE(error.file, path);
        QCOMPARE(error.line, 3);
        QVERIFY(error.column > 0);
        QVERIFY2(!error.message.empty() && error.message != "no error", error.message.c_str());
    }

    void prototxtLayerErrorsNameLayerAndLine() {
        QTemporaryDir dir;
        const std::string path = writeText(dir, "bad.prototxt", R"(name: "bad"
input: "data"
input_shape { dim: 1 dim: 2 dim: 3 dim: 3 }
layer {
  name: "conv"
  type: "Convolution"
  bottom: "data"
  top: "c"
  convolution_param { num_output: 2 }
}
)");
        std::string what;
        const qf::Diagnostic error = diagnosticOf([&] {
            try {
                qf::loadModel(path, "");
            } catch (const qf::Error& e) {
                what = e.what();
                throw;
            }
        });
        QCOMPARE(error.file, path);
        QCOMPARE(error.line, 4);
        QCOMPARE(error.node, std::string("conv"));
        QVERIFY2(contains(error.message, "kernel_size is missing"), error.message.c_str());
        QVERIFY2(contains(what, path + ":4:1: layer 'conv' (Convolution): kernel_size is missing"),
                 what.c_str());

        const std::string unread = writeText(dir, "unread.prototxt", R"(name: "u"
input: "data"
layer {
  name: "relu"
  type: "ReLU"
  bottom: "nothing"
  top: "r"
}
)");
        const qf::Diagnostic missing = diagnosticOf([&] { qf::loadModel(unread, ""); });
        QCOMPARE(missing.node, std::string("relu"));
        QCOMPARE(missing.line, 3);
        QVERIFY2(contains(missing.message, "'nothing'"), missing.message.c_str());
    }

    void caffemodelBlobMismatchNamesLayer() {
        QTemporaryDir dir;
        const std::string prototxt = writeText(dir, "conv.prototxt", R"(name: "conv"
input: "data"
input_shape { dim: 1 dim: 2 dim: 3 dim: 3 }
layer {
  name: "conv1"
  type: "Convolution"
  bottom: "data"
  top: "c"
  convolution_param { num_output: 2 kernel_size: 1 bias_term: false }
}
)");
        caffe::NetParameter net;
        auto* layer = net.add_layer();
        layer->set_name("conv1");
        layer->set_type("Convolution");
        auto* blob = layer->add_blobs();
        for (const int64_t d : {3, 2, 1, 1}) blob->mutable_shape()->add_dim(d);
        for (int k = 0; k < 6; ++k) blob->add_data(1.0f);
        const std::string weights = dir.filePath("conv.caffemodel").toStdString();
        qf::writeFileAtomically(weights, net.SerializeAsString());
        std::string what;
        const qf::Diagnostic error = diagnosticOf([&] {
            try {
                qf::loadModel(prototxt, weights);
            } catch (const qf::Error& e) {
                what = e.what();
                throw;
            }
        });
        QCOMPARE(error.file, weights);
        QCOMPARE(error.node, std::string("conv1"));
        QVERIFY2(contains(error.message, "[3x2x1x1]") && !contains(error.message, weights),
                 error.message.c_str());
        QVERIFY2(contains(what, weights + ": layer 'conv1' (Convolution): "), what.c_str());
    }

    void onnxNodeErrorsNameTheNode() {
        // A Relu fed by a Constant whose raw data is too short.
        onnx::ModelProto model;
        model.set_ir_version(7);
        model.add_opset_import()->set_version(13);
        auto* graph = model.mutable_graph();
        graph->add_output()->set_name("y");
        auto* constant = addNode(graph, "const", "Constant", {}, {"c"});
        auto* value = constant->add_attribute();
        value->set_name("value");
        value->set_type(onnx::AttributeProto::TENSOR);
        value->mutable_t()->set_data_type(onnx::TensorProto::FLOAT);
        value->mutable_t()->add_dims(4);
        value->mutable_t()->set_raw_data(std::string(3, '\0'));
        addNode(graph, "relu", "Relu", {"c"}, {"y"});
        QTemporaryDir dir;
        const std::string path = dir.filePath("bad.onnx").toStdString();
        qf::writeFileAtomically(path, model.SerializeAsString());
        std::string what;
        const qf::Diagnostic error = diagnosticOf([&] {
            try {
                qf::loadModel(path);
            } catch (const qf::Error& e) {
                what = e.what();
                throw;
            }
        });
        QCOMPARE(error.file, path);
        QCOMPARE(error.node, std::string("const"));
        QVERIFY2(contains(what, path + ": node 'const' (Constant)"), what.c_str());
        QVERIFY2(contains(error.message, "raw_data"), error.message.c_str());
    }
};

QTEST_GUILESS_MAIN(TestLoadWarnings)
#include "test_load_warnings.moc"

// The ONNX importer and exporter: lossless round trips, the IR-3 initializer list kept in step
// with the weights, unknown ops carried through, and clear errors for files that are not ONNX.
#include <onnx/onnx_pb.h>

#include <QtTest>
#include <fstream>

#include "formats/onnx/onnx_exporter.h"
#include "formats/onnx/onnx_importer.h"
#include "graph_compare.h"
#include "passes/fold_batchnorm.h"
#include "runtime/executor.h"
#include "test_support.h"
#include "util/atomic_file.h"
#include "util/error.h"

namespace {

void roundTrip(const std::string& path) {
    const qf::Graph first = qf::importOnnx(path);
    QTemporaryDir dir;
    const std::string written = dir.filePath("copy.onnx").toStdString();
    qf::exportOnnx(first, written);
    const qf::Graph second = qf::importOnnx(written);
    const std::string difference = qftest::firstDifference(first, second);
    QVERIFY2(difference.empty(), difference.c_str());
}

onnx::ModelProto modelWithUnknownOp() {
    onnx::ModelProto model;
    model.set_ir_version(7);
    model.add_opset_import()->set_version(13);
    auto* graph = model.mutable_graph();
    graph->set_name("unknown");
    for (const char* name : {"x"}) {
        auto* input = graph->add_input();
        input->set_name(name);
        input->mutable_type()->mutable_tensor_type()->set_elem_type(onnx::TensorProto::FLOAT);
        input->mutable_type()->mutable_tensor_type()->mutable_shape()->add_dim()->set_dim_value(4);
    }
    graph->add_output()->set_name("y");
    auto* relu = graph->add_node();
    relu->set_op_type("Relu");
    relu->add_input("x");
    relu->add_output("r");
    auto* fancy = graph->add_node();
    fancy->set_name("mystery");
    fancy->set_op_type("FancyOp");
    fancy->set_domain("com.example");
    fancy->add_input("r");
    fancy->add_output("y");
    auto* attr = fancy->add_attribute();
    attr->set_name("strength");
    attr->set_type(onnx::AttributeProto::FLOAT);
    attr->set_f(0.5f);
    return model;
}

}  // namespace

class TestOnnxFormat : public QObject {
    Q_OBJECT

private slots:
    void roundTripsTheSample() { roundTrip(qftest::sourcePath("resources/sample/digits.onnx")); }

    void roundTripsSharedModels_data() {
        QTest::addColumn<QString>("model");
        QTest::newRow("resnet20") << "cifar10/resnet20/resnet20_cifar10.onnx";
        QTest::newRow("ultraface") << "faces/ultraface/version-RFB-320.onnx";
        QTest::newRow("mobilenet_v2") << "bench/mobilenet_v2_random_bn.onnx";
    }
    void roundTripsSharedModels() {
        QFETCH(QString, model);
        QF_SHARED(path, model.toStdString());
        roundTrip(path);
    }

    void evaluatesShapeArithmeticAtLoad() {
        QF_SHARED(path, "cifar10/resnet20/resnet20_cifar10.onnx");
        const qf::Graph graph = qf::importOnnx(path);
        const auto counts = graph.opCounts();
        for (const char* op : {"Constant", "ConstantOfShape", "Cast", "Concat", "Reshape"})
            QVERIFY2(!counts.count(op), op);
        QCOMPARE(counts.at("Conv"), 19);
        QCOMPARE(counts.at("BatchNormalization"), 19);
    }

    void keepsInitializerInputsInStepAfterFolding() {
        // UltraFace is IR 3: every initializer is also a graph input.
        QF_SHARED(path, "faces/ultraface/version-RFB-320_without_postprocessing.onnx");
        qf::Graph graph = qf::importOnnx(path);
        QCOMPARE(graph.inputs.size(), size_t{1});
        QVERIFY(qf::foldBatchNorm(graph).folded.size() > 0);
        QTemporaryDir dir;
        const std::string written = dir.filePath("folded.onnx").toStdString();
        qf::exportOnnx(graph, written);
        onnx::ModelProto model;
        QVERIFY(model.ParseFromString(qf::readFile(written)));
        std::set<std::string> initializers, inputs;
        for (const auto& init : model.graph().initializer()) initializers.insert(init.name());
        for (const auto& input : model.graph().input()) inputs.insert(input.name());
        for (const auto& name : initializers) QVERIFY2(inputs.count(name), name.c_str());
        for (const auto& name : inputs)
            QVERIFY2(name == "input" || initializers.count(name), name.c_str());
    }

    void carriesUnknownOpsThrough() {
        QTemporaryDir dir;
        const std::string path = dir.filePath("unknown.onnx").toStdString();
        qf::writeFileAtomically(path, modelWithUnknownOp().SerializeAsString());
        const qf::Graph graph = qf::importOnnx(path);
        QCOMPARE(graph.nodes.size(), size_t{2});
        QCOMPARE(graph.nodes[1].op, std::string("com.example.FancyOp"));
        const qf::Executor executor(graph);
        QCOMPARE(executor.unsupportedNodes(),
                 std::vector<std::string>{"mystery (com.example.FancyOp)"});
        const std::string message = qftest::errorOf([&] {
            executor.run({{"x", qf::Tensor::floats({4}, 1.0f)}});
        });
        QVERIFY2(message.find("mystery") != std::string::npos, message.c_str());
        const std::string copy = dir.filePath("copy.onnx").toStdString();
        qf::exportOnnx(graph, copy);
        onnx::ModelProto written;
        QVERIFY(written.ParseFromString(qf::readFile(copy)));
        QCOMPARE(written.graph().node(1).domain(), std::string("com.example"));
        QCOMPARE(written.graph().node(1).attribute(0).f(), 0.5f);
    }

    // Two nodes writing one tensor ran with whichever came last (found by probing).
    void refusesATensorWrittenTwice() {
        onnx::ModelProto model = modelWithUnknownOp();
        auto* second = model.mutable_graph()->add_node();
        second->set_name("again");
        second->set_op_type("Sigmoid");
        second->add_input("x");
        second->add_output("r");
        const std::string message = qftest::errorOf(
            [&] { qf::importOnnxFromBytes(model.SerializeAsString(), "twice.onnx"); });
        QVERIFY2(message.find("twice.onnx: node 'again' writes tensor 'r', which node "
                              "'Relu:r' writes too") != std::string::npos,
                 message.c_str());
    }

    // Declared dimensions whose product overflows int64, or negative ones, are refused before
    // any size is computed from them (an overflow found by tools/fuzz.sh).
    void refusesInitializersOfImpossibleShape() {
        for (const std::vector<int64_t>& dims : {std::vector<int64_t>{7220847385140480, 2332},
                                                 {int64_t{1} << 40, int64_t{1} << 40},
                                                 {3, -2}}) {
            onnx::ModelProto model = modelWithUnknownOp();
            auto* init = model.mutable_graph()->add_initializer();
            init->set_name("huge");
            init->set_data_type(onnx::TensorProto::FLOAT);
            for (const int64_t d : dims) init->add_dims(d);
            init->set_raw_data(std::string(16, '\0'));
            const std::string message = qftest::errorOf(
                [&] { qf::importOnnxFromBytes(model.SerializeAsString(), "huge.onnx"); });
            QVERIFY2(message.find("huge.onnx: tensor 'huge': a tensor") != std::string::npos,
                     message.c_str());
        }
    }

    void rejectsFilesThatAreNotOnnx() {
        QTemporaryDir dir;
        const std::string text = dir.filePath("notes.onnx").toStdString();
        qf::writeFileAtomically(text, "this is a text file, not a model\n");
        std::string message = qftest::errorOf([&] { qf::importOnnx(text); });
        QVERIFY2(message.find(text) != std::string::npos &&
                     message.find("not an ONNX model") != std::string::npos,
                 message.c_str());

        const std::string sample = qf::readFile(qftest::sourcePath("resources/sample/digits.onnx"));
        const std::string truncated = dir.filePath("truncated.onnx").toStdString();
        qf::writeFileAtomically(truncated, sample.substr(0, sample.size() / 2));
        message = qftest::errorOf([&] { qf::importOnnx(truncated); });
        QVERIFY2(message.find(truncated) != std::string::npos, message.c_str());

        const std::string empty = dir.filePath("empty.onnx").toStdString();
        qf::writeFileAtomically(empty, "");
        QVERIFY(qftest::errorOf([&] { qf::importOnnx(empty); }).find("empty") != std::string::npos);
        QVERIFY(qftest::errorOf([&] {
                    qf::importOnnx(dir.filePath("missing.onnx").toStdString());
                }).find("cannot open") != std::string::npos);
    }
};

QTEST_GUILESS_MAIN(TestOnnxFormat)
#include "test_onnx_format.moc"

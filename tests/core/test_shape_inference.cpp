// Shape inference is symbolic: the kernels run on hollow tensors (shape and type, no values), so
// a declared input of any size costs nothing, and the shapes are those the kernels compute when
// the model runs — checked tensor by tensor against a real run of every model at hand.
#include <QtTest>

#include "formats/model_io.h"
#include "graph_builder.h"
#include "runtime/executor.h"
#include "runtime/shape_inference.h"
#include "test_support.h"
#include "util/error.h"

using qf::Attribute;
using qftest::GraphBuilder;

namespace {

// Every tensor the graph computes, by running it on zeros of its declared input shapes.
std::map<std::string, qf::Shape> executedShapes(const qf::Graph& graph) {
    qf::TensorMap feeds;
    for (const auto& input : graph.inputs)
        if (!graph.isWeight(input.name)) feeds[input.name] = qf::Tensor::floats(input.shape);
    std::map<std::string, qf::Shape> shapes;
    for (const auto& [name, value] : qf::Executor(graph).run(feeds, nullptr, true))
        shapes[name] = value.shape;
    return shapes;
}

qf::Tensor int64s(std::vector<int64_t> values) {
    const auto size = static_cast<int64_t>(values.size());
    return qf::Tensor::ints({size}, std::move(values));
}

}  // namespace

class TestShapeInference : public QObject {
    Q_OBJECT

private slots:
    void agreesWithARunOfTheModel_data() {
        QTest::addColumn<QString>("model");
        QTest::addColumn<QString>("weights");
        QTest::addColumn<bool>("shared");
        QTest::newRow("sample digits.onnx") << "resources/sample/digits.onnx"
                                            << "" << false;
        const QString cifar = "cifar10/resnet20/";
        QTest::newRow("ResNet-20 ONNX") << cifar + "resnet20_cifar10.onnx"
                                        << "" << true;
        QTest::newRow("ResNet-20 convshortcut") << cifar + "resnet20_cifar10_convshortcut.onnx"
                                                << "" << true;
        QTest::newRow("ResNet-20 Caffe") << cifar + "resnet20_cifar10_deploy.prototxt"
                                         << cifar + "resnet20_cifar10.caffemodel" << true;
        QTest::newRow("ResNet-20 TensorFlow") << cifar + "resnet20_cifar10_frozen.pb"
                                              << "" << true;
        QTest::newRow("ResNet-20 TensorFlow Mul/Add") << cifar + "resnet20_cifar10_frozen_muladd.pb"
                                                      << "" << true;
        QTest::newRow("RetinaFace") << "faces/retinaface_mnet25/mnet25.prototxt"
                                    << "faces/retinaface_mnet25/mnet25.caffemodel" << true;
        QTest::newRow("UltraFace") << "faces/ultraface/version-RFB-320.onnx"
                                   << "" << true;
        QTest::newRow("UltraFace without postprocessing")
            << "faces/ultraface/version-RFB-320_without_postprocessing.onnx"
            << "" << true;
        QTest::newRow("MobileNetV2") << "bench/mobilenet_v2_random_bn.onnx"
                                     << "" << true;
        QTest::newRow("MobileNetV2 opset 10") << "bench/mobilenet_v2_random_bn_opset10.onnx"
                                              << "" << true;
        QTest::newRow("ResNet-18") << "bench/resnet18_random_bn.onnx"
                                   << "" << true;
    }

    void agreesWithARunOfTheModel() {
        QFETCH(QString, model);
        QFETCH(QString, weights);
        QFETCH(bool, shared);
        std::string modelPath = qftest::sourcePath(model.toStdString());
        std::string weightsPath;
        if (shared) {
            QF_SHARED(path, model.toStdString());
            modelPath = path;
            if (!weights.isEmpty())
                weightsPath = qftest::sharedDataRoot() + "/" + weights.toStdString();
        }
        const qf::Graph graph = qf::loadModel(modelPath, weightsPath);
        const auto inferred = qf::inferShapes(graph);
        const auto executed = executedShapes(graph);
        QVERIFY(executed.size() > graph.nodes.size() / 2);
        for (const auto& [name, shape] : executed) {
            QVERIFY2(inferred.count(name), name.c_str());
            QVERIFY2(inferred.at(name) == shape,
                     (name + ": inferred " + qf::shapeToString(inferred.at(name)) + ", ran " +
                      qf::shapeToString(shape))
                         .c_str());
        }
    }

    // 4.8 G values through a conv, a pool and ConstantOfShape: with the tensor limit lowered to
    // 1 M values, any feature map allocated on the way would end the inference in an error.
    void aHugeDeclaredInputCostsNothing() {
        GraphBuilder b;
        b.input("x", {1, 3, 40000, 40000}).output("y");
        b.weight("w", {8, 3, 3, 3});
        b.node("conv", "Conv", {"x", "w"}, {"c"},
               {{"strides", Attribute::ofInts({2, 2})}, {"pads", Attribute::ofInts({1, 1, 1, 1})}});
        b.node("relu", "Relu", {"c"}, {"r"});
        b.node(
            "pool", "MaxPool", {"r"}, {"p"},
            {{"kernel_shape", Attribute::ofInts({2, 2})}, {"strides", Attribute::ofInts({2, 2})}});
        b.node("shape", "Shape", {"p"}, {"s"});
        b.node("zeros", "ConstantOfShape", {"s"}, {"y"});
        const int64_t limit = qf::maxTensorValues();
        qf::setMaxTensorValues(1 << 20);
        std::map<std::string, qf::Shape> shapes;
        const std::string error = qftest::errorOf([&] { shapes = qf::inferShapes(b.graph()); });
        qf::setMaxTensorValues(limit);
        QVERIFY2(error.empty(), error.c_str());
        QCOMPARE(shapes.at("c"), (qf::Shape{1, 8, 20000, 20000}));
        QCOMPARE(shapes.at("p"), (qf::Shape{1, 8, 10000, 10000}));
        QCOMPARE(shapes.at("s"), (qf::Shape{4}));
        QCOMPARE(shapes.at("y"), (qf::Shape{1, 8, 10000, 10000}));
        // Hollow tensors never reach a run: one fed as an input is refused by name.
        const std::string refused = qftest::errorOf([&] {
            qf::Executor(b.graph()).run({{"x", qf::Tensor::hollow({1, 3, 40000, 40000})}});
        });
        QVERIFY2(refused.find("input 'x'") != std::string::npos, refused.c_str());
    }

    // Exported models compute a Reshape's target from Shape(x): those small tensors get values.
    void shapeArithmeticGetsValues() {
        GraphBuilder b;
        b.input("x", {2, 3, 8, 6}).output("y");
        b.weight("zero", int64s({0}));
        b.weight("minusOne", int64s({-1}));
        b.node("shape", "Shape", {"x"}, {"s"});
        b.node("batch", "Gather", {"s", "zero"}, {"n"}, {{"axis", Attribute::ofInt(0)}});
        b.node("target", "Concat", {"n", "minusOne"}, {"t"}, {{"axis", Attribute::ofInt(0)}});
        b.node("reshape", "Reshape", {"x", "t"}, {"y"});
        const auto shapes = qf::inferShapes(b.graph());
        QCOMPARE(shapes.at("t"), (qf::Shape{2}));
        QCOMPARE(shapes.at("y"), (qf::Shape{2, 144}));
        for (const auto& [name, shape] : executedShapes(b.graph()))
            QVERIFY2(shapes.at(name) == shape, name.c_str());
    }

    void shapesThatDependOnRunTimeValuesNameTheNode() {
        GraphBuilder b;
        b.input("x", {1, 3, 8, 8}).output("y");
        b.weight("w", {4, 3, 1, 1});
        b.node("conv", "Conv", {"x", "w"}, {"c"});
        b.node("cast", "Cast", {"c"}, {"target"}, {{"to", Attribute::ofInt(7)}});
        b.node("slice", "Slice", {"target", "starts", "ends"}, {"t"});
        b.weight("starts", int64s({0}));
        b.weight("ends", int64s({2}));
        b.node("reshape", "Reshape", {"x", "t"}, {"y"});
        // The slice's data comes from the conv's values: a shape known only by running.
        const std::string error = qftest::errorOf([&] { qf::inferShapes(b.graph()); });
        QVERIFY2(error.find("node 'reshape' (Reshape)") != std::string::npos, error.c_str());
        QVERIFY2(error.find("known only when the model runs") != std::string::npos, error.c_str());
    }

    void kernelRefusalsNameTheNode() {
        GraphBuilder b;
        b.input("x", {1, 3, 8, 8}).output("y");
        b.weight("w", {4, 5, 3, 3});
        b.node("conv", "Conv", {"x", "w"}, {"y"});
        const std::string error = qftest::errorOf([&] { qf::inferShapes(b.graph()); });
        QVERIFY2(error.find("node 'conv' (Conv): input has 3 channels") != std::string::npos,
                 error.c_str());
        GraphBuilder unknown;
        unknown.input("x", {1, 3, 8, 8}).output("y");
        unknown.node("mystery", "NoSuchOp", {"x"}, {"y"});
        const std::string unsupported = qftest::errorOf([&] { qf::inferShapes(unknown.graph()); });
        QVERIFY2(unsupported.find("does not execute mystery (NoSuchOp)") != std::string::npos,
                 unsupported.c_str());
    }
};

QTEST_GUILESS_MAIN(TestShapeInference)
#include "test_shape_inference.moc"

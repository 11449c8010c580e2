// Our FP32 runtime against OpenCV's dnn module on the real models in ../shared/data:
// ResNet-20 (Caffe, ONNX, ONNX with conv shortcuts) on 2000 CIFAR-10 images, RetinaFace
// (Caffe) and UltraFace (ONNX) on the face photos.
#include <QtTest>

#include "formats/model_io.h"
#include "images/image_folder.h"
#include "images/preprocessing.h"
#include "opencv_reference.h"
#include "runtime/executor.h"
#include "test_support.h"

namespace {

int argmax(const std::vector<float>& values) {
    return static_cast<int>(std::max_element(values.begin(), values.end()) - values.begin());
}

}  // namespace

class TestOpenCvReference : public QObject {
    Q_OBJECT

private slots:
    void resnet20MatchesOpenCvAndReferenceAccuracy_data() {
        QTest::addColumn<QString>("model");
        QTest::addColumn<QString>("weights");
        QTest::addColumn<QString>("input");
        QTest::addColumn<QString>("output");
        QTest::newRow("caffe") << "cifar10/resnet20/resnet20_cifar10_deploy.prototxt"
                               << "cifar10/resnet20/resnet20_cifar10.caffemodel"
                               << "data"
                               << "fc";
        QTest::newRow("onnx") << "cifar10/resnet20/resnet20_cifar10.onnx"
                              << ""
                              << ""
                              << "";
        QTest::newRow("onnx-convshortcut") << "cifar10/resnet20/resnet20_cifar10_convshortcut.onnx"
                                           << ""
                                           << ""
                                           << "";
    }

    void resnet20MatchesOpenCvAndReferenceAccuracy() {
        QFETCH(QString, model);
        QFETCH(QString, weights);
        QF_SHARED(modelPath, model.toStdString());
        QF_SHARED(evalDir, "cifar10/images/eval");
        const std::string weightsPath =
            weights.isEmpty() ? "" : qftest::sharedDataRoot() + "/" + weights.toStdString();
        const qf::Graph graph = qf::loadModel(modelPath, weightsPath);
        const qf::Executor executor(graph);
        cv::dnn::Net net = qftest::openCvNet(modelPath, weightsPath);
        const std::string input = graph.inputs.front().name;
        const std::string output = graph.outputs.front().name;
        const qf::ImageFolder folder = qf::openImageFolder(evalDir);
        QCOMPARE(folder.images.size(), size_t{2000});
        int hits = 0, openCvHits = 0;
        double worst = 0.0;
        for (const auto& image : folder.images) {
            const qf::Tensor x = qf::loadImageTensor(
                image.path,
                qftest::preprocessing(32, 32, 1.0f / 255, {0.485f, 0.456f, 0.406f},
                                      {0.229f, 0.224f, 0.225f}),
                3);
            const qf::Tensor ours = executor.run({{input, x}}).at(output);
            const qf::Tensor theirs = qftest::runOpenCv(net, x, {output})[0];
            QCOMPARE(ours.numel(), qf::Shape::value_type{10});
            for (size_t k = 0; k < ours.f.size(); ++k)
                worst = std::max(worst, static_cast<double>(std::abs(ours.f[k] - theirs.f[k])));
            hits += argmax(ours.f) == image.label;
            openCvHits += argmax(theirs.f) == image.label;
        }
        qInfo("top-1 %d/2000 (OpenCV %d/2000), max |logit difference| %g", hits, openCvHits, worst);
        QCOMPARE(hits, 1627);
        QVERIFY(worst < 1e-4);
    }

    void faceDetectorsMatchOpenCv_data() {
        qftest::addFaceDetectorColumns();
        QTest::newRow("retinaface")
            << "faces/retinaface_mnet25/mnet25.prototxt"
            << "faces/retinaface_mnet25/mnet25.caffemodel" << 320 << 256 << 0.0f << 1.0f;
        QTest::newRow("ultraface") << "faces/ultraface/version-RFB-320_without_postprocessing.onnx"
                                   << "" << 320 << 240 << 127.0f << 128.0f;
    }

    void faceDetectorsMatchOpenCv() {
        QFETCH(QString, model);
        QFETCH(QString, weights);
        QFETCH(int, width);
        QFETCH(int, height);
        QFETCH(float, mean);
        QFETCH(float, std);
        QF_SHARED(modelPath, model.toStdString());
        QF_SHARED(imagesDir, "faces/images");
        const std::string weightsPath =
            weights.isEmpty() ? "" : qftest::sharedDataRoot() + "/" + weights.toStdString();
        qf::Graph graph = qf::loadModel(modelPath, weightsPath);
        // The prototxt declares another input size; the network is fully convolutional.
        graph.inputs.front().shape = {1, 3, height, width};
        const qf::Executor executor(graph);
        cv::dnn::Net net = qftest::openCvNet(modelPath, weightsPath);
        std::vector<std::string> outputs;
        for (const auto& output : graph.outputs) outputs.push_back(output.name);
        QVERIFY(!outputs.empty());
        qf::Preprocessing pre;
        pre.width = width;
        pre.height = height;
        pre.mean = {mean, mean, mean};
        pre.std = {std, std, std};
        const qf::ImageFolder folder = qf::openImageFolder(imagesDir);
        QCOMPARE(folder.images.size(), size_t{9});
        for (const auto& image : folder.images) {
            const qf::Tensor x = qf::loadImageTensor(image.path, pre, 3);
            const auto ours = executor.run({{graph.inputs.front().name, x}});
            const auto theirs = qftest::runOpenCv(net, x, outputs);
            for (size_t k = 0; k < outputs.size(); ++k) {
                const qf::Tensor& mine = ours.at(outputs[k]);
                QCOMPARE(mine.numel(), theirs[k].numel());
                const double relative = qftest::normRelativeDifference(mine.f, theirs[k].f);
                QVERIFY2(relative < 1e-3,
                         (image.path + " " + outputs[k] + ": " + std::to_string(relative)).c_str());
            }
        }
    }
};

QTEST_GUILESS_MAIN(TestOpenCvReference)
#include "test_opencv_reference.moc"

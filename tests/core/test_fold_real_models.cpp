// Folding the real networks of ../shared/data: every foldable BatchNorm/Scale folds, the
// written file re-loads without them, OpenCV runs the folded file, and its outputs agree with
// the unfolded model.
#include <QtTest>
#include <random>

#include "images/image_folder.h"
#include "images/preprocessing.h"
#include "formats/model_io.h"
#include "opencv_reference.h"
#include "passes/fold_batchnorm.h"
#include "runtime/executor.h"
#include "test_support.h"

namespace {

std::vector<qf::Tensor> sampleInputs(const std::string& imagesDir, const qf::Preprocessing& pre,
                                     size_t count, const qf::Shape& randomShape) {
    std::vector<qf::Tensor> inputs;
    if (imagesDir.empty()) {
        std::mt19937 random(3);
        std::normal_distribution<float> normal(0.0f, 1.0f);
        qf::Tensor x = qf::Tensor::floats(randomShape);
        for (auto& v : x.f) v = normal(random);
        inputs.push_back(std::move(x));
        return inputs;
    }
    const qf::ImageFolder folder = qf::openImageFolder(imagesDir);
    for (size_t k = 0; k < std::min(count, folder.images.size()); ++k)
        inputs.push_back(qf::loadImageTensor(folder.images[k].path, pre, 3));
    return inputs;
}

size_t countAffine(const qf::Graph& graph) {
    size_t count = 0;
    for (const auto& node : graph.nodes) count += qf::isAffineOp(node.op) ? 1 : 0;
    return count;
}

}  // namespace

class TestFoldRealModels : public QObject {
    Q_OBJECT

private slots:
    void foldsEveryFoldableLayer_data() {
        QTest::addColumn<QString>("model");
        QTest::addColumn<QString>("weights");
        QTest::addColumn<QString>("openCvModel");  // a file OpenCV can read holding the same net
        QTest::addColumn<int>("expectedFolds");
        QTest::addColumn<QString>("images");
        QTest::addColumn<int>("width");
        QTest::addColumn<int>("height");
        QTest::addColumn<float>("scale");
        QTest::addColumn<float>("mean");
        QTest::addColumn<float>("std");
        QTest::newRow("resnet20-caffe")
            << "cifar10/resnet20/resnet20_cifar10_deploy.prototxt"
            << "cifar10/resnet20/resnet20_cifar10.caffemodel"
            << "" << 38 << "cifar10/images/eval" << 32 << 32 << 1.0f / 255 << 0.45f << 0.225f;
        QTest::newRow("resnet20-onnx")
            << "cifar10/resnet20/resnet20_cifar10.onnx"
            << ""
            << "" << 19 << "cifar10/images/eval" << 32 << 32 << 1.0f / 255 << 0.45f << 0.225f;
        QTest::newRow("resnet20-convshortcut")
            << "cifar10/resnet20/resnet20_cifar10_convshortcut.onnx"
            << ""
            << "" << 19 << "cifar10/images/eval" << 32 << 32 << 1.0f / 255 << 0.45f << 0.225f;
        QTest::newRow("retinaface")
            << "faces/retinaface_mnet25/mnet25.prototxt"
            << "faces/retinaface_mnet25/mnet25.caffemodel"
            << "" << 94 << "faces/images" << 320 << 256 << 1.0f << 0.0f << 1.0f;
        QTest::newRow("ultraface")
            << "faces/ultraface/version-RFB-320_without_postprocessing.onnx"
            << ""
            << "" << 35 << "faces/images" << 320 << 240 << 1.0f << 127.0f << 128.0f;
        QTest::newRow("ultraface-postprocessing")
            << "faces/ultraface/version-RFB-320.onnx"
            << ""
            << "" << 35 << "faces/images" << 320 << 240 << 1.0f << 127.0f << 128.0f;
        QTest::newRow("mobilenet_v2") << "bench/mobilenet_v2_random_bn.onnx"
                                      << ""
                                      << "bench/mobilenet_v2_random_bn_opset10.onnx" << 52 << ""
                                      << 224 << 224 << 1.0f << 0.0f << 1.0f;
        QTest::newRow("mobilenet_v2-opset10")
            << "bench/mobilenet_v2_random_bn_opset10.onnx"
            << ""
            << "" << 52 << "" << 224 << 224 << 1.0f << 0.0f << 1.0f;
        QTest::newRow("resnet18") << "bench/resnet18_random_bn.onnx"
                                  << ""
                                  << "" << 20 << "" << 224 << 224 << 1.0f << 0.0f << 1.0f;
    }

    void foldsEveryFoldableLayer() {
        QFETCH(QString, model);
        QFETCH(QString, weights);
        QFETCH(QString, openCvModel);
        QFETCH(int, expectedFolds);
        QFETCH(QString, images);
        QFETCH(int, width);
        QFETCH(int, height);
        QFETCH(float, scale);
        QFETCH(float, mean);
        QFETCH(float, std);
        QF_SHARED(modelPath, model.toStdString());
        const std::string root = qftest::sharedDataRoot() + "/";
        const std::string weightsPath = weights.isEmpty() ? "" : root + weights.toStdString();
        qf::Graph original = qf::loadModel(modelPath, weightsPath);
        original.inputs.front().shape = {1, 3, height, width};

        int foldable = 0;
        for (const auto& candidate : qf::findFoldCandidates(original))
            foldable += candidate.foldable();
        QCOMPARE(foldable, expectedFolds);
        qf::Graph folded = original;
        const qf::FoldReport report = qf::foldBatchNorm(folded);
        QCOMPARE(static_cast<int>(report.folded.size()), expectedFolds);

        QTemporaryDir dir;
        const bool caffe = original.format == "caffe";
        const std::string outModel =
            dir.filePath(caffe ? "folded.prototxt" : "folded.onnx").toStdString();
        const std::string outWeights = caffe ? dir.filePath("folded.caffemodel").toStdString() : "";
        qf::saveModel(folded, outModel, outWeights, {modelPath, weightsPath});
        const qf::Graph reloaded = qf::loadModel(outModel, outWeights);
        QCOMPARE(countAffine(reloaded), report.skipped.size());
        QCOMPARE(reloaded.nodes.size(), original.nodes.size() - report.folded.size());

        qf::Preprocessing pre;
        pre.width = width;
        pre.height = height;
        pre.scale = scale;
        pre.mean = {mean, mean, mean};
        pre.std = {std, std, std};
        const auto inputs = sampleInputs(images.isEmpty() ? "" : root + images.toStdString(), pre,
                                         5, {1, 3, height, width});
        const qf::Executor before(original), after(reloaded);
        // OpenCV 4.6 cannot read opset-13 Clip with inputs: there it runs the opset-10 twin,
        // folded by us, and is compared with our unfolded opset-13 model.
        std::string openCvFile = outModel, openCvWeights = outWeights;
        if (!openCvModel.isEmpty()) {
            qf::Graph twin = qf::loadModel(root + openCvModel.toStdString());
            qf::foldBatchNorm(twin);
            openCvFile = dir.filePath("twin.onnx").toStdString();
            qf::saveModel(twin, openCvFile, "");
            openCvWeights.clear();
        }
        cv::dnn::Net net = qftest::openCvNet(openCvFile, openCvWeights);
        std::vector<std::string> outputs;
        for (const auto& output : original.outputs) outputs.push_back(output.name);
        const std::string input = original.inputs.front().name;
        for (const auto& x : inputs) {
            const auto expected = before.run({{input, x}});
            const auto ours = after.run({{input, x}});
            const auto theirs = qftest::runOpenCv(net, x, outputs);
            for (size_t k = 0; k < outputs.size(); ++k) {
                const auto& reference = expected.at(outputs[k]).f;
                const double oursDiff =
                    qftest::normRelativeDifference(ours.at(outputs[k]).f, reference);
                const double theirsDiff = qftest::normRelativeDifference(theirs[k].f, reference);
                QVERIFY2(oursDiff < 1e-4,
                         (outputs[k] + " ours folded: " + std::to_string(oursDiff)).c_str());
                QVERIFY2(theirsDiff < 1e-4,
                         (outputs[k] + " OpenCV folded: " + std::to_string(theirsDiff)).c_str());
            }
        }
    }
};

QTEST_GUILESS_MAIN(TestFoldRealModels)
#include "test_fold_real_models.moc"

// The QDQ ONNX export runs in ONNX Runtime (npm onnxruntime-node, installed by the test) and
// agrees with our own int8 runtime on the same inputs: for the bundled sample (ONNX and Caffe
// input) and, from ../shared/data, ResNet-20 and UltraFace.
#include <QDir>
#include <QProcess>
#include <QtTest>
#include <fstream>

#include "calibration/calibrator.h"
#include "evaluate/error_metrics.h"
#include "formats/model_io.h"
#include "passes/fold_batchnorm.h"
#include "quantize/int8_gemm.h"
#include "quantize/int8_model.h"
#include "quantize/qdq_export.h"
#include "test_support.h"

namespace {

// Installs onnxruntime-node once into the build tree; returns "" or why it could not.
QString ensureOnnxRuntime(const QString& dir) {
    if (QFileInfo::exists(dir + "/node_modules/onnxruntime-node/package.json")) return "";
    QDir().mkpath(dir);
    QProcess npm;
    npm.setWorkingDirectory(dir);
    // --ignore-scripts: the post-install step downloads GPU libraries from a host we cannot reach;
    // the CPU runtime the package bundles works without it.
    npm.start("npm",
              {"install", "--ignore-scripts", "--no-audit", "--no-fund", "onnxruntime-node"});
    if (!npm.waitForStarted()) return "npm is not installed";
    npm.waitForFinished(600000);
    if (npm.exitCode() != 0)
        return "npm install onnxruntime-node failed: " + npm.readAllStandardError().right(500);
    return "";
}

std::vector<float> readFloats(const QString& path) {
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) return {};
    const QByteArray bytes = file.readAll();
    std::vector<float> values(static_cast<size_t>(bytes.size()) / sizeof(float));
    std::memcpy(values.data(), bytes.data(), values.size() * sizeof(float));
    return values;
}

struct Case {
    std::string model, weights, images;
    qf::Preprocessing pre;
    int calibrationImages = 0;
    int testImages = 0;
};

}  // namespace

class TestQdqOnnxRuntime : public QObject {
    Q_OBJECT

private:
    QString ortDir_;

    void runCase(const Case& c) {
        qf::Graph graph = qf::loadModel(c.model, c.weights);
        qf::foldBatchNorm(graph);
        qf::CalibrationOptions calibration;
        calibration.pre = c.pre;
        calibration.maxImages = c.calibrationImages;
        calibration.method = qf::ThresholdMethod::Percentile;
        const qf::ImageFolder folder = qf::openImageFolder(c.images);
        const qf::CalibrationTable table = qf::calibrate(graph, folder, calibration);
        QTemporaryDir dir;
        const std::string exported = dir.filePath("qdq.onnx").toStdString();
        const qf::Int8Options options;
        const auto quantized = qf::exportQdqOnnx(graph, table, options, exported);
        QVERIFY(!quantized.empty());
        const qf::Int8Model ours(graph, table, options);
        const std::string input = graph.inputs.front().name;
        // Level "disabled" runs the QDQ graph as the standard defines it (DequantizeLinear, float
        // op, QuantizeLinear): it must match our int8 arithmetic on every machine. Level "all"
        // fuses it into ONNX Runtime's integer kernels; on x86 CPUs without VNNI these multiply
        // u8 x s8 with vpmaddubsw, whose int16 pair sums saturate (ONNX Runtime's quantization
        // guide says so and suggests reduce_range), so there the figure is reported, not bounded:
        // on this AMD AVX2 machine the sample fell to 0.990 and UltraFace's boxes to 0.958, while
        // the unfused graph gave 1.000000 and 0.99994.
        const bool fusedIsExact = qf::bestInt8Kernel() == qf::Int8Kernel::Avx512Vnni;
        for (const QString level : {"disabled", "all"}) {
            std::map<std::string, qf::ErrorAccumulator> errors;
            for (int k = 0; k < c.testImages; ++k) {
                const qf::Tensor x =
                    qf::loadImageTensor(folder.images[static_cast<size_t>(k)].path, c.pre, 3);
                const QString inputFile = dir.filePath("input.bin");
                std::ofstream(inputFile.toStdString(), std::ios::binary)
                    .write(reinterpret_cast<const char*>(x.f.data()),
                           static_cast<std::streamsize>(x.f.size() * sizeof(float)));
                QProcess node;
                QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
                environment.insert("NODE_PATH", ortDir_ + "/node_modules");
                environment.insert("QF_ORT_LEVEL", level);
                node.setProcessEnvironment(environment);
                const QString shape = QString("%1x%2x%3x%4")
                                          .arg(x.shape[0])
                                          .arg(x.shape[1])
                                          .arg(x.shape[2])
                                          .arg(x.shape[3]);
                node.start("node",
                           {QString::fromStdString(qftest::sourcePath("tests/ort/run_model.js")),
                            QString::fromStdString(exported), dir.path(),
                            QString::fromStdString(input) + "=" + shape + "=" + inputFile});
                QVERIFY(node.waitForFinished(120000));
                QVERIFY2(node.exitCode() == 0, node.readAllStandardError().constData());
                const qf::TensorMap mine = ours.run({{input, x}});
                for (const auto& output : graph.outputs) {
                    QString file = QString::fromStdString(output.name);
                    file.replace(QRegularExpression("[^A-Za-z0-9_.-]"), "_");
                    const std::vector<float> theirs = readFloats(dir.filePath(file + ".bin"));
                    const qf::Tensor& value = mine.at(output.name);
                    QCOMPARE(theirs.size(), value.f.size());
                    errors[output.name].add(value.f.data(), theirs.data(), value.numel());
                }
            }
            for (const auto& [name, error] : errors) {
                qInfo(
                    "%s: cosine(ours int8, ONNX Runtime QDQ, optimization %s) = %.6f over %d "
                    "image(s)",
                    name.c_str(), qPrintable(level), error.cosine(), c.testImages);
                if (level == "disabled" || fusedIsExact)
                    QVERIFY2(error.cosine() >= 0.999, name.c_str());
            }
        }
    }

private slots:
    void initTestCase() {
        ortDir_ = QDir::currentPath() + "/onnxruntime";
        const QString problem = ensureOnnxRuntime(ortDir_);
        if (!problem.isEmpty()) {
            if (qftest::underCi()) QFAIL(problem.toUtf8().constData());
            QSKIP(problem.toUtf8().constData());
        }
    }

    void sampleFromOnnx() {
        runCase({qftest::sourcePath("resources/sample/digits.onnx"), "",
                 qftest::sourcePath("resources/sample/images"),
                 qftest::preprocessing(16, 16, 1.0f / 255, {0.5f, 0.5f, 0.5f}, {0.5f, 0.5f, 0.5f}),
                 100, 10});
    }

    void sampleFromCaffe() {
        runCase({qftest::sourcePath("resources/sample/digits_deploy.prototxt"),
                 qftest::sourcePath("resources/sample/digits.caffemodel"),
                 qftest::sourcePath("resources/sample/images"),
                 qftest::preprocessing(16, 16, 1.0f / 255, {0.5f, 0.5f, 0.5f}, {0.5f, 0.5f, 0.5f}),
                 100, 10});
    }

    void resnet20() {
        QF_SHARED(model, "cifar10/resnet20/resnet20_cifar10.onnx");
        runCase({model, "", qftest::sharedDataRoot() + "/cifar10/images/calib",
                 qftest::preprocessing(32, 32, 1.0f / 255, {0.485f, 0.456f, 0.406f},
                                       {0.229f, 0.224f, 0.225f}),
                 200, 10});
    }

    void resnet20FromCaffe() {
        QF_SHARED(model, "cifar10/resnet20/resnet20_cifar10_deploy.prototxt");
        runCase({model, qftest::sharedDataRoot() + "/cifar10/resnet20/resnet20_cifar10.caffemodel",
                 qftest::sharedDataRoot() + "/cifar10/images/calib",
                 qftest::preprocessing(32, 32, 1.0f / 255, {0.485f, 0.456f, 0.406f},
                                       {0.229f, 0.224f, 0.225f}),
                 200, 10});
    }

    void resnet20FromTensorflow() {
        QF_SHARED(model, "cifar10/resnet20/resnet20_cifar10_frozen.pb");
        runCase({model, "", qftest::sharedDataRoot() + "/cifar10/images/calib",
                 qftest::preprocessing(32, 32, 1.0f / 255, {0.485f, 0.456f, 0.406f},
                                       {0.229f, 0.224f, 0.225f}),
                 200, 10});
    }

    void ultraface() {
        QF_SHARED(model, "faces/ultraface/version-RFB-320_without_postprocessing.onnx");
        runCase({model, "", qftest::sharedDataRoot() + "/faces/images",
                 qftest::preprocessing(320, 240, 1.0f, {127.0f, 127.0f, 127.0f},
                                       {128.0f, 128.0f, 128.0f}),
                 9, 3});
    }
};

QTEST_GUILESS_MAIN(TestQdqOnnxRuntime)
#include "test_qdq_onnxruntime.moc"

// int8 quality on the real models of ../shared/data, as a user would run it: fold, calibrate
// (KL, per-channel weights), then compare int8 with FP32.
// - ResNet-20 (Caffe, ONNX, ONNX with conv shortcuts): calibrated on cifar10/images/calib (1000
//   images), evaluated on cifar10/images/eval (2000): int8 top-1 within 0.5 point of FP32,
//   top-1 agreement >= 98.5 %.
// - UltraFace (ONNX) and RetinaFace (Caffe), calibrated on the 9 face photos: every output's
//   cosine with FP32 >= 0.99 over those photos.
// - The auto method with cross-layer equalization, the worst case: every output's cosine on
//   its worst photo >= 0.99, for RetinaFace at its declared 288x416 (W x H) and at 320x256 and
//   416x288, UltraFace at 320x240 and 640x480; and ResNet-20 with auto, as kl above.
#include <QtTest>

#include "calibration/calibrator.h"
#include "evaluate/int8_comparison.h"
#include "formats/model_io.h"
#include "passes/equalize.h"
#include "passes/fold_batchnorm.h"
#include "test_support.h"
#include "util/error.h"

namespace {

qf::Int8ComparisonReport calibrateAndCompare(const std::string& model, const std::string& weights,
                                             const std::string& calibrationImages,
                                             const std::string& evalImages,
                                             const qf::Preprocessing& pre,
                                             qf::ThresholdMethod method = qf::ThresholdMethod::Kl,
                                             bool equalize = false) {
    qf::Graph graph = qf::loadModel(model, weights);
    qf::foldBatchNorm(graph);
    if (equalize && qf::equalizeConvPairs(graph).pairs.empty())
        throw qf::Error(model + ": no conv pair to equalize");
    qf::CalibrationOptions calibration;
    calibration.pre = pre;
    calibration.method = method;
    const qf::CalibrationTable table =
        qf::calibrate(graph, qf::openImageFolder(calibrationImages), calibration);
    qf::ComparisonOptions options;
    options.pre = pre;
    options.perLayer = false;
    return qf::compareInt8(graph, table, qf::Int8Options{}, qf::openImageFolder(evalImages),
                           options);
}

const QString kRetinaFace = "faces/retinaface_mnet25/mnet25.prototxt";
const QString kRetinaFaceWeights = "faces/retinaface_mnet25/mnet25.caffemodel";
const QString kUltraFace = "faces/ultraface/version-RFB-320_without_postprocessing.onnx";

// The face detector of the current data row, calibrated on the 9 face photos and compared on
// them; report.images stays 0 when the data is absent (skipped).
void faceReport(qf::ThresholdMethod method, bool equalize, qf::Int8ComparisonReport& report) {
    QFETCH(QString, model);
    QFETCH(QString, weights);
    QFETCH(int, width);
    QFETCH(int, height);
    QFETCH(float, mean);
    QFETCH(float, std);
    QF_SHARED(modelPath, model.toStdString());
    const std::string root = qftest::sharedDataRoot() + "/";
    report = calibrateAndCompare(
        modelPath, weights.isEmpty() ? "" : root + weights.toStdString(), root + "faces/images",
        root + "faces/images",
        qftest::preprocessing(width, height, 1.0f, {mean, mean, mean}, {std, std, std}), method,
        equalize);
    QCOMPARE(report.images, 9);
}

}  // namespace

class TestInt8Quality : public QObject {
    Q_OBJECT

private slots:
    void resnet20_data() {
        QTest::addColumn<QString>("model");
        QTest::addColumn<QString>("weights");
        QTest::addColumn<int>("method");
        for (const auto method : {qf::ThresholdMethod::Kl, qf::ThresholdMethod::Auto}) {
            const std::string name = qf::methodName(method);
            QTest::newRow(("caffe " + name).c_str())
                << "cifar10/resnet20/resnet20_cifar10_deploy.prototxt"
                << "cifar10/resnet20/resnet20_cifar10.caffemodel" << static_cast<int>(method);
            QTest::newRow(("onnx " + name).c_str()) << "cifar10/resnet20/resnet20_cifar10.onnx"
                                                    << "" << static_cast<int>(method);
            QTest::newRow(("onnx-convshortcut " + name).c_str())
                << "cifar10/resnet20/resnet20_cifar10_convshortcut.onnx"
                << "" << static_cast<int>(method);
        }
    }

    void resnet20() {
        QFETCH(QString, model);
        QFETCH(QString, weights);
        QFETCH(int, method);
        QF_SHARED(modelPath, model.toStdString());
        const std::string root = qftest::sharedDataRoot() + "/";
        const auto report =
            calibrateAndCompare(modelPath, weights.isEmpty() ? "" : root + weights.toStdString(),
                                root + "cifar10/images/calib", root + "cifar10/images/eval",
                                qftest::preprocessing(32, 32, 1.0f / 255, {0.485f, 0.456f, 0.406f},
                                                      {0.229f, 0.224f, 0.225f}),
                                static_cast<qf::ThresholdMethod>(method));
        qInfo("top-1 FP32 %.2f %%, int8 %.2f %%, agreement %.2f %%, logits cosine %.5f",
              100 * report.fp32.top1Rate(), 100 * report.int8.top1Rate(),
              100 * report.top1Agreement(), report.outputs[0].cosine);
        QCOMPARE(report.images, 2000);
        QCOMPARE(report.fp32.top1, 1627);
        // Within 0.5 point inclusive (the epsilon only absorbs the double rounding of 0.005).
        QVERIFY(std::abs(report.int8.top1Rate() - report.fp32.top1Rate()) <= 0.005 + 1e-12);
        QVERIFY(report.top1Agreement() >= 0.985);
    }

    void faceDetectors_data() {
        qftest::addFaceDetectorColumns();
        QTest::newRow("ultraface") << kUltraFace << "" << 320 << 240 << 127.0f << 128.0f;
        QTest::newRow("retinaface")
            << kRetinaFace << kRetinaFaceWeights << 320 << 256 << 0.0f << 1.0f;
    }

    void faceDetectors() {
        qf::Int8ComparisonReport report;
        faceReport(qf::ThresholdMethod::Kl, false, report);
        if (QTest::currentTestFailed() || report.images == 0) return;  // failed or skipped
        for (const auto& output : report.outputs) {
            qInfo("%s: cosine %.4f (worst photo %.4f), SQNR %.1f dB", output.name.c_str(),
                  output.cosine, output.worstImageCosine, output.sqnrDb);
            QVERIFY2(output.cosine >= 0.99, output.name.c_str());
        }
    }

    void faceDetectorsWorstPhoto_data() {
        qftest::addFaceDetectorColumns();
        QTest::newRow("retinaface 288x416 (declared)")
            << kRetinaFace << kRetinaFaceWeights << 288 << 416 << 0.0f << 1.0f;
        QTest::newRow("retinaface 320x256")
            << kRetinaFace << kRetinaFaceWeights << 320 << 256 << 0.0f << 1.0f;
        QTest::newRow("retinaface 416x288")
            << kRetinaFace << kRetinaFaceWeights << 416 << 288 << 0.0f << 1.0f;
        QTest::newRow("ultraface 320x240 (declared)")
            << kUltraFace << "" << 320 << 240 << 127.0f << 128.0f;
        QTest::newRow("ultraface 640x480") << kUltraFace << "" << 640 << 480 << 127.0f << 128.0f;
    }

    void faceDetectorsWorstPhoto() {
        qf::Int8ComparisonReport report;
        faceReport(qf::ThresholdMethod::Auto, true, report);
        if (QTest::currentTestFailed() || report.images == 0) return;  // failed or skipped
        for (const auto& output : report.outputs) {
            qInfo("%s: cosine %.4f, worst photo %.4f", output.name.c_str(), output.cosine,
                  output.worstImageCosine);
            QVERIFY2(output.worstImageCosine >= 0.99, output.name.c_str());
        }
    }

    void calibrationNeedsAReadableImage() {
        QTemporaryDir dir;
        QFile broken(dir.filePath("broken.png"));
        QVERIFY(broken.open(QIODevice::WriteOnly));
        broken.write("not a png");
        broken.close();
        const qf::Graph graph = qf::loadModel(qftest::sourcePath("resources/sample/digits.onnx"));
        qf::CalibrationOptions options;
        try {
            qf::calibrate(graph, qf::openImageFolder(dir.path().toStdString()), options);
            QFAIL("calibration on zero readable images must fail");
        } catch (const qf::Error& error) {
            QVERIFY2(
                std::string(error.what()).find("at least one readable image") != std::string::npos,
                error.what());
        }
    }
};

QTEST_GUILESS_MAIN(TestInt8Quality)
#include "test_int8_quality.moc"

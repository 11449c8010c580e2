// Long operations report progress and stop when their cancel flag is set (the GUI's progress
// bar and Cancel button rely on both).
#include <QTemporaryDir>
#include <QtTest>
#include <atomic>
#include <filesystem>

#include "calibration/calibrator.h"
#include "evaluate/inference_run.h"
#include "formats/model_io.h"
#include "quantize/qdq_export.h"
#include "test_support.h"
#include "util/atomic_file.h"

namespace {

qf::Preprocessing samplePreprocessing() {
    return qftest::preprocessing(16, 16, 1.0f / 255, {0.5f, 0.5f, 0.5f}, {0.5f, 0.5f, 0.5f});
}

// Records every report and checks the contract the GUI's bar relies on: one total for the whole
// operation, done never going back, and a last report of done == total.
struct ProgressLog {
    std::vector<std::pair<long, long>> steps;
    std::vector<std::string> names;
    qf::Progress progress() {
        qf::Progress p;
        p.report = [this](long done, long total, const std::string& what) {
            steps.emplace_back(done, total);
            names.push_back(what);
        };
        return p;
    }
    void verifyMonotonic() const {
        QVERIFY(!steps.empty());
        const long total = steps.front().second;
        QVERIFY(total > 0);
        for (size_t k = 0; k < steps.size(); ++k) {
            QCOMPARE(steps[k].second, total);
            QVERIFY(steps[k].first >= 0 && steps[k].first <= total);
            if (k > 0 && steps[k].first < steps[k - 1].first)
                QFAIL(qPrintable(QString("progress went back from %1 to %2 at '%3'")
                                     .arg(steps[k - 1].first)
                                     .arg(steps[k].first)
                                     .arg(QString::fromStdString(names[k]))));
        }
        QCOMPARE(steps.back().first, total);
    }
    bool named(const std::string& part) const {
        for (const auto& name : names)
            if (name.find(part) != std::string::npos) return true;
        return false;
    }
};

// A progress whose first report sets its own cancel flag.
struct CancelAtFirstStep {
    std::atomic_bool cancel{false};
    qf::Progress progress() {
        qf::Progress p;
        p.cancel = &cancel;
        p.report = [this](long, long, const std::string&) { cancel = true; };
        return p;
    }
};

std::vector<std::string> filesIn(const QString& folder) {
    std::vector<std::string> names;
    for (const auto& entry : std::filesystem::directory_iterator(folder.toStdString()))
        names.push_back(entry.path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
}

}  // namespace

class TestProgressCancel : public QObject {
    Q_OBJECT

private slots:
    void reportsEveryStepInOrder() {
        const qf::Graph graph = qf::loadModel(qftest::sourcePath("resources/sample/digits.onnx"));
        const qf::ImageFolder folder =
            qf::openImageFolder(qftest::sourcePath("resources/sample/images"));
        std::vector<long> steps;
        qf::Progress progress;
        progress.report = [&steps](long done, long total, const std::string&) {
            QCOMPARE(total, 20L);
            steps.push_back(done);
        };
        qf::RunOptions options;
        options.pre = samplePreprocessing();
        options.maxImages = 20;
        QCOMPARE(qf::runImages(graph, folder, options, progress).images, 20);
        QCOMPARE(steps.size(), size_t{21});
        for (size_t k = 0; k < steps.size(); ++k) QCOMPARE(steps[k], static_cast<long>(k));
    }

    void stopsWhenCancelled() {
        const qf::Graph graph = qf::loadModel(qftest::sourcePath("resources/sample/digits.onnx"));
        const qf::ImageFolder folder =
            qf::openImageFolder(qftest::sourcePath("resources/sample/images"));
        std::atomic_bool cancel{false};
        long last = -1;
        qf::Progress progress;
        progress.cancel = &cancel;
        progress.report = [&](long done, long, const std::string&) {
            last = done;
            if (done == 5) cancel = true;
        };
        qf::CalibrationOptions options;
        options.pre = samplePreprocessing();
        bool cancelled = false;
        try {
            qf::calibrate(graph, folder, options, progress);
        } catch (const qf::Cancelled&) {
            cancelled = true;
        }
        QVERIFY(cancelled);
        QCOMPARE(last, 5L);
    }

    // Images, thresholds, the auto method's search (a step per searched image) and bias
    // correction share one count (the bar used to restart at 0 for the bias correction).
    void calibrationProgressNeverGoesBack() {
        const qf::Graph graph = qf::loadModel(qftest::sourcePath("resources/sample/digits.onnx"));
        const qf::ImageFolder folder =
            qf::openImageFolder(qftest::sourcePath("resources/sample/images"));
        qf::CalibrationOptions options;
        options.pre = samplePreprocessing();
        options.maxImages = 12;
        options.biasCorrectionImages = 4;
        ProgressLog log;
        const qf::CalibrationTable table = qf::calibrate(graph, folder, options, log.progress());
        QVERIFY(!table.biasCorrections.empty());
        log.verifyMonotonic();
        QCOMPARE(options.method, qf::ThresholdMethod::Auto);  // the default
        QCOMPARE(log.steps.front().second, 12L + 1 + 12 + 4);
        QVERIFY(log.named("bias correction"));
        QVERIFY(log.named("threshold search"));
    }

    void loadingReportsProgressAndCancels_data() {
        QTest::addColumn<QString>("model");
        QTest::addColumn<QString>("weights");
        QTest::newRow("onnx") << "resources/sample/digits.onnx"
                              << "";
        QTest::newRow("caffe") << "resources/sample/digits_deploy.prototxt"
                               << "resources/sample/digits.caffemodel";
    }
    void loadingReportsProgressAndCancels() {
        QFETCH(QString, model);
        QFETCH(QString, weights);
        const std::string modelPath = qftest::sourcePath(model.toStdString());
        const std::string weightsPath =
            weights.isEmpty() ? "" : qftest::sourcePath(weights.toStdString());
        ProgressLog log;
        const qf::Graph graph = qf::loadModel(modelPath, weightsPath, nullptr, log.progress());
        QVERIFY(!graph.nodes.empty());
        log.verifyMonotonic();
        QVERIFY(log.steps.size() >= 3);
        CancelAtFirstStep cancel;
        QVERIFY_THROWS_EXCEPTION(qf::Cancelled,
                                 qf::loadModel(modelPath, weightsPath, nullptr, cancel.progress()));
    }

    // Saving and the QDQ export report progress; cancelled, they leave the folder as it was
    // (the old file untouched, no temporary left behind).
    void savingReportsProgressAndCancelsCleanly() {
        const qf::Graph onnx = qf::loadModel(qftest::sourcePath("resources/sample/digits.onnx"));
        const qf::Graph caffe =
            qf::loadModel(qftest::sourcePath("resources/sample/digits_deploy.prototxt"),
                          qftest::sourcePath("resources/sample/digits.caffemodel"));
        QTemporaryDir dir;
        const std::string onnxPath = (dir.path() + "/out.onnx").toStdString();
        const std::string prototxt = (dir.path() + "/out.prototxt").toStdString();
        const std::string caffemodel = (dir.path() + "/out.caffemodel").toStdString();
        ProgressLog onnxLog, caffeLog;
        qf::saveModel(onnx, onnxPath, "", {}, onnxLog.progress());
        qf::saveModel(caffe, prototxt, caffemodel, {}, caffeLog.progress());
        onnxLog.verifyMonotonic();
        caffeLog.verifyMonotonic();
        const auto before = filesIn(dir.path());
        const std::string oldBytes = qf::readFile(onnxPath);
        {
            CancelAtFirstStep cancel;
            QVERIFY_THROWS_EXCEPTION(qf::Cancelled,
                                     qf::saveModel(onnx, onnxPath, "", {}, cancel.progress()));
        }
        {
            CancelAtFirstStep cancel;
            QVERIFY_THROWS_EXCEPTION(
                qf::Cancelled, qf::saveModel(caffe, prototxt, caffemodel, {}, cancel.progress()));
        }
        QCOMPARE(filesIn(dir.path()), before);
        QCOMPARE(qf::readFile(onnxPath), oldBytes);

        const qf::ImageFolder folder =
            qf::openImageFolder(qftest::sourcePath("resources/sample/images"));
        qf::CalibrationOptions options;
        options.pre = samplePreprocessing();
        options.maxImages = 4;
        const qf::CalibrationTable table = qf::calibrate(onnx, folder, options);
        ProgressLog qdqLog;
        const std::string qdqPath = (dir.path() + "/int8.onnx").toStdString();
        QVERIFY(!qf::exportQdqOnnx(onnx, table, {}, qdqPath, qdqLog.progress()).empty());
        qdqLog.verifyMonotonic();
        const std::string qdqBytes = qf::readFile(qdqPath);
        CancelAtFirstStep cancel;
        QVERIFY_THROWS_EXCEPTION(qf::Cancelled,
                                 qf::exportQdqOnnx(onnx, table, {}, qdqPath, cancel.progress()));
        QCOMPARE(qf::readFile(qdqPath), qdqBytes);
        QCOMPARE(filesIn(dir.path()).size(), before.size() + 1);
    }
};

QTEST_GUILESS_MAIN(TestProgressCancel)
#include "test_progress_cancel.moc"

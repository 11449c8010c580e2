// Long operations report progress and stop when their cancel flag is set (the GUI's progress
// bar and Cancel button rely on both).
#include <QtTest>
#include <atomic>

#include "calibration/calibrator.h"
#include "evaluate/inference_run.h"
#include "formats/model_io.h"
#include "test_support.h"

namespace {

qf::Preprocessing samplePreprocessing() {
    return qftest::preprocessing(16, 16, 1.0f / 255, {0.5f, 0.5f, 0.5f}, {0.5f, 0.5f, 0.5f});
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
};

QTEST_GUILESS_MAIN(TestProgressCancel)
#include "test_progress_cancel.moc"

// The incremental comparison session against a fresh compareInt8 (the independent reference:
// it builds every layer and runs everything again) after each of several successive edits, on
// ResNet-20 (cifar10, 50 eval images; RetinaFace: test_comparison_session_retinaface):
// every number of the report must be identical, bit for bit. Also: what it re-runs, its memory
// budget, bias corrections it re-measures (against measureBiasCorrections), and cancel.
#include <QtTest>
#include <atomic>
#include <cstring>

#include "quantize/bias_correction.h"
#include "session_test_support.h"

using namespace sessiontest;

class TestComparisonSession : public QObject {
    Q_OBJECT

private slots:
    void resnet20SuccessiveEdits() {
        QF_SHARED(model, "cifar10/resnet20/resnet20_cifar10.onnx");
        successiveEdits(resnet20(), false);
    }

    // A re-measured correction is what measureBiasCorrections measures on the same images for
    // the edited threshold.
    void remeasuredCorrectionMatchesCalibration() {
        QF_SHARED(model, "cifar10/resnet20/resnet20_cifar10.onnx");
        const Model& m = resnet20();
        qf::ComparisonSessionOptions options;
        options.comparison.pre = m.pre;
        options.comparison.maxImages = 10;
        options.calibrationImages = m.calibration;
        options.biasCorrectionImages = 6;
        qf::ComparisonSession session(m.graph, m.eval, options);
        qf::CalibrationTable table = m.table;
        qf::Int8Options int8;
        session.update(table, int8);
        const std::string layer = session.plan().quantizedNodes().at(3);
        const qf::NodePlan& entry = *session.plan().find(layer);
        const std::string input = entry.inputs[0].tensor;
        qf::Int8Edit::setManualThreshold(input, entry.inputs[0].threshold * 0.6).apply(table, int8);
        session.update(table, int8);
        QCOMPARE(session.plan().find(layer)->bias.state, qf::BiasCorrectionState::Applied);

        std::vector<qf::Tensor> inputs;
        qf::forEachImageAt(
            m.calibration, qf::spreadPositions(m.calibration.images.size(), 6),
            qf::withModelSize(m.pre, m.graph->inputs[0].shape), 3, {},
            [&](const qf::LabeledImage&, const qf::Tensor& x) { inputs.push_back(x); });
        const auto expected = qf::measureBiasCorrections(*m.graph, table, int8, inputs);
        const qf::BiasCorrection& mine = session.table().biasCorrections.at(layer);
        QCOMPARE(mine.delta, expected.at(layer).delta);
        QCOMPARE(mine.inputThreshold, expected.at(layer).inputThreshold);
    }

    // Past a small budget the session recomputes instead of caching, with the same numbers.
    void smallBudgetRecomputes() {
        QF_SHARED(model, "cifar10/resnet20/resnet20_cifar10.onnx");
        const Model& m = resnet20();
        qf::ComparisonSessionOptions options;
        options.comparison.pre = m.pre;
        options.comparison.maxImages = 20;
        options.memoryBudget = 4 << 20;
        qf::ComparisonSession session(m.graph, m.eval, options);
        qf::CalibrationTable table = m.table;
        qf::Int8Options int8;
        session.update(table, int8);
        const auto [firstInput, lastInput] = firstAndLastInputs(session.plan());
        qf::Int8Edit::setManualThreshold(lastInput, table.tensors.at(lastInput).threshold() * 0.5)
            .apply(table, int8);
        const qf::Int8ComparisonReport& report = session.update(table, int8);
        QVERIFY(session.cacheBytes() <= options.memoryBudget);
        QVERIFY(session.lastUpdate().imagesFromCache < report.images);
        compareReports(report, qf::compareInt8(*m.graph, table, int8, m.eval, options.comparison));
    }

    // Cancelled halfway, the session keeps its report and the next update is still exact.
    void cancelKeepsThePreviousState() {
        QF_SHARED(model, "cifar10/resnet20/resnet20_cifar10.onnx");
        const Model& m = resnet20();
        qf::ComparisonSessionOptions options;
        options.comparison.pre = m.pre;
        options.comparison.maxImages = 20;
        std::atomic_bool cancel{false};
        qf::Progress progress;
        progress.cancel = &cancel;
        progress.report = [&](long done, long total, const std::string&) {
            if (total > 0 && done == total / 2) cancel = true;
        };
        try {
            qf::ComparisonSession cancelled(m.graph, m.eval, options, progress);
            QFAIL("creation must stop when cancelled");
        } catch (const qf::Cancelled&) {
        }
        cancel = false;
        qf::ComparisonSession session(m.graph, m.eval, options);
        qf::CalibrationTable table = m.table;
        qf::Int8Options int8;
        session.update(table, int8);
        const qf::Int8ComparisonReport before = session.report();
        const auto [firstInput, lastInput] = firstAndLastInputs(session.plan());
        qf::Int8Edit::setManualThreshold(firstInput, 1.5).apply(table, int8);
        bool stopped = false;
        try {
            session.update(table, int8, progress);
        } catch (const qf::Cancelled&) {
            stopped = true;
        }
        QVERIFY(stopped);
        compareReports(session.report(), before);
        cancel = false;
        compareReports(session.update(table, int8),
                       qf::compareInt8(*m.graph, table, int8, m.eval, options.comparison));
    }
};

QTEST_GUILESS_MAIN(TestComparisonSession)
#include "test_comparison_session.moc"

// Calibrating and tuning int8 in the GUI on the bundled sample: the panel calibrates (and a
// cancelled run keeps the table), the histogram plot holds the tensor's bins and one line per
// method, a mouse drag of the line in use sets the manual threshold (undoable), and the live
// comparison then equals `quantfold-cli compare` with a table holding that threshold; ticking
// FP32 keep changes the plan and the numbers as the CLI's --keep-fp32 does.
#include <qcustomplot.h>

#include <QCheckBox>
#include <QComboBox>
#include <QDockWidget>
#include <QFileInfo>
#include <QJsonArray>
#include <QSpinBox>
#include <QStandardItemModel>
#include <QTemporaryDir>
#include <QUndoStack>

#include "calibration/table_files.h"
#include "calibration_test_support.h"
#include "evaluate/int8_comparison.h"
#include "ui/calibration/calibration_panel.h"
#include "ui/calibration/histogram_view.h"
#include "ui/calibration/int8_workbench.h"
#include "ui/calibration/quant_session.h"
#include "ui/comparison/comparison_panel.h"

using namespace qftest;

using namespace calibtest;

namespace {

constexpr int kImages = 40;

const CliModel& sample() {
    static const CliModel model{{qsample("digits.onnx")},
                                qsample("images"),
                                kImages,
                                {"--size", "16x16", "--scale", "0.00392156862745098", "--mean",
                                 "0.5,0.5,0.5", "--std", "0.5,0.5,0.5", "--rgb"}};
    return model;
}

void setSamplePreprocessing(qf::ui::QuantSession& session) {
    auto& pre = session.settings().pre;
    pre.width = 16;
    pre.height = 16;
    pre.scale = 0.00392156862745098f;
    pre.mean = {0.5f, 0.5f, 0.5f};
    pre.std = {0.5f, 0.5f, 0.5f};
    pre.rgb = true;
}

}  // namespace

class TestCalibrationPanel : public QObject {
    Q_OBJECT
    std::unique_ptr<RecordingWindow> window_;
    qf::ui::Int8Workbench* int8_ = nullptr;
    qf::ui::QuantSession* session_ = nullptr;
    QTemporaryDir dir_;

private slots:
    void initTestCase() {
        isolateSettings();
        window_ = std::make_unique<RecordingWindow>();
        QVERIFY(openAndWait(*window_, {qsample("digits.onnx")}));
        int8_ = (*window_)->int8();
        QVERIFY(int8_);
        session_ = int8_->session();
        session_->setDebounceMs(150);
        (*window_)->show();
        QVERIFY(QTest::qWaitForWindowExposed(window_->window.get()));
    }

    void folderScanListsUnreadableFiles() {
        QDir().mkpath(dir_.filePath("mixed"));
        for (const char* name : {"img_0000.png", "img_0001.png", "img_0002.png"})
            QVERIFY(QFile::copy(qsample(QString("images/") + name),
                                dir_.filePath(QString("mixed/") + name)));
        QFile bad(dir_.filePath("mixed/broken.png"));
        QVERIFY(bad.open(QIODevice::WriteOnly));
        bad.write("not a png");
        bad.close();
        auto* panel = int8_->calibrationPanel();
        panel->setImageFolder(dir_.filePath("mixed"));
        QCOMPARE(panel->imageCount(), 3);
        QCOMPARE(panel->unreadableFiles(), QStringList{"broken.png"});
    }

    void calibrateThroughThePanel() {
        auto* panel = int8_->calibrationPanel();
        setSamplePreprocessing(*session_);
        panel->loadSettings();
        panel->setImageFolder(qsample("images"));
        panel->maxImagesBox()->setValue(kImages);
        QCOMPARE(panel->imageCount(), 200);
        QVERIFY(panel->unreadableFiles().isEmpty());
        // The preview is the first image as the network sees it: x in [-1, 1].
        QVERIFY(panel->previewRange().first >= -1.0 - 1e-6);
        QVERIFY(panel->previewRange().second <= 1.0 + 1e-6);
        QVERIFY(panel->previewRange().second > panel->previewRange().first);

        QSignalSpy finished(session_, &qf::ui::QuantSession::calibrationFinished);
        QTest::mouseClick(panel->runButton(), Qt::LeftButton);
        QVERIFY(finished.wait(300000));
        QCOMPARE(finished.first().first().toBool(), true);
        QVERIFY(session_->hasTable());
        QCOMPARE(session_->table().images, kImages);
        QVERIFY(session_->table().tensors.size() >= 3);
        QVERIFY(waitComparison(*session_));
        QVERIFY(!session_->comparison()->report.layers.empty());
        compareWithCli(session_->comparison()->report,
                       cliCompare(*session_, sample(), dir_.filePath("first.json")));
    }

    void cancelKeepsThePreviousTable() {
        const qf::CalibrationTable* before = &session_->table();
        const int images = before->images;
        const std::string first = before->tensors.begin()->first;
        const double threshold = before->tensors.begin()->second.threshold();
        session_->settings().maxImages = 0;  // all 200: long enough to cancel
        QSignalSpy finished(session_, &qf::ui::QuantSession::calibrationFinished);
        session_->calibrate();
        QVERIFY(session_->isCalibrating());
        session_->cancelCalibration();
        QVERIFY(finished.wait(300000));
        QCOMPARE(finished.first().first().toBool(), false);
        QCOMPARE(&session_->table(), before);
        QCOMPARE(session_->table().images, images);
        QCOMPARE(session_->table().find(first)->threshold(), threshold);
        session_->settings().maxImages = kImages;
        int8_->calibrationPanel()->maxImagesBox()->setValue(kImages);
    }

    void histogramHoldsBinsAndOneLinePerMethod() {
        auto* view = int8_->histogramView();
        const std::string tensor =
            session_->comparison()->plan.find("conv2")->inputs.front().tensor;
        int8_->showNode("conv2");
        QCOMPARE(view->tensor().toStdString(), tensor);
        const qf::TensorCalibration& calibration = *session_->table().find(tensor);
        const auto& counts = calibration.histogram.counts();
        size_t last = counts.size();
        while (last > 0 && counts[last - 1] == 0.0) --last;
        QCOMPARE(static_cast<size_t>(view->histogramGraph()->dataCount()), last);
        for (size_t k = 0; k < last; ++k) {
            const double y =
                (view->histogramGraph()->data()->constBegin() + static_cast<int>(k))->value;
            if (counts[k] > 0.0)
                QCOMPARE(y, counts[k]);
            else
                QVERIFY(std::isnan(y));
        }
        // Every method the table holds: the histogram methods and, calibrated with auto, its own.
        QCOMPARE(view->lines().size(), static_cast<int>(calibration.thresholds.size()));
        QVERIFY(calibration.thresholds.size() >= qf::allThresholdMethods().size());
        for (const auto& [method, threshold] : calibration.thresholds) {
            const QString name = QString::fromStdString(qf::methodName(method));
            QVERIFY2(view->lines().contains(name), qPrintable(name));
            QCOMPARE(view->lines()[name]->point1->coords().x(), calibration.thresholds.at(method));
        }
        QVERIFY(view->lineInUse());
        QCOMPARE(view->lineInUse()->pen().widthF(), 3.0);
        QCOMPARE(view->lineInUse(),
                 view->lines()[QString::fromStdString(qf::methodName(calibration.method))]);
        // The second plot: the kl and mse curves, and the errors the auto method measured.
        QCOMPARE(calibration.method, qf::ThresholdMethod::Auto);
        QCOMPARE(view->curvePlot()->graphCount(), calibration.candidates.empty() ? 2 : 3);
        QVERIFY(view->curvePlot()->graph(0)->dataCount() > 0);
    }

    void dragSetsTheManualThresholdAndMatchesTheCli() {
        int8_->histogramDock()->show();
        auto* view = int8_->histogramView();
        const std::string tensor = view->tensor().toStdString();
        const double before = session_->table().find(tensor)->threshold();
        const double released = dragLineInUse(*view, 0.6);
        const auto& manual = session_->table().find(tensor)->manualThreshold;
        QVERIFY(manual.has_value());
        QCOMPARE(*manual, released);
        QVERIFY(*manual < before);
        QVERIFY(session_->isStale());
        QCOMPARE(view->lineInUse(), view->lines()["manual"]);

        QVERIFY(waitComparison(*session_));
        shot(*window_->window, "sample-histogram-dragged");
        const qf::NodePlan* conv2 = session_->comparison()->plan.find("conv2");
        QCOMPARE(conv2->inputs.front().threshold, *manual);
        compareWithCli(session_->comparison()->report,
                       cliCompare(*session_, sample(), dir_.filePath("dragged.json")));

        // One undo step per drag: undo clears the manual threshold again.
        QUndoStack* stack = window_->document().undoStack();
        stack->undo();
        QVERIFY(!session_->table().find(tensor)->manualThreshold);
        stack->redo();
        QCOMPARE(*session_->table().find(tensor)->manualThreshold, *manual);
        QVERIFY(waitComparison(*session_));
    }

    void keepFp32ChangesPlanAndNumbers() {
        auto* panel = int8_->comparisonPanel();
        const int row = panel->rowOf("conv2");
        QVERIFY(row >= 0);
        const double cosineBefore = session_->comparison()->report.outputs.front().cosine;
        QStandardItem* keep = panel->layersModel()->item(row, qf::ui::ComparisonPanel::KeepFp32);
        QVERIFY(keep->isCheckable());
        keep->setCheckState(Qt::Checked);
        QVERIFY(session_->isStale());
        QVERIFY(waitComparison(*session_));
        const qf::NodePlan* conv2 = session_->comparison()->plan.find("conv2");
        QCOMPARE(conv2->precision, qf::NodePrecision::Fp32);
        QCOMPARE(conv2->fp32Reason, qf::Fp32Reason::KeptByRequest);
        QVERIFY(session_->options().keepFp32.count("conv2"));
        QVERIFY(session_->comparison()->report.outputs.front().cosine != cosineBefore);
        compareWithCli(
            session_->comparison()->report,
            cliCompare(*session_, sample(), dir_.filePath("kept.json"), {"--keep-fp32", "conv2"}));
        // The table shows it kept; unticking gives the int8 layer back.
        const int keptRow = panel->rowOf("conv2");
        QCOMPARE(
            panel->layersModel()->item(keptRow, qf::ui::ComparisonPanel::KeepFp32)->checkState(),
            Qt::Checked);
        panel->layersModel()
            ->item(keptRow, qf::ui::ComparisonPanel::KeepFp32)
            ->setCheckState(Qt::Unchecked);
        QVERIFY(waitComparison(*session_));
        QCOMPARE(session_->comparison()->plan.find("conv2")->precision, qf::NodePrecision::Int8);
    }

    void newerChangeCancelsTheRunningUpdate() {
        const std::string tensor = int8_->histogramView()->tensor().toStdString();
        // Three edits faster than the debounce: one update measures the last of them.
        for (double t : {0.5, 0.6, 0.7})
            QVERIFY(session_->edit(qf::Int8Edit::setManualThreshold(tensor, t)));
        QVERIFY(waitComparison(*session_));
        QCOMPARE(session_->comparison()->table.find(tensor)->manualThreshold.value(), 0.7);
    }

    void projectRoundTripRestoresThresholdsAndKeeps() {
        const std::string tensor = int8_->histogramView()->tensor().toStdString();
        QVERIFY(session_->edit(qf::Int8Edit::setManualThreshold(tensor, 0.9)));
        QVERIFY(session_->edit(qf::Int8Edit::setKeepFp32("conv3", true)));
        QVERIFY(waitComparison(*session_));
        const qf::Int8ComparisonReport saved = session_->comparison()->report;
        const QString project = dir_.filePath("tuned.qfproj");
        window_->document().saveProject(project);
        QVERIFY(QFileInfo::exists(qf::ui::QuantSession::tablePathFor(project)));

        RecordingWindow reopened;
        QVERIFY(reopened->openFiles({project}));
        QVERIFY(waitIdle(reopened.document()));
        qf::ui::QuantSession& session = *reopened->int8()->session();
        QVERIFY(waitComparison(session));
        QVERIFY(reopened.errors.empty());
        QCOMPARE(session.table().find(tensor)->manualThreshold.value(), 0.9);
        QVERIFY(session.options().keepFp32.count("conv3"));
        QCOMPARE(session.settings().maxImages, kImages);
        QCOMPARE(session.settings().imageFolder, QDir::cleanPath(qsample("images")));
        QCOMPARE(session.settings().pre.scale, 0.00392156862745098f);
        QCOMPARE(session.comparison()->report.outputs.front().cosine, saved.outputs.front().cosine);
        QCOMPARE(session.comparison()->report.layers.size(), saved.layers.size());
        QCOMPARE(reopened->int8()->calibrationPanel()->imageCount(), 200);
    }

    // The sample's three BatchNorms are unfolded: the panel says so with their count and folds
    // them in one undo step; the hint goes once nothing is left to fold and comes back on undo.
    void unfoldedLayersHintFoldsAll() {
        qf::ui::CalibrationPanel* panel = int8_->calibrationPanel();
        qf::ui::Document& document = window_->document();
        const int foldable = document.facts().foldableCount();
        QVERIFY(foldable > 0);
        QVERIFY(!panel->foldHint()->isHidden());
        QVERIFY2(panel->foldHintText()->text().startsWith(QString::number(foldable) + " "),
                 qPrintable(panel->foldHintText()->text()));
        int8_->calibrationDock()->show();
        int8_->calibrationDock()->raise();
        shot(*window_->window, "calibration-fold-hint");
        const int undoBefore = document.undoStack()->count();
        QTest::mouseClick(panel->foldAllButton(), Qt::LeftButton);
        QVERIFY(waitIdle(document));
        QCOMPARE(document.facts().foldableCount(), 0);
        QCOMPARE(document.undoStack()->count(), undoBefore + 1);
        QVERIFY(panel->foldHint()->isHidden());
        document.undoStack()->undo();
        QVERIFY(!panel->foldHint()->isHidden());
        document.undoStack()->redo();
        QVERIFY(panel->foldHint()->isHidden());
    }

    void cleanupTestCase() { window_.reset(); }
};

QTEST_MAIN(TestCalibrationPanel)
#include "test_calibration_panel.moc"

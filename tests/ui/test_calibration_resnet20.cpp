// ResNet-20 (CIFAR-10) in the int8 GUI: calibrate 100 images through the panel, drag the
// threshold of a residual block's conv input and measure the time from the release to updated
// numbers (the target: <= 1 s on this 2-core machine; printed beside a full
// comparison's time), check the numbers against `quantfold-cli compare`, then keep the worst
// layer in FP32. Screenshots when QF_SHOTS_DIR is set.
#include <QDockWidget>
#include <QSpinBox>
#include <QStandardItemModel>
#include <QTableView>
#include <QTemporaryDir>

#include "calibration_test_support.h"
#include "evaluate/int8_comparison.h"
#include "ui/calibration/calibration_panel.h"
#include "ui/calibration/int8_workbench.h"
#include "ui/comparison/comparison_panel.h"

using namespace qftest;
using namespace calibtest;

class TestCalibrationResnet20 : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() { isolateSettings(); }

    void calibrateDragAndKeep() {
        QF_SHARED(model, "cifar10/resnet20/resnet20_cifar10.onnx");
        QF_SHARED(images, "cifar10/images/calib");
        constexpr int kImages = 100;
        const CliModel cli{{QString::fromStdString(model)},
                           QString::fromStdString(images),
                           kImages,
                           {"--size", "32x32", "--scale", "0.00392156862745098", "--mean",
                            "0.485,0.456,0.406", "--std", "0.229,0.224,0.225", "--rgb"}};
        QTemporaryDir dir;
        RecordingWindow window;
        window->resize(1600, 1000);
        QVERIFY(openAndWait(window, cli.files));
        window->show();
        QVERIFY(QTest::qWaitForWindowExposed(window.window.get()));
        auto* int8 = window->int8();
        qf::ui::QuantSession& session = *int8->session();
        setCifarPreprocessing(session, *int8->calibrationPanel());
        int8->calibrationPanel()->setImageFolder(cli.images);
        int8->calibrationPanel()->maxImagesBox()->setValue(kImages);
        QCOMPARE(int8->calibrationPanel()->imageCount(), 1000);
        int8->calibrationDock()->show();
        shot(*window.window, "resnet20-calibration-panel");

        QSignalSpy finished(&session, &qf::ui::QuantSession::calibrationFinished);
        QElapsedTimer timer;
        timer.start();
        QTest::mouseClick(int8->calibrationPanel()->runButton(), Qt::LeftButton);
        QVERIFY(finished.wait(600000));
        QVERIFY(finished.first().first().toBool());
        const qint64 calibrationMs = timer.elapsed();
        timer.restart();
        QVERIFY(waitComparison(session));
        const qint64 firstComparisonMs = timer.elapsed();
        QCOMPARE(session.comparison()->report.images, kImages);

        // A conv in the middle of the network: the update re-runs int8 from there on.
        const qf::Int8Plan plan = session.comparison()->plan;  // a copy: updates replace it
        const std::vector<std::string> quantized = plan.quantizedNodes();
        QVERIFY(quantized.size() > 10);
        const QString middle = QString::fromStdString(quantized[quantized.size() / 2]);
        // Selected in the graph (as a click there reports it): the histogram follows.
        window->graphView()->selectNode(middle, true);
        emit window->graphView()->nodeSelected(middle);
        auto* view = int8->histogramView();
        QCOMPARE(view->tensor().toStdString(),
                 plan.find(middle.toStdString())->inputs.front().tensor);
        const double released = dragLineInUse(*view, 0.5);
        timer.restart();
        QVERIFY(session.isStale());
        QVERIFY(waitComparison(session));
        const qint64 dragMs = timer.elapsed();
        QCOMPARE(*session.table().find(view->tensor().toStdString())->manualThreshold, released);
        shot(*window.window, "resnet20-histogram-dragged");

        // The full comparison the session replaces, for the record.
        timer.restart();
        qf::ComparisonOptions options;
        options.pre = session.settings().pre;
        options.maxImages = kImages;
        const qf::Int8ComparisonReport full =
            qf::compareInt8(*window.document().state().graph, session.comparison()->table,
                            session.comparison()->plan.options,
                            qf::openImageFolder(cli.images.toStdString()), options);
        const qint64 fullMs = timer.elapsed();
        qInfo(
            "ResNet-20, %d images: calibration %lld ms, first comparison %lld ms, drag release "
            "-> updated numbers %lld ms (150 ms debounce included; session update %.0f ms), full "
            "compareInt8 %lld ms",
            kImages, calibrationMs, firstComparisonMs, dragMs,
            session.comparison()->seconds * 1000.0, fullMs);
        QCOMPARE(full.outputs.front().cosine, session.comparison()->report.outputs.front().cosine);
        compareWithCli(session.comparison()->report,
                       cliCompare(session, cli, dir.filePath("dragged.json")));
        // The update was incremental: int8 re-ran from the dragged layer on, not from the start
        // (wall time on a shared 2-core machine is reported above, not asserted).
        QVERIFY(session.comparison()->stats.firstNode > 0);
        QVERIFY(session.comparison()->stats.firstNode <= plan.find(middle.toStdString())->index);
        QVERIFY(session.comparison()->stats.rebuiltLayers <= 2);

        // Keep the layer with the worst propagated SQNR in FP32 through its tick box.
        auto* panel = int8->comparisonPanel();
        std::string worst;
        double worstSqnr = 1e300;
        for (const auto& layer : session.comparison()->report.layers)
            if (layer.sqnrDb < worstSqnr) {
                worstSqnr = layer.sqnrDb;
                worst = layer.name;
            }
        const int row = panel->rowOf(QString::fromStdString(worst));
        QVERIFY(row >= 0);
        panel->layersModel()
            ->item(row, qf::ui::ComparisonPanel::KeepFp32)
            ->setCheckState(Qt::Checked);
        QVERIFY(waitComparison(session));
        QCOMPARE(session.comparison()->plan.find(worst)->fp32Reason, qf::Fp32Reason::KeptByRequest);
        compareWithCli(session.comparison()->report,
                       cliCompare(session, cli, dir.filePath("kept.json"),
                                  {"--keep-fp32", QString::fromStdString(worst)}));
        panel->layersView()->sortByColumn(qf::ui::ComparisonPanel::Sqnr, Qt::AscendingOrder);
        int8->comparisonDock()->raise();
        shot(*window.window, "resnet20-comparison");
    }
};

QTEST_MAIN(TestCalibrationResnet20)
#include "test_calibration_resnet20.moc"

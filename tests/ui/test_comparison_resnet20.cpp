// The comparison view on ResNet-20 (CIFAR-10, 100 images): the SQNR chart has the report's
// numbers, the sensitivity ranking from the view (4 images) equals rankLayerSensitivity called
// directly, the image strip puts the disagreements first with the report's top-1, and the heat
// map colours every quantized node and marks the layer kept in FP32. Screenshots of the views when
// QF_SHOTS_DIR is set (tools/screenshots.sh runs this under Xvfb).
#include <qcustomplot.h>

#include <QDockWidget>
#include <QListWidget>
#include <QSpinBox>
#include <QTabWidget>
#include <QTableWidget>

#include "calibration_test_support.h"
#include "evaluate/int8_comparison.h"
#include "ui/calibration/calibration_panel.h"
#include "ui/calibration/int8_workbench.h"
#include "ui/comparison/comparison_panel.h"
#include "ui/comparison/heat_map_control.h"
#include "ui/comparison/image_strip.h"
#include "ui/comparison/layer_sqnr_chart.h"
#include "ui/comparison/sensitivity_view.h"

using namespace qftest;
using namespace calibtest;

class TestComparisonResnet20 : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() { isolateSettings(); }

    void comparisonViewsOnResnet20() {
        QF_SHARED(model, "cifar10/resnet20/resnet20_cifar10.onnx");
        QF_SHARED(images, "cifar10/images/eval");
        constexpr int kImages = 100;
        RecordingWindow window;
        QVERIFY(calibrateCifarInWindow(window, model, images, kImages, QSize(1600, 1000)));
        auto* int8 = window->int8();
        qf::ui::QuantSession& session = *int8->session();
        const qf::Int8ComparisonReport& report = session.comparison()->report;
        QCOMPARE(report.images, kImages);
        const std::vector<std::string> quantized = session.comparison()->plan.quantizedNodes();
        QVERIFY(quantized.size() >= 20);

        // The window as a user arranges it to read the comparison: the calibration dock closed,
        // the comparison tall.
        int8->calibrationDock()->hide();
        window->resizeDocks({int8->comparisonDock()}, {560}, Qt::Vertical);
        window->resizeDocks({int8->histogramDock(), int8->comparisonDock()}, {520, 1080},
                            Qt::Horizontal);
        auto* panel = int8->comparisonPanel();

        // The chart: one bar per quantized layer, the report's SQNR.
        auto* chart = panel->sqnrChart();
        panel->tabs()->setCurrentWidget(chart);
        QCOMPARE(chart->bars()->dataCount() + chart->worstBars()->dataCount(),
                 static_cast<int>(quantized.size()));
        for (size_t k = 0; k < quantized.size(); ++k) {
            QCOMPARE(chart->layers()[static_cast<int>(k)].toStdString(), quantized[k]);
            QCOMPARE(chart->values()[k], report.layers[k].sqnrDb);
        }
        shot(*window.window, "comparison-sqnr-chart");

        // The sensitivity ranking on 4 images, against the core's.
        auto* sensitivity = panel->sensitivityView();
        panel->tabs()->setCurrentWidget(sensitivity);
        sensitivity->imagesBox()->setValue(4);
        QSignalSpy ranked(sensitivity, &qf::ui::SensitivityView::finished);
        QTest::mouseClick(sensitivity->runButton(), Qt::LeftButton);
        QVERIFY(ranked.wait(600000));
        QVERIFY(ranked.first().first().toBool());
        qf::ComparisonOptions options;
        options.pre = session.settings().pre;
        options.maxImages = 4;
        const std::vector<qf::LayerSensitivity> expected =
            qf::rankLayerSensitivity(*window.document().state().graph, session.table(),
                                     session.options(), qf::openImageFolder(images), options);
        QCOMPARE(sensitivity->ranking().size(), expected.size());
        QCOMPARE(expected.size(), quantized.size());
        for (size_t k = 0; k < expected.size(); ++k) {
            QCOMPARE(sensitivity->ranking()[k].name, expected[k].name);
            QCOMPARE(sensitivity->ranking()[k].outputSqnrDb, expected[k].outputSqnrDb);
            QCOMPARE(sensitivity->ranking()[k].outputCosine, expected[k].outputCosine);
        }
        shot(*window.window, "comparison-sensitivity");

        // The image strip: disagreements first, the report's top-1 on each card.
        auto* strip = panel->imageStrip();
        panel->tabs()->setCurrentWidget(strip);
        QCOMPARE(static_cast<int>(strip->shown().size()), kImages);
        QCOMPARE(strip->disagreements(), kImages - report.top1Agreements);
        for (size_t k = 0; k < strip->shown().size(); ++k)
            QCOMPARE(strip->shown()[k].agrees(), static_cast<int>(k) >= strip->disagreements());
        for (const auto& image : strip->shown()) {
            const auto it =
                std::find_if(report.imageTopK.begin(), report.imageTopK.end(),
                             [&](const qf::ImageTopK& entry) { return entry.path == image.path; });
            QVERIFY(it != report.imageTopK.end());
            QCOMPARE(image.fp32.front().index, it->fp32.front().index);
            QCOMPARE(image.int8.front().index, it->int8.front().index);
            QVERIFY(image.label >= 0);
        }
        // Top-1 accuracy from the cards is the report's.
        int fp32Hits = 0, int8Hits = 0;
        for (const auto& image : strip->shown()) {
            fp32Hits += image.fp32.front().index == image.label;
            int8Hits += image.int8.front().index == image.label;
        }
        QCOMPARE(fp32Hits, report.fp32.top1);
        QCOMPARE(int8Hits, report.int8.top1);
        // CIFAR-10's class names beside the indices.
        QVERIFY(!strip->loadClassNames(QString::fromStdString(qftest::sharedDataRoot()) +
                                       "/cifar10/no-such-file.txt"));
        QVERIFY(strip->loadClassNames(QString::fromStdString(qftest::sharedDataRoot()) +
                                      "/cifar10/labels.txt"));
        QCOMPARE(strip->classNames().size(), 10);
        QCOMPARE(qf::ui::ImageStrip::classText(strip->classNames(), 0), QString("0 airplane"));
        QCOMPARE(qf::ui::ImageStrip::classText(strip->classNames(), 9), QString("9 truck"));
        QCOMPARE(qf::ui::ImageStrip::classText(strip->classNames(), 12), QString("12"));
        QCOMPARE(strip->list()->count(), kImages);
        shot(*window.window, "comparison-images");

        // The heat map, with the most sensitive layer kept in FP32.
        const std::string kept = expected.front().name;
        QVERIFY(session.edit(qf::Int8Edit::setKeepFp32(kept, true)));
        QVERIFY(waitComparison(session));
        panel->tabs()->setCurrentIndex(0);
        window->heatMap()->setShown(true);
        qf::ui::GraphScene* scene = window->graphView()->graphScene();
        QCOMPARE(scene->heatColouredCount(),
                 static_cast<int>(session.comparison()->plan.quantizedNodes().size()));
        QCOMPARE(scene->heatFp32Count(),
                 static_cast<int>(session.comparison()->plan.fp32Nodes().size()));
        QCOMPARE(scene->node(QString::fromStdString(kept))->heat(), qf::ui::NodeItem::Heat::Fp32);
        window->heatMap()->setShown(false);
        QCOMPARE(scene->heatColouredCount(), 0);
    }
};

QTEST_MAIN(TestComparisonResnet20)
#include "test_comparison_resnet20.moc"

// The int8 error heat map on RetinaFace (Caffe, 288×416, the 9 face photos): every quantized
// node coloured, the FP32 keeps marked, the colours back after it is turned off; the image
// strip explains that it is for classifiers (RetinaFace has nine outputs). Screenshots when
// QF_SHOTS_DIR is set.
#include <qcustomplot.h>

#include <QDockWidget>
#include <QSpinBox>
#include <QTabWidget>

#include "calibration_test_support.h"
#include "ui/calibration/calibration_panel.h"
#include "ui/calibration/histogram_view.h"
#include "ui/calibration/int8_workbench.h"
#include "ui/comparison/comparison_panel.h"
#include "ui/comparison/heat_map_control.h"
#include "ui/comparison/image_strip.h"
#include "ui/comparison/layer_sqnr_chart.h"

using namespace qftest;
using namespace calibtest;

class TestHeatmapRetinaface : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() { isolateSettings(); }

    void heatMapOnRetinaface() {
        QF_SHARED(prototxt, "faces/retinaface_mnet25/mnet25.prototxt");
        QF_SHARED(weights, "faces/retinaface_mnet25/mnet25.caffemodel");
        QF_SHARED(images, "faces/images");
        RecordingWindow window;
        window->resize(1600, 1000);
        QVERIFY(openAndWait(window,
                            {QString::fromStdString(prototxt), QString::fromStdString(weights)}));
        window->show();
        QVERIFY(QTest::qWaitForWindowExposed(window.window.get()));
        // Folded first, as one quantizes it: the heat map then colours the convolutions.
        QVERIFY(window.document().foldAll() > 0);
        QVERIFY(waitIdle(window.document()));
        auto* int8 = window->int8();
        qf::ui::QuantSession& session = *int8->session();
        auto& pre = session.settings().pre;
        pre.width = 288;
        pre.height = 416;
        pre.scale = 1.0f;
        pre.mean = {0, 0, 0};
        pre.std = {1, 1, 1};
        pre.rgb = true;
        int8->calibrationPanel()->loadSettings();
        int8->calibrationPanel()->setImageFolder(QString::fromStdString(images));
        int8->calibrationPanel()->maxImagesBox()->setValue(0);
        int8->calibrationDock()->show();
        int8->calibrationDock()->raise();
        shot(*window.window, "retinaface-calibration-panel");
        QSignalSpy calibrated(&session, &qf::ui::QuantSession::calibrationFinished);
        QTest::mouseClick(int8->calibrationPanel()->runButton(), Qt::LeftButton);
        QVERIFY(calibrated.wait(900000));
        QVERIFY(calibrated.first().first().toBool());
        QVERIFY(waitComparison(session));

        // A threshold dragged on a middle layer's histogram: the session's table takes it as
        // the manual threshold and the numbers follow.
        const std::vector<std::string> quantized = session.comparison()->plan.quantizedNodes();
        const QString middle = QString::fromStdString(quantized[quantized.size() / 2]);
        int8->showNode(middle);
        int8->histogramDock()->raise();
        qf::ui::HistogramView* histogram = int8->histogramView();
        QVERIFY(!histogram->tensor().isEmpty());
        const double released = dragLineInUse(*histogram, 0.6);
        QVERIFY(waitComparison(session));
        QCOMPARE(*session.table().find(histogram->tensor().toStdString())->manualThreshold,
                 released);
        shot(*window.window, "retinaface-histogram-dragged");
        QVERIFY(session.comparison()->report.imageTopK.empty());
        QVERIFY(int8->comparisonPanel()->imageStrip()->shown().empty());
        QVERIFY(
            int8->comparisonPanel()->imageStrip()->summaryLabel()->text().contains("classifiers"));

        // The layer with the worst propagated SQNR goes back to FP32.
        const auto& layers = session.comparison()->report.layers;
        const auto worst = std::min_element(layers.begin(), layers.end(),
                                            [](auto& a, auto& b) { return a.sqnrDb < b.sqnrDb; });
        const QString kept = QString::fromStdString(worst->name);
        QVERIFY(session.edit(qf::Int8Edit::setKeepFp32(worst->name, true)));
        QVERIFY(waitComparison(session));

        // The SQNR chart of its 50-odd layers: one bar each, the names thinned out to fit.
        auto* panel = int8->comparisonPanel();
        auto* chart = panel->sqnrChart();
        panel->tabs()->setCurrentWidget(chart);
        int8->calibrationDock()->hide();
        int8->comparisonDock()->raise();
        window->resizeDocks({int8->comparisonDock()}, {600}, Qt::Vertical);
        QCOMPARE(chart->bars()->dataCount() + chart->worstBars()->dataCount(),
                 static_cast<int>(session.comparison()->plan.quantizedNodes().size()));
        shot(*window.window, "comparison-sqnr-chart-retinaface");

        // The graph as large as the window allows: the bottom docks closed.
        for (QDockWidget* dock : window->findChildren<QDockWidget*>())
            if (window->dockWidgetArea(dock) == Qt::BottomDockWidgetArea ||
                dock == int8->calibrationDock())
                dock->hide();
        window->heatMap()->setShown(true);
        qf::ui::GraphView* view = window->graphView();
        qf::ui::GraphScene* scene = view->graphScene();
        const qf::Int8Plan& plan = session.comparison()->plan;
        QVERIFY(plan.quantizedNodes().size() > 40);
        QCOMPARE(scene->heatColouredCount(), static_cast<int>(plan.quantizedNodes().size()));
        for (const auto& name : plan.quantizedNodes())
            QCOMPARE(scene->node(QString::fromStdString(name))->heat(),
                     qf::ui::NodeItem::Heat::Coloured);
        QCOMPARE(scene->heatFp32Count(), static_cast<int>(plan.fp32Nodes().size()));
        QCOMPARE(scene->node(kept)->heat(), qf::ui::NodeItem::Heat::Fp32);
        QVERIFY(view->heatLegend()->isVisible());
        view->fitToWindow();
        shot(*window.window, "heatmap-retinaface");
        view->selectNode(kept, true);
        view->setZoom(0.9);
        view->centreOnNode(kept);
        shot(*window.window, "heatmap-retinaface-detail");

        window->heatMap()->setShown(false);
        QCOMPARE(scene->heatColouredCount(), 0);
        QCOMPARE(scene->heatFp32Count(), 0);
        for (const auto& [name, item] : scene->nodes())
            if (!item->isInput()) QCOMPARE(item->fillColour(), qf::ui::kindColour(item->kind()));
    }
};

QTEST_MAIN(TestHeatmapRetinaface)
#include "test_heatmap_retinaface.moc"

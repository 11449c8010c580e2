// The comparison view's extras and the graph's error heat map on the bundled sample: the SQNR
// bar chart holds one bar per quantized layer with the report's numbers, the worst drawn red;
// clicking a bar (or a table row) selects the layer in the graph and shows its histogram; the
// sensitivity ranking run from the view equals rankLayerSensitivity called directly, a
// cancelled run keeps the previous ranking and an edit marks it stale; the image strip puts
// the disagreements first with the report's top-1; the heat map colours every quantized node,
// marks the FP32 keeps, survives a rebuild of the picture and, turned off, restores the colours.
#include <qcustomplot.h>

#include <QAction>
#include <QComboBox>
#include <QDockWidget>
#include <QListWidget>
#include <QMenu>
#include <QMenuBar>
#include <QPushButton>
#include <QSemaphore>
#include <QSpinBox>
#include <QTabWidget>
#include <QTableView>
#include <QTableWidget>
#include <QTemporaryDir>
#include <set>

#include "calibration_test_support.h"
#include "evaluate/int8_comparison.h"
#include "ui/calibration/calibration_panel.h"
#include "ui/calibration/histogram_view.h"
#include "ui/calibration/int8_workbench.h"
#include "ui/calibration/quant_session.h"
#include "ui/comparison/comparison_panel.h"
#include "ui/comparison/heat_map_control.h"
#include "ui/comparison/image_strip.h"
#include "ui/comparison/layer_sqnr_chart.h"
#include "ui/comparison/sensitivity_view.h"

using namespace qftest;
using namespace calibtest;

namespace {

constexpr int kImages = 40;

// The height of bar `index` (a layer in graph order), red or not; NaN when there is none.
double barHeight(const qf::ui::LayerSqnrChart& chart, int index) {
    for (QCPBars* bars : {chart.bars(), chart.worstBars()})
        for (auto it = bars->data()->constBegin(); it != bars->data()->constEnd(); ++it)
            if (it->key == index) return it->value;
    return std::nan("");
}

}  // namespace

class TestComparisonViews : public QObject {
    Q_OBJECT
    std::unique_ptr<RecordingWindow> window_;
    qf::ui::Int8Workbench* int8_ = nullptr;
    qf::ui::QuantSession* session_ = nullptr;
    qf::ui::ComparisonPanel* panel_ = nullptr;

    const qf::Int8ComparisonReport& report() { return session_->comparison()->report; }

private slots:
    void initTestCase() {
        isolateSettings();
        window_ = std::make_unique<RecordingWindow>();
        QVERIFY(openAndWait(*window_, {qsample("digits.onnx")}));
        int8_ = (*window_)->int8();
        session_ = int8_->session();
        panel_ = int8_->comparisonPanel();
        (*window_)->show();
        QVERIFY(QTest::qWaitForWindowExposed(window_->window.get()));
        auto& pre = session_->settings().pre;
        pre.width = pre.height = 16;
        pre.scale = 0.00392156862745098f;
        pre.mean = {0.5f, 0.5f, 0.5f};
        pre.std = {0.5f, 0.5f, 0.5f};
        pre.rgb = true;
        int8_->calibrationPanel()->loadSettings();
        int8_->calibrationPanel()->setImageFolder(qsample("images"));
        int8_->calibrationPanel()->maxImagesBox()->setValue(kImages);
        QSignalSpy finished(session_, &qf::ui::QuantSession::calibrationFinished);
        QTest::mouseClick(int8_->calibrationPanel()->runButton(), Qt::LeftButton);
        QVERIFY(finished.wait(300000));
        QVERIFY(finished.first().first().toBool());
        QVERIFY(waitComparison(*session_));
        QVERIFY(int8_->comparisonDock()->isVisible());
    }

    void chartHasOneBarPerQuantizedLayer() {
        auto* chart = panel_->sqnrChart();
        const std::vector<std::string> quantized = session_->comparison()->plan.quantizedNodes();
        QVERIFY(quantized.size() >= 3);
        QCOMPARE(chart->bars()->dataCount() + chart->worstBars()->dataCount(),
                 static_cast<int>(quantized.size()));
        QCOMPARE(chart->layers().size(), static_cast<int>(quantized.size()));
        for (size_t k = 0; k < quantized.size(); ++k) {
            const qf::LayerError& layer = report().layers[k];
            QCOMPARE(chart->layers()[static_cast<int>(k)].toStdString(), quantized[k]);
            QCOMPARE(layer.name, quantized[k]);
            QCOMPARE(chart->values()[k], layer.sqnrDb);
            QVERIFY(std::isfinite(layer.sqnrDb));
            QCOMPARE(barHeight(*chart, static_cast<int>(k)), layer.sqnrDb);
        }
        // The worst three are red: the three lowest SQNRs.
        QCOMPARE(chart->worstBars()->dataCount(), 3);
        std::vector<double> sorted;
        for (const auto& layer : report().layers) sorted.push_back(layer.sqnrDb);
        std::sort(sorted.begin(), sorted.end());
        for (const QString& name : chart->worstLayers()) {
            const int index = static_cast<int>(chart->layers().indexOf(name));
            QVERIFY(chart->values()[static_cast<size_t>(index)] <= sorted[2]);
        }
        // Alone: the layers' own SQNR on FP32 inputs.
        chart->setMeasure(qf::ui::LayerSqnrChart::Measure::Alone);
        for (size_t k = 0; k < quantized.size(); ++k) {
            QCOMPARE(chart->values()[k], report().layers[k].aloneSqnrDb);
            QCOMPARE(barHeight(*chart, static_cast<int>(k)), report().layers[k].aloneSqnrDb);
        }
        chart->setMeasure(qf::ui::LayerSqnrChart::Measure::Propagated);
        QCOMPARE(chart->values()[0], report().layers[0].sqnrDb);
    }

    void clickingABarSelectsTheLayer() {
        auto* chart = panel_->sqnrChart();
        panel_->tabs()->setCurrentWidget(chart);
        int8_->comparisonDock()->raise();
        QTest::qWait(50);
        chart->plot()->replot();
        for (const int index : {static_cast<int>(chart->layers().size()) - 1, 0}) {
            const QString layer = chart->layers()[index];
            QVERIFY(window_->window->graphView()->selectedNode() != layer);
            QSignalSpy activated(int8_, &qf::ui::Int8Workbench::nodeActivated);
            QTest::mouseClick(chart->plot(), Qt::LeftButton, {}, chart->barCentre(index));
            QCOMPARE(activated.count(), 1);
            QCOMPARE(window_->window->graphView()->selectedNode(), layer);
            QCOMPARE(int8_->histogramView()->tensor(), session_->tensorOfNode(layer));
            QVERIFY(!int8_->histogramView()->tensor().isEmpty());
            // The comparison view follows: the bar outlined, the table's row selected.
            QCOMPARE(chart->selectedLayer(), layer);
            QVERIFY(chart->selectionShown());
            const QModelIndexList rows = panel_->layersView()->selectionModel()->selectedRows();
            QCOMPARE(rows.size(), 1);
            QCOMPARE(rows.front().data().toString(), layer);
        }
        // A node without a bar (not quantized) removes the outline.
        window_->window->graphView()->selectNode("pool1", false);
        emit window_->window->graphView()->nodeSelected("pool1");
        QVERIFY(!chart->selectionShown());
        // A click beside the bars selects nothing new.
        QSignalSpy activated(int8_, &qf::ui::Int8Workbench::nodeActivated);
        const QPoint between = (chart->barCentre(0) + chart->barCentre(1)) / 2;
        QTest::mouseClick(chart->plot(), Qt::LeftButton, {}, between);
        QCOMPARE(activated.count(), 0);

        // A row of the per-layer table does the same.
        panel_->tabs()->setCurrentIndex(0);
        QTest::qWait(50);
        QTableView* table = panel_->layersView();
        const int row = panel_->rowOf(chart->layers()[1]);
        const QModelIndex cell = table->model()->index(row, qf::ui::ComparisonPanel::Layer);
        QTest::mouseClick(table->viewport(), Qt::LeftButton, {}, table->visualRect(cell).center());
        QCOMPARE(window_->window->graphView()->selectedNode(), chart->layers()[1]);
        QCOMPARE(int8_->histogramView()->tensor(), session_->tensorOfNode(chart->layers()[1]));
    }

    void sensitivityRankingEqualsTheCore() {
        auto* view = panel_->sensitivityView();
        panel_->tabs()->setCurrentWidget(view);
        view->imagesBox()->setValue(12);
        QSignalSpy finished(view, &qf::ui::SensitivityView::finished);
        QTest::mouseClick(view->runButton(), Qt::LeftButton);
        QVERIFY(view->isRunning());
        QVERIFY(view->cancelButton()->isEnabled());
        QVERIFY(finished.wait(300000));
        QVERIFY(finished.first().first().toBool());
        QVERIFY(!view->isStale());

        qf::ComparisonOptions options;
        options.pre = session_->settings().pre;
        options.maxImages = 12;
        const std::vector<qf::LayerSensitivity> expected = qf::rankLayerSensitivity(
            *window_->document().state().graph, session_->table(), session_->options(),
            qf::openImageFolder(qsample("images").toStdString()), options);
        const auto& ranking = view->ranking();
        QCOMPARE(ranking.size(), expected.size());
        QCOMPARE(ranking.size(), session_->comparison()->plan.quantizedNodes().size());
        QCOMPARE(view->table()->rowCount(), static_cast<int>(expected.size()));
        for (size_t k = 0; k < expected.size(); ++k) {
            QCOMPARE(ranking[k].name, expected[k].name);
            QCOMPARE(ranking[k].outputSqnrDb, expected[k].outputSqnrDb);
            QCOMPARE(ranking[k].outputCosine, expected[k].outputCosine);
            QCOMPARE(
                view->table()->item(static_cast<int>(k), qf::ui::SensitivityView::Layer)->text(),
                QString::fromStdString(expected[k].name));
            if (k > 0) QVERIFY(ranking[k - 1].outputSqnrDb <= ranking[k].outputSqnrDb);
        }
        // A row selects its layer.
        const int last = view->table()->rowCount() - 1;
        const QRect cell = view->table()->visualItemRect(
            view->table()->item(last, qf::ui::SensitivityView::Layer));
        QTest::mouseClick(view->table()->viewport(), Qt::LeftButton, {}, cell.center());
        QCOMPARE(window_->window->graphView()->selectedNode(),
                 QString::fromStdString(expected.back().name));
        // And the graph's selection selects the row.
        window_->window->graphView()->selectNode(QString::fromStdString(expected.front().name),
                                                 false);
        emit window_->window->graphView()->nodeSelected(
            QString::fromStdString(expected.front().name));
        QCOMPARE(view->table()->currentRow(), 0);
    }

    void cancelKeepsThePreviousRanking() {
        auto* view = panel_->sensitivityView();
        const std::vector<qf::LayerSensitivity> before = view->ranking();
        QVERIFY(!before.empty());
        view->imagesBox()->setValue(kImages);  // another ranking, were it to finish
        QSignalSpy finished(view, &qf::ui::SensitivityView::finished);
        // The sample ranks in milliseconds: hold the ranking's thread so that the run waits in
        // its queue until Cancel has been clicked (it then starts cancelled).
        QSemaphore busy, release;
        view->threadPool()->start([&busy, &release] {
            busy.release();
            release.acquire();
        });
        busy.acquire();
        view->run();
        QVERIFY(view->isRunning());
        QTest::mouseClick(view->cancelButton(), Qt::LeftButton);
        release.release();
        QVERIFY(finished.wait(300000));
        QCOMPARE(finished.first().first().toBool(), false);
        QCOMPARE(view->ranking().size(), before.size());
        for (size_t k = 0; k < before.size(); ++k) {
            QCOMPARE(view->ranking()[k].name, before[k].name);
            QCOMPARE(view->ranking()[k].outputSqnrDb, before[k].outputSqnrDb);
        }
        QCOMPARE(view->table()->rowCount(), static_cast<int>(before.size()));
        QVERIFY(view->statusLabel()->text().contains("Cancelled"));
        QVERIFY(view->runButton()->isEnabled());
    }

    void anEditMarksTheRankingStale() {
        auto* view = panel_->sensitivityView();
        QVERIFY(!view->isStale());
        QVERIFY(session_->edit(qf::Int8Edit::setKeepFp32("conv2", true)));
        QVERIFY(view->isStale());
        QVERIFY(view->statusLabel()->text().contains("stale"));
        QVERIFY(waitComparison(*session_));
        QVERIFY(session_->edit(qf::Int8Edit::setKeepFp32("conv2", false)));
        QVERIFY(waitComparison(*session_));
        QVERIFY(view->isStale());  // until ranked again
    }

    void imageStripPutsDisagreementsFirst() {
        // A coarse threshold on the first conv's input: int8 then disagrees on some images.
        const std::string tensor = session_->tensorOfNode("conv1").toStdString();
        const double threshold = session_->table().find(tensor)->threshold();
        QVERIFY(session_->edit(qf::Int8Edit::setManualThreshold(tensor, threshold * 0.15)));
        QVERIFY(waitComparison(*session_));
        auto* strip = panel_->imageStrip();
        panel_->tabs()->setCurrentWidget(strip);
        const auto& shown = strip->shown();
        QCOMPARE(static_cast<int>(shown.size()), report().images);
        QCOMPARE(strip->disagreements(), report().images - report().top1Agreements);
        QVERIFY2(strip->disagreements() > 0, "the coarse threshold should change some top-1");
        QVERIFY(strip->disagreements() < report().images);
        for (size_t k = 0; k < shown.size(); ++k)
            QCOMPARE(shown[k].agrees(), static_cast<int>(k) >= strip->disagreements());
        QCOMPARE(strip->list()->count(), report().images);
        // Every card is a report entry, each image once, with the report's top-1 on both sides.
        std::set<std::string> seen;
        for (const auto& image : shown) {
            QVERIFY(seen.insert(image.path).second);
            const auto it =
                std::find_if(report().imageTopK.begin(), report().imageTopK.end(),
                             [&](const qf::ImageTopK& entry) { return entry.path == image.path; });
            QVERIFY(it != report().imageTopK.end());
            QCOMPARE(image.fp32.front().index, it->fp32.front().index);
            QCOMPARE(image.int8.front().index, it->int8.front().index);
            QCOMPARE(image.fp32.size(), size_t{3});
        }
        // Within each group, reading order.
        std::vector<std::string> order;
        for (const auto& entry : report().imageTopK)
            if (!entry.agrees()) order.push_back(entry.path);
        for (const auto& entry : report().imageTopK)
            if (entry.agrees()) order.push_back(entry.path);
        for (size_t k = 0; k < shown.size(); ++k) QCOMPARE(shown[k].path, order[k]);
        shot(*window_->window, "sample-image-strip");
        QVERIFY(session_->edit(qf::Int8Edit::setManualThreshold(tensor, threshold)));
        QVERIFY(waitComparison(*session_));
    }

    void heatMapColoursEveryQuantizedNode() {
        QVERIFY(session_->edit(qf::Int8Edit::setKeepFp32("conv2", true)));
        QVERIFY(waitComparison(*session_));
        auto* control = window_->window->heatMap();
        QVERIFY(control);
        bool inAMenu = false;  // the View menu
        for (QAction* menu : window_->window->menuBar()->actions())
            if (menu->menu() && menu->menu()->actions().contains(control->toggleAction()))
                inAMenu = true;
        QVERIFY(inAMenu);
        qf::ui::GraphView* view = window_->window->graphView();
        qf::ui::GraphScene* scene = view->graphScene();
        QCOMPARE(scene->heatColouredCount(), 0);
        const auto visibleFrames = [&] {
            int frames = 0;
            for (QGraphicsItem* item : scene->items())
                frames += item->type() == qf::ui::FoldFrameItem::Type && item->isVisible();
            return frames;
        };
        QVERIFY(visibleFrames() > 0);
        control->toggleAction()->trigger();
        QVERIFY(view->heatMapShown());
        QVERIFY(view->heatLegend()->isVisible());
        QCOMPARE(visibleFrames(), 0);  // they would cover the colours
        // The measure is chosen on the legend.
        QCOMPARE(control->measureBox()->parentWidget(), view->heatLegend());

        const auto check = [&] {
            const qf::Int8Plan& plan = session_->comparison()->plan;
            const std::vector<std::string> quantized = plan.quantizedNodes();
            const auto fp32 = plan.fp32Nodes();
            QCOMPARE(scene->heatColouredCount(), static_cast<int>(quantized.size()));
            for (const auto& name : quantized) {
                const qf::ui::NodeItem* item = scene->node(QString::fromStdString(name));
                QVERIFY(item);
                QCOMPARE(item->heat(), qf::ui::NodeItem::Heat::Coloured);
                QVERIFY(item->fillColour() != qf::ui::kindColour(item->kind()));
            }
            QVERIFY(fp32.count("conv2"));
            QCOMPARE(scene->heatFp32Count(), static_cast<int>(fp32.size()));
            QCOMPARE(scene->badgeCount(qf::ui::BadgeItem::Kind::Fp32),
                     static_cast<int>(fp32.size()));
            QCOMPARE(scene->node("conv2")->heat(), qf::ui::NodeItem::Heat::Fp32);
            QVERIFY(scene->node("conv2")->toolTip().isEmpty() == false);
            QVERIFY(view->heatLegend()->heatMap().ticks.size() >= 2);
            // Everything else pale, so the colours stand out.
            for (const auto& [name, item] : scene->nodes())
                if (!plan.find(name.toStdString()) ||
                    (plan.find(name.toStdString())->precision != qf::NodePrecision::Int8 &&
                     !fp32.count(name.toStdString())))
                    QCOMPARE(item->heat(), qf::ui::NodeItem::Heat::Other);
        };
        check();
        // The worst layer gets the scale's worst colour, the best the best.
        const auto& layers = report().layers;
        const auto worst = std::min_element(layers.begin(), layers.end(),
                                            [](auto& a, auto& b) { return a.sqnrDb < b.sqnrDb; });
        const auto best = std::max_element(layers.begin(), layers.end(),
                                           [](auto& a, auto& b) { return a.sqnrDb < b.sqnrDb; });
        QCOMPARE(scene->node(QString::fromStdString(worst->name))->fillColour(),
                 qf::ui::heatColour(0.0));
        QCOMPARE(scene->node(QString::fromStdString(best->name))->fillColour(),
                 qf::ui::heatColour(1.0));
        QVERIFY(scene->node(QString::fromStdString(worst->name))->toolTip().contains("SQNR"));
        // Another measure: still every quantized node.
        control->measureBox()->setCurrentIndex(qf::ui::HeatMapControl::CosineAlone);
        check();
        QVERIFY(view->heatLegend()->heatMap().title.contains("cosine"));
        shot(*window_->window, "sample-heat-map");

        // A fold rebuilds the picture: the heat map is drawn again on the new scene.
        QVERIFY(window_->document().foldAll() > 0);
        QVERIFY(waitIdle(window_->document()));
        QVERIFY(waitComparison(*session_));
        QTest::qWait(50);
        check();

        // Off: the kind colours and tooltips again, no FP32 badges, no legend.
        std::map<QString, QString> tips;
        control->toggleAction()->trigger();
        QVERIFY(!view->heatMapShown());
        QCOMPARE(scene->heatColouredCount(), 0);
        QCOMPARE(scene->heatFp32Count(), 0);
        QCOMPARE(scene->badgeCount(qf::ui::BadgeItem::Kind::Fp32), 0);
        QVERIFY(!view->heatLegend()->isVisible());
        for (const auto& [name, item] : scene->nodes()) {
            QCOMPARE(item->heat(), qf::ui::NodeItem::Heat::None);
            if (!item->isInput()) QCOMPARE(item->fillColour(), qf::ui::kindColour(item->kind()));
            QVERIFY(!item->toolTip().contains("SQNR"));
            QVERIFY(!item->toolTip().contains("cosine"));
        }
        int fp32Badges = 0;
        for (QGraphicsItem* item : scene->items())
            if (item->type() == qf::ui::BadgeItem::Type &&
                static_cast<qf::ui::BadgeItem*>(item)->badgeKind() == qf::ui::BadgeItem::Kind::Fp32)
                ++fp32Badges;
        QCOMPARE(fp32Badges, 0);
        // Comparison updates while off leave the colours alone.
        QVERIFY(session_->edit(qf::Int8Edit::setKeepFp32("conv2", false)));
        QVERIFY(waitComparison(*session_));
        QCOMPARE(scene->heatColouredCount(), 0);
    }

    void cleanupTestCase() { window_.reset(); }
};

QTEST_MAIN(TestComparisonViews)
#include "test_comparison_views.moc"

// The graph view on the sample and on real models: one item per layer and one edge per tensor
// link, the highlighted foldable pairs and the Layers filter agree with `quantfold-cli info`,
// find by regular expression centres its hit, selection follows between view and Layers,
// pictures export.
#include <QGraphicsItem>
#include <QJsonArray>
#include <QTableView>
#include <set>
#include <tuple>

#include "ui/graph_items.h"
#include "ui/graph_topology.h"
#include "ui/layers_model.h"
#include "ui/layers_panel.h"
#include "ui_test_support.h"

using namespace qftest;
using qf::ui::BadgeItem;
using qf::ui::EdgeItem;
using qf::ui::FoldFrameItem;
using qf::ui::NodeItem;

namespace {

// "sample/..." or "shared/..." paths of a model, skipping (or failing under CI) when the shared
// data is absent.
QStringList modelFiles(const QString& spec) {
    QStringList files;
    for (const auto& part : spec.split(QLatin1Char('|'))) {
        if (part.startsWith(QLatin1String("sample/")))
            files << qsample(part.mid(7));
        else
            files << QString::fromStdString(sharedDataRoot()) + QLatin1Char('/') + part.mid(7);
    }
    return files;
}

bool present(const QStringList& files) {
    for (const auto& file : files)
        if (!QFileInfo::exists(file)) return false;
    return true;
}

// Links counted straight from the graph, independently of ui/graph_topology: every distinct
// (reader, tensor) whose tensor some earlier node or a graph input produces.
int countLinks(const qf::Graph& graph) {
    std::set<std::string> produced;
    for (const auto& input : graph.inputs)
        if (!graph.isWeight(input.name)) produced.insert(input.name);
    int links = 0;
    for (const auto& node : graph.nodes) {
        std::set<std::string> read;
        for (const auto& input : node.inputs)
            if (!input.empty() && produced.count(input) && read.insert(input).second) ++links;
        for (const auto& output : node.outputs) produced.insert(output);
    }
    return links;
}

}  // namespace

class TestUiGraphView : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() { isolateSettings(); }

    void itemsMatchTheModel_data() {
        QTest::addColumn<QString>("spec");
        QTest::newRow("sample caffe") << "sample/digits_deploy.prototxt|sample/digits.caffemodel";
        QTest::newRow("sample onnx") << "sample/digits.onnx";
        QTest::newRow("retinaface caffe")
            << "shared/faces/retinaface_mnet25/mnet25.prototxt|shared/faces/retinaface_mnet25/"
               "mnet25.caffemodel";
        QTest::newRow("ultraface onnx") << "shared/faces/ultraface/version-RFB-320.onnx";
        QTest::newRow("resnet20 onnx") << "shared/cifar10/resnet20/resnet20_cifar10.onnx";
        QTest::newRow("resnet20 tensorflow")
            << "shared/cifar10/resnet20/resnet20_cifar10_frozen.pb";
        QTest::newRow("resnet20 tensorflow mul/add")
            << "shared/cifar10/resnet20/resnet20_cifar10_frozen_muladd.pb";
    }
    void itemsMatchTheModel() {
        QFETCH(QString, spec);
        const QStringList files = modelFiles(spec);
        if (!present(files)) {
            if (underCi()) QFAIL(qPrintable("missing shared data under CI: " + files.join(' ')));
            QSKIP("shared data not present");
        }
        RecordingWindow window;
        QVERIFY(openAndWait(window, files));
        QVERIFY(window.errors.empty());
        const qf::Graph& graph = *window.document().state().graph;
        auto* scene = window->graphView()->graphScene();

        // One item per layer, one edge per tensor link.
        QCOMPARE(scene->nodeItemCount(), static_cast<int>(graph.nodes.size()));
        QCOMPARE(scene->edgeItemCount(), countLinks(graph));
        int nodeItems = 0, edgeItems = 0;
        for (QGraphicsItem* item : scene->items()) {
            nodeItems += item->type() == NodeItem::Type && !static_cast<NodeItem*>(item)->isInput();
            edgeItems += item->type() == EdgeItem::Type;
        }
        QCOMPARE(nodeItems, static_cast<int>(graph.nodes.size()));
        QCOMPARE(edgeItems, countLinks(graph));
        for (const auto& node : graph.nodes)
            QVERIFY(scene->node(QString::fromStdString(node.name)));

        // Boxes do not overlap (dot places them; a bug in reading its coordinates would stack
        // them).
        std::vector<QRectF> boxes;
        for (const auto& [name, item] : scene->nodes())
            boxes.push_back(item->sceneBoundingRect().adjusted(3, 3, -3, -3));
        for (size_t a = 0; a < boxes.size(); ++a)
            for (size_t b = a + 1; b < boxes.size(); ++b)
                QVERIFY2(!boxes[a].intersects(boxes[b]), "two layer boxes overlap");

        // The foldable pairs agree with the CLI, and so does the Layers filter.
        const CliRun info = runCli(QStringList{QStringLiteral("info")} + files +
                                   QStringList{QStringLiteral("--json")});
        QCOMPARE(info.exitCode, 0);
        const int foldable = info.json().value(QStringLiteral("foldable")).toInt(-1);
        QVERIFY(foldable >= 0);
        QCOMPARE(scene->badgeCount(BadgeItem::Kind::Fold), foldable);
        int foldableItems = 0;
        std::set<QString> targets;
        for (QGraphicsItem* item : scene->items()) {
            if (item->type() == NodeItem::Type &&
                static_cast<NodeItem*>(item)->foldRole() == qf::ui::FoldRole::FoldableAffine)
                ++foldableItems;
            if (item->type() == FoldFrameItem::Type)
                targets.insert(static_cast<FoldFrameItem*>(item)->target());
        }
        QCOMPARE(foldableItems, foldable);
        QCOMPARE(scene->foldFrameCount(), static_cast<int>(targets.size()));
        if (foldable > 0) QVERIFY(scene->foldFrameCount() > 0);
        auto* layers = window->layersPanel();
        layers->setFoldFilter(1);
        QCOMPARE(layers->visibleRows(), foldable);
        int cannot = 0;
        for (const auto& candidate : window.document().facts().candidates)
            cannot += !candidate.foldable();
        layers->setFoldFilter(2);
        QCOMPARE(layers->visibleRows(), cannot);
        QCOMPARE(scene->badgeCount(BadgeItem::Kind::CannotFold), cannot);
        layers->setFoldFilter(3);
        QCOMPARE(
            layers->visibleRows(),
            static_cast<int>(info.json().value(QStringLiteral("unsupported")).toArray().size()));
        layers->setFoldFilter(0);
        QCOMPARE(layers->visibleRows(), static_cast<int>(graph.nodes.size()));
    }

    void findCentresTheHit() {
        RecordingWindow window;
        QVERIFY(
            openAndWait(window, {qsample("digits_deploy.prototxt"), qsample("digits.caffemodel")}));
        window->show();
        QVERIFY(QTest::qWaitForWindowExposed(window.window.get()));
        auto* view = window->graphView();
        view->setZoom(1.5);
        // Regex over names: conv2_bn and conv3_bn; ops: BatchNormalization.
        QCOMPARE(view->find(QStringLiteral("^conv[23]_bn$")), 2);
        QCOMPARE(view->findNext(), QStringLiteral("conv2_bn"));
        const auto centred = [view](const QString& name) {
            const QPointF centre = view->mapToScene(view->viewport()->rect().center());
            const QPointF at = view->graphScene()->node(name)->pos();
            return QLineF(centre, at).length() < 2.0 / view->zoom() + 1.0;
        };
        QVERIFY(centred(QStringLiteral("conv2_bn")));
        QCOMPARE(view->selectedNode(), QStringLiteral("conv2_bn"));
        QCOMPARE(view->findNext(), QStringLiteral("conv3_bn"));
        QVERIFY(centred(QStringLiteral("conv3_bn")));
        QCOMPARE(view->findPrevious(), QStringLiteral("conv2_bn"));
        QCOMPARE(view->findNext(), QStringLiteral("conv3_bn"));
        QCOMPARE(view->findNext(), QStringLiteral("conv2_bn"));  // wraps around
        // Ops and tensor names are searched too; the graph input box is found by its name.
        QCOMPARE(view->find(QStringLiteral("GlobalAverage")), 1);
        QCOMPARE(view->findNext(), QStringLiteral("pool3"));
        QVERIFY(centred(QStringLiteral("pool3")));
        QVERIFY(view->find(QStringLiteral("^data$")) >= 2);  // the input box and conv1 reading it
        QCOMPARE(view->find(QStringLiteral("([")), 0);
        QVERIFY(!view->findPatternValid());
        // The first and the last layer can be centred too (the scene has margins).
        view->centreOnNode(QStringLiteral("logits"));
        QVERIFY(centred(QStringLiteral("logits")));
    }

    void selectionFollowsBetweenViewAndLayers() {
        RecordingWindow window;
        QVERIFY(openAndWait(window, {qsample("digits.onnx")}));
        const QString first =
            QString::fromStdString(window.document().state().graph->nodes[3].name);
        auto* view = window->graphView();
        view->graphScene()->node(first)->setSelected(true);
        auto* table = window->layersPanel()->table();
        QCOMPARE(table->currentIndex().data(qf::ui::LayersModel::NameRole).toString(), first);
        const QString second =
            QString::fromStdString(window.document().state().graph->nodes[5].name);
        window->layersPanel()->selectNode(QString());  // nothing
        table->setCurrentIndex(table->model()->index(5, 0));
        QCOMPARE(view->selectedNode(), second);
    }

    void exportsPngAndSvg() {
        RecordingWindow window;
        QVERIFY(openAndWait(window, {qsample("digits.onnx")}));
        QTemporaryDir dir;
        const QString png = dir.filePath(QStringLiteral("graph.png"));
        const QString svg = dir.filePath(QStringLiteral("graph.svg"));
        window->exportPicture(png);
        window->exportPicture(svg);
        QVERIFY(window.errors.empty());
        const QImage image(png);
        QVERIFY(!image.isNull());
        QVERIFY(image.height() > image.width());  // top to bottom
        const QByteArray svgText = fileBytes(svg);
        QVERIFY(svgText.contains("<svg"));
        QVERIFY(svgText.contains("conv1_bn") || svgText.contains("BatchNormalization"));
    }

    void levelOfDetailDropsLabelsFarOut() {
        // Rendering a big graph zoomed far out takes much less than at full detail.
        RecordingWindow window;
        QVERIFY(openAndWait(window, {qsample("digits.onnx")}));
        auto* view = window->graphView();
        const QImage near = view->renderImage(1.0);
        const QImage far = view->renderImage(0.1);
        QVERIFY(!near.isNull() && !far.isNull());
        // Far out, no text: the picture has far fewer distinct colours (text is anti-aliased).
        const auto colours = [](const QImage& image) {
            std::set<QRgb> seen;
            for (int y = 0; y < image.height(); ++y)
                for (int x = 0; x < image.width(); ++x) seen.insert(image.pixel(x, y));
            return seen.size();
        };
        const size_t nearColours = colours(near), farColours = colours(far);
        QVERIFY2(farColours * 4 < nearColours,
                 qPrintable(QString("%1 vs %2").arg(farColours).arg(nearColours)));
    }
};

QTEST_MAIN(TestUiGraphView)
#include "test_ui_graph_view.moc"

// The Properties panel on a small generated graph whose figures are worked out by hand below
// (weight statistics, all-zero channels, near-zero variances, MACs), and on a real model.
#include <qcustomplot.h>

#include <QApplication>
#include <QClipboard>
#include <QSignalSpy>
#include <QTextBrowser>
#include <QtTest>

#include "formats/model_io.h"
#include "graph_builder.h"
#include "test_support.h"
#include "ui/properties/properties_panel.h"

using qf::Attribute;
using qf::ui::PropertiesPanel;

namespace {

// data [1,1,2,1] → conv (3 output channels, 2x1 kernel, bias) → bn → out.
// conv.w per output channel: [1, -2], [0, 0], [3, 4]
//   min −2, max 4, mean (1 − 2 + 0 + 0 + 3 + 4)/6 = 1,
//   variance (1 + 4 + 0 + 0 + 9 + 16)/6 − 1² = 4 → std 2, zeros 2 of 6 (33.3 %);
//   channel 1 is all zero. Output 1x3x1x1: MACs 3 · (1·2·1) = 6; parameters 6 + 3 = 9.
// bn.var [1, 0, 5e-5] with ε 1e-5: channels 1 and 2 lie below 10·ε = 1e-4 (near zero).
//   MACs 3 (one per output element), parameters 4 · 3 = 12.
std::shared_ptr<const qf::Graph> handGraph() {
    qftest::GraphBuilder b;
    b.input("data", {1, 1, 2, 1});
    b.weight("conv.w", qf::Tensor::floats({3, 1, 2, 1}, {1, -2, 0, 0, 3, 4}));
    b.weight("conv.b", qf::Tensor::floats({3}, {0.5f, 0.0f, -0.5f}));
    b.node("conv", "Conv", {"data", "conv.w", "conv.b"}, {"c"},
           {{"kernel_shape", Attribute::ofInts({2, 1})}});
    b.weight("bn.gamma", qf::Tensor::floats({3}, {1.0f, 2.0f, 0.5f}));
    b.weight("bn.beta", qf::Tensor::floats({3}, {0.0f, 0.1f, -0.1f}));
    b.weight("bn.mean", qf::Tensor::floats({3}, {0.25f, 0.0f, 1.0f}));
    b.weight("bn.var", qf::Tensor::floats({3}, {1.0f, 0.0f, 5e-5f}));
    b.node("bn", "BatchNormalization", {"c", "bn.gamma", "bn.beta", "bn.mean", "bn.var"}, {"out"},
           {{"epsilon", Attribute::ofFloat(1e-5f)}});
    b.output("out");
    return std::make_shared<const qf::Graph>(b.graph());
}

// The stable id of the node at `index` (the panel is keyed by Node::id).
uint64_t idOf(const qf::Graph& graph, int index) {
    return graph.nodes.at(static_cast<size_t>(index)).id;
}

void waitForShapes(PropertiesPanel& panel) {
    if (panel.shapesKnown()) return;
    QSignalSpy spy(&panel, &PropertiesPanel::shapesComputed);
    QVERIFY(spy.wait(120000));
    QVERIFY(panel.shapesKnown());
}

QCPGraph* plotGraphNamed(QCustomPlot* plot, const QString& objectName) {
    for (int k = 0; k < plot->graphCount(); ++k)
        if (plot->graph(k)->objectName() == objectName) return plot->graph(k);
    return nullptr;
}

QList<double> keysOf(QCPGraph* graph) {
    QList<double> keys;
    for (auto it = graph->data()->constBegin(); it != graph->data()->constEnd(); ++it)
        keys << it->key;
    return keys;
}

}  // namespace

class TestPropertiesPanel : public QObject {
    Q_OBJECT

private slots:
    void convolutionStatisticsAndZeroChannels() {
        PropertiesPanel panel;
        const auto graph = handGraph();
        panel.showNode(graph, idOf(*graph, 0));
        waitForShapes(panel);
        const qf::ui::NodeProperties* p = panel.nodeProperties();
        QVERIFY(p);
        QCOMPARE(QString::fromStdString(p->op), QString("Conv"));
        QCOMPARE(p->weights.size(), size_t(2));
        const qf::ui::WeightStatistics& w = p->weights[0].statistics;
        QCOMPARE(QString::fromStdString(p->weights[0].name), QString("conv.w"));
        QCOMPARE(w.count, int64_t(6));
        QCOMPARE(w.min, -2.0);
        QCOMPARE(w.max, 4.0);
        QVERIFY(std::abs(w.mean - 1.0) < 1e-12);
        QVERIFY(std::abs(w.std - 2.0) < 1e-12);
        QCOMPARE(w.zeros, int64_t(2));
        // bias [0.5, 0, −0.5]: mean 0, std √(0.5/3).
        const qf::ui::WeightStatistics& bias = p->weights[1].statistics;
        QVERIFY(std::abs(bias.mean) < 1e-12);
        QVERIFY(std::abs(bias.std - std::sqrt(0.5 / 3.0)) < 1e-9);
        QCOMPARE(bias.zeros, int64_t(1));

        QCOMPARE(p->channelRanges.size(), size_t(3));
        QCOMPARE(p->zeroChannels, std::vector<int>{1});
        QCOMPARE(p->channelRanges[0].min, -2.0f);
        QCOMPARE(p->channelRanges[2].max, 4.0f);

        QCOMPARE(p->cost.macs.value(), int64_t(6));
        QCOMPARE(p->cost.parameters, int64_t(9));
        QCOMPARE(p->outputs.at(0).shape.value(), (qf::Shape{1, 3, 1, 1}));

        // What is shown and copied: the figures, the zero channel, the shapes.
        const QString text = panel.plainText();
        QVERIFY2(text.contains("conv.w — [3x1x2x1], float32\nMin\tMax\tMean\tStd\tZeros\n"
                               "-2\t4\t1\t2\t2 (33.3%)\n"),
                 qPrintable(text));
        QVERIFY2(text.contains("All-zero channels\t1: 1"), qPrintable(text));
        QVERIFY2(text.contains("c\t[1x3x1x1]"), qPrintable(text));
        QVERIFY(panel.details()->toPlainText().contains("33.3%"));
        panel.copyAll();
        QCOMPARE(QApplication::clipboard()->text(), text);

        // The plot marks exactly the all-zero channel.
        QVERIFY(panel.plot()->isVisibleTo(&panel));
        QCPGraph* zeros = plotGraphNamed(panel.plot(), "zeroChannels");
        QVERIFY(zeros);
        QCOMPARE(keysOf(zeros), QList<double>{1.0});
        QVERIFY(p->nearZeroChannels.empty());
    }

    void nearZeroChannels() {
        // Channel ranges |w| ≤ 4, 0.003, 0.005 and exactly 0: with the ratio 1e-3 of the layer's
        // largest |w| = 4, the threshold is 0.004: channel 1 is near zero, 2 is not, 3 is all zero.
        qftest::GraphBuilder b;
        b.input("x", {1, 1, 1, 1});
        b.weight("w", qf::Tensor::floats({4, 1, 1, 1}, {-4.0f, 0.003f, -0.005f, 0.0f}));
        b.node("conv", "Conv", {"x", "w"}, {"y"}, {{"kernel_shape", Attribute::ofInts({1, 1})}});
        const auto graph = std::make_shared<const qf::Graph>(b.graph());
        PropertiesPanel panel;
        panel.showNode(graph, idOf(*graph, 0));
        QCOMPARE(panel.nodeProperties()->nearZeroChannels, std::vector<int>{1});
        QCOMPARE(panel.nodeProperties()->zeroChannels, std::vector<int>{3});
        QCOMPARE(keysOf(plotGraphNamed(panel.plot(), "nearZeroChannels")), QList<double>{1.0});
        QCOMPARE(keysOf(plotGraphNamed(panel.plot(), "zeroChannels")), QList<double>{3.0});
        waitForShapes(panel);
    }

    void batchNormNearZeroVariance() {
        PropertiesPanel panel;
        const auto graph = handGraph();
        panel.showNode(graph, idOf(*graph, 1));
        waitForShapes(panel);
        const qf::ui::NodeProperties* p = panel.nodeProperties();
        QVERIFY(p && p->batchNorm);
        QCOMPARE(p->batchNorm->nearZeroVariance, (std::vector<int>{1, 2}));
        QCOMPARE(p->batchNorm->gamma, (std::vector<float>{1.0f, 2.0f, 0.5f}));
        QCOMPARE(p->cost.macs.value(), int64_t(3));
        QCOMPARE(p->cost.parameters, int64_t(12));
        QVERIFY(p->zeroChannels.empty());
        QVERIFY2(panel.plainText().contains("Near-zero variance (< 10·ε)\t2: 1, 2"),
                 qPrintable(panel.plainText()));
        QVERIFY(panel.plainText().contains("1\t0\t0\t2\t0.1"));  // channel 1's row
        QCPGraph* flagged = plotGraphNamed(panel.plot(), "nearZeroVariance");
        QVERIFY(flagged);
        QCOMPARE(keysOf(flagged), (QList<double>{1.0, 2.0}));
        // Just above the threshold is not flagged.
        qf::Graph edited = *handGraph();
        edited.weights.mutableTensor("bn.var").f = {1.0f, 1.01e-4f, 2e-4f};
        panel.showNode(std::make_shared<const qf::Graph>(edited), idOf(edited, 1));
        QVERIFY(panel.nodeProperties()->batchNorm->nearZeroVariance.empty());
    }

    void caffeScaleAfterBatchNorm() {
        // A Caffe BatchNorm (γ = 1, β = 0) followed by Scale: the BN points at the Scale, whose
        // per-channel γ and β are listed (β = 0 where the Scale has no bias).
        qftest::GraphBuilder b("caffe");
        b.input("x", {1, 2, 1, 1});
        b.weight("g", qf::Tensor::floats({2}, {1, 1})).weight("z", qf::Tensor::floats({2}, {0, 0}));
        b.weight("m", qf::Tensor::floats({2}, {0, 0})).weight("v", qf::Tensor::floats({2}, {1, 1}));
        b.node("bn", "BatchNormalization", {"x", "g", "z", "m", "v"}, {"y"});
        b.weight("s", qf::Tensor::floats({2}, {0.5f, 3.0f}));
        b.node("scale", "Scale", {"y", "s"}, {"out"});
        b.output("out");
        const auto graph = std::make_shared<const qf::Graph>(b.graph());
        PropertiesPanel panel;
        panel.showNode(graph, idOf(*graph, 0));
        QCOMPARE(QString::fromStdString(panel.nodeProperties()->scaleLayerAfter), QString("scale"));
        QVERIFY(panel.plainText().contains("in the Scale layer scale after it"));
        panel.showNode(graph, idOf(*graph, 1));
        const auto& scale = panel.nodeProperties()->scale;
        QVERIFY(scale.has_value());
        QCOMPARE(scale->gamma, (std::vector<float>{0.5f, 3.0f}));
        QCOMPARE(scale->beta, (std::vector<float>{0.0f, 0.0f}));
        QVERIFY2(panel.plainText().contains("1\t3\t0"), qPrintable(panel.plainText()));
        QVERIFY(panel.plot()->isVisibleTo(&panel));
        waitForShapes(panel);
    }

    void summaryTotals() {
        PropertiesPanel panel;
        const auto graph = handGraph();
        panel.showSummary(graph);
        waitForShapes(panel);
        const qf::ui::ModelSummary* s = panel.modelSummary();
        QVERIFY(s);
        QCOMPARE(s->cost.macs, int64_t(6 + 3));
        QCOMPARE(s->cost.parameters, int64_t(9 + 12));
        QCOMPARE(s->nodeCount, 2);
        QVERIFY(panel.plainText().contains("Multiply-accumulates\t9"));
        QVERIFY(panel.plainText().contains("Parameters\t21"));
        QVERIFY(!panel.plot()->isVisibleTo(&panel));
        // An id the graph does not have shows the summary rather than failing.
        panel.showNode(graph, 99);
        QVERIFY(panel.modelSummary());
        // The panel follows the node by its id, not its place: after a node is inserted before
        // it, the same id still shows the same layer.
        qf::Graph edited = *graph;
        edited.insertNode(0, qf::makeNode("first", "Identity", {"data"}, {"data_copy"}));
        panel.showNode(std::make_shared<const qf::Graph>(edited), idOf(*graph, 1));
        QCOMPARE(QString::fromStdString(panel.nodeProperties()->name), QString("bn"));
        QCOMPARE(panel.nodeProperties()->index, 2);
    }

    void deconvolutionChannelsFollowTheOutput() {
        // ConvTranspose W [Cin 2, Cout 3, 1, 1] = [[1, 0, 2], [−1, 0, 5]]: output channel j
        // reads W[0][j] and W[1][j] → ranges [−1, 1], zero, [2, 5].
        qftest::GraphBuilder b;
        b.input("x", {1, 2, 2, 2});
        b.weight("w", qf::Tensor::floats({2, 3, 1, 1}, {1, 0, 2, -1, 0, 5}));
        b.node("up", "ConvTranspose", {"x", "w"}, {"y"});
        const qf::Graph graph = b.graph();
        const auto ranges = qf::ui::outputChannelRanges(graph, graph.nodes[0]);
        QCOMPARE(ranges.size(), size_t(3));
        QCOMPARE(ranges[0].min, -1.0f);
        QCOMPARE(ranges[0].max, 1.0f);
        QVERIFY(ranges[1].allZero());
        QCOMPARE(ranges[2].min, 2.0f);
        QCOMPARE(ranges[2].max, 5.0f);
        // Grouped (g = 2, W [2, 1, 1, 1]): output channel g reads input channel g's kernel.
        qftest::GraphBuilder g;
        g.input("x", {1, 2, 2, 2});
        g.weight("w", qf::Tensor::floats({2, 1, 1, 1}, {0, 3}));
        g.node("up", "ConvTranspose", {"x", "w"}, {"y"}, {{"group", Attribute::ofInt(2)}});
        const auto grouped = qf::ui::outputChannelRanges(g.graph(), g.graph().nodes[0]);
        QCOMPARE(grouped.size(), size_t(2));
        QVERIFY(grouped[0].allZero());
        QCOMPARE(grouped[1].max, 3.0f);
    }

    void realModelSummary() {
        QF_SHARED(prototxt, "faces/retinaface_mnet25/mnet25.prototxt");
        QF_SHARED(weights, "faces/retinaface_mnet25/mnet25.caffemodel");
        const auto graph = std::make_shared<const qf::Graph>(qf::loadModel(prototxt, weights));
        PropertiesPanel panel;
        panel.showSummary(graph);
        waitForShapes(panel);
        const qf::ui::ModelSummary* s = panel.modelSummary();
        QVERIFY(s);
        QVERIFY2(panel.shapeError().isEmpty(), qPrintable(panel.shapeError()));
        QCOMPARE(s->cost.unknownMacLayers, 0);
        // Every float weight is a parameter: the total is the sum of their sizes.
        int64_t floats = 0;
        for (const auto& [name, tensor] : graph->weights)
            if (tensor.isFloat()) floats += tensor.numel();
        QCOMPARE(s->cost.parameters, floats);
        QVERIFY(s->cost.macs > 0);
        // A depthwise convolution: MACs = output elements · 1 · kh · kw.
        for (size_t k = 0; k < graph->nodes.size(); ++k) {
            const qf::Node& node = graph->nodes[k];
            if (node.op != "Conv" || node.attrInt("group", 1) == 1) continue;
            panel.showNode(graph, node.id);
            const qf::ui::NodeProperties* p = panel.nodeProperties();
            const qf::Tensor& w = *graph->weight(node.input(1));
            QCOMPARE(w.shape[1], int64_t(1));
            QCOMPARE(p->cost.macs.value(),
                     qf::shapeNumel(p->outputs[0].shape.value()) * w.shape[2] * w.shape[3]);
            QCOMPARE(p->channelRanges.size(), size_t(w.shape[0]));
            break;
        }
    }
};

QTEST_MAIN(TestPropertiesPanel)
#include "test_properties_panel.moc"

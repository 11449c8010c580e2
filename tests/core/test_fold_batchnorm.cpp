// The fold pass on small generated graphs: each pattern it must fold (outputs unchanged
// within float rounding) and each case it must leave alone, with the reason it gives.
#include <QtTest>
#include <cmath>

#include "graph_builder.h"
#include "passes/fold_batchnorm.h"
#include "runtime/executor.h"

using qf::Attribute;
using qftest::GraphBuilder;

namespace {

qf::Tensor runOnce(const qf::Graph& graph, const qf::Tensor& input) {
    const auto results = qf::Executor(graph).run({{graph.inputs.front().name, input}});
    return results.at(graph.outputs.front().name);
}

// Folds, checks the numbers still agree and that no affine node is left; returns the report.
qf::FoldReport foldAndCompare(GraphBuilder& builder, const qf::Shape& inputShape,
                              size_t expectedFolds) {
    const qf::Tensor input = builder.randomInput(inputShape);
    const qf::Tensor before = runOnce(builder.graph(), input);
    qf::Graph folded = builder.graph();
    const qf::FoldReport report = qf::foldBatchNorm(folded);
    [&] {
        QCOMPARE(report.folded.size(), expectedFolds);
        for (const auto& node : folded.nodes) QVERIFY2(!qf::isAffineOp(node.op), node.name.c_str());
    }();
    const qf::Tensor after = runOnce(folded, input);
    const double difference = qftest::maxRelativeDifference(after, before);
    if (!(difference < 1e-5)) qWarning("max relative difference %g", difference);
    [&] { QVERIFY(difference < 1e-5); }();
    return report;
}

std::map<std::string, Attribute> convAttrs(std::vector<int64_t> pads, int64_t group = 1,
                                           std::vector<int64_t> strides = {1, 1}) {
    return {{"pads", Attribute::ofInts(std::move(pads))},
            {"group", Attribute::ofInt(group)},
            {"strides", Attribute::ofInts(std::move(strides))}};
}

}  // namespace

class TestFoldBatchNorm : public QObject {
    Q_OBJECT

private slots:
    void foldsConvWithoutBiasAndCreatesOne() {
        GraphBuilder b;
        b.input("x", {2, 4, 7, 7}).weight("w", {6, 4, 3, 3}).output("y");
        b.node("conv", "Conv", {"x", "w"}, {"c"}, convAttrs({1, 1, 1, 1}));
        b.batchNorm("bn", "c", "y", 6);
        const auto report = foldAndCompare(b, {2, 4, 7, 7}, 1);
        QVERIFY(report.folded[0].biasCreated);
        QCOMPARE(report.folded[0].target, std::string("conv"));
        QCOMPARE(report.folded[0].channels, int64_t{6});
    }

    void foldsConvWithBias() {
        GraphBuilder b;
        b.input("x", {1, 3, 6, 6}).weight("w", {5, 3, 1, 1}).weight("bias", {5}).output("y");
        b.node("conv", "Conv", {"x", "w", "bias"}, {"c"}, convAttrs({0, 0, 0, 0}));
        b.batchNorm("bn", "c", "y", 5);
        QVERIFY(!foldAndCompare(b, {1, 3, 6, 6}, 1).folded[0].biasCreated);
    }

    void foldsDepthwiseConv() {
        GraphBuilder b;
        b.input("x", {1, 5, 9, 9}).weight("w", {5, 1, 3, 3}).output("y");
        b.node("dw", "Conv", {"x", "w"}, {"c"}, convAttrs({1, 1, 1, 1}, 5, {2, 2}));
        b.batchNorm("bn", "c", "y", 5);
        foldAndCompare(b, {1, 5, 9, 9}, 1);
    }

    void foldsGroupedConv() {
        GraphBuilder b;
        b.input("x", {1, 4, 6, 6}).weight("w", {6, 2, 3, 3}).output("y");
        b.node("conv", "Conv", {"x", "w"}, {"c"}, convAttrs({1, 0, 1, 0}, 2));
        b.batchNorm("bn", "c", "y", 6);
        foldAndCompare(b, {1, 4, 6, 6}, 1);
    }

    void foldsConvTransposeWithGroups() {
        // Weights [Cin = 4, Cout/group = 3, 3, 3] with group 2: 6 output channels; a fold that
        // scaled axis 0 instead of the output axis would change the numbers.
        GraphBuilder b;
        b.input("x", {1, 4, 5, 5}).weight("w", {4, 3, 3, 3}).output("y");
        b.node("deconv", "ConvTranspose", {"x", "w"}, {"c"}, convAttrs({1, 1, 1, 1}, 2, {2, 2}));
        b.batchNorm("bn", "c", "y", 6);
        foldAndCompare(b, {1, 4, 5, 5}, 1);
    }

    void foldsGemmWithAndWithoutTransB() {
        for (const int64_t transB : {0, 1}) {
            GraphBuilder b;
            b.input("x", {3, 8})
                .weight("w", transB ? qf::Shape{5, 8} : qf::Shape{8, 5})
                .weight("c", {5})
                .output("y");
            b.node("fc", "Gemm", {"x", "w", "c"}, {"g"}, {{"transB", Attribute::ofInt(transB)}});
            b.batchNorm("bn", "g", "y", 5);
            foldAndCompare(b, {3, 8}, 1);
        }
    }

    void foldsCaffeBatchNormScaleChain() {
        GraphBuilder b("caffe");
        b.input("data", {1, 3, 8, 8}).weight("conv1$0", {4, 3, 3, 3}).output("conv1");
        b.weight("scale1$0", {4}, 0.5f, 2.0f).weight("scale1$1", {4});
        b.node("conv1", "Conv", {"data", "conv1$0"}, {"conv1@conv1"}, convAttrs({1, 1, 1, 1}));
        b.batchNorm("bn1", "conv1@conv1", "conv1@bn1", 4);
        b.node("scale1", "Scale", {"conv1@bn1", "scale1$0", "scale1$1"}, {"conv1@scale1"});
        b.node("relu1", "Relu", {"conv1@scale1"}, {"conv1"});
        const auto report = foldAndCompare(b, {1, 3, 8, 8}, 2);
        QCOMPARE(report.folded[1].affine, std::string("scale1"));
        QCOMPARE(report.folded[1].target, std::string("conv1"));
        // The created bias follows Caffe's blob naming so the exporter writes it as blob 1.
        qf::Graph folded = b.graph();
        qf::foldBatchNorm(folded);
        QVERIFY(folded.isWeight("conv1$1"));
    }

    void foldsLoneScaleAndLoneBias() {
        GraphBuilder b("caffe");
        b.input("data", {1, 2, 5, 5})
            .weight("w", {3, 2, 3, 3})
            .weight("s", {3})
            .weight("w2", {3, 3, 1, 1});
        b.weight("bias", {3}).output("out");
        b.node("conv", "Conv", {"data", "w"}, {"c"}, convAttrs({0, 0, 0, 0}));
        b.node("scale", "Scale", {"c", "s"}, {"s1"});
        b.node("conv2", "Conv", {"s1", "w2"}, {"c2"}, convAttrs({0, 0, 0, 0}));
        b.node("shift", "Bias", {"c2", "bias"}, {"out"});
        foldAndCompare(b, {1, 2, 5, 5}, 2);
    }

    void leavesBatchNormAfterReluWithReason() {
        GraphBuilder b;
        b.input("x", {1, 3, 5, 5}).weight("w", {3, 3, 3, 3}).output("y");
        b.node("conv", "Conv", {"x", "w"}, {"c"}, convAttrs({1, 1, 1, 1}));
        b.node("relu", "Relu", {"c"}, {"r"});
        b.batchNorm("bn", "r", "y", 3);
        qf::Graph graph = b.graph();
        const auto report = qf::foldBatchNorm(graph);
        QCOMPARE(report.folded.size(), size_t{0});
        QCOMPARE(report.skipped.size(), size_t{1});
        QVERIFY(report.skipped[0].reason.find("Relu 'relu'") != std::string::npos);
        QCOMPARE(graph.nodes.size(), size_t{3});
    }

    void leavesBatchNormWhoseInputHasTwoConsumers() {
        GraphBuilder b;
        b.input("x", {1, 3, 5, 5}).weight("w", {3, 3, 3, 3}).output("y").output("side");
        b.node("conv", "Conv", {"x", "w"}, {"c"}, convAttrs({1, 1, 1, 1}));
        b.batchNorm("bn", "c", "y", 3);
        b.node("side", "Relu", {"c"}, {"side"});
        qf::Graph graph = b.graph();
        const qf::Tensor input = b.randomInput({1, 3, 5, 5});
        const auto before = qf::Executor(graph).run({{"x", input}});
        const auto report = qf::foldBatchNorm(graph);
        QCOMPARE(report.folded.size(), size_t{0});
        QVERIFY(report.skipped[0].reason.find("also read elsewhere") != std::string::npos);
        const auto after = qf::Executor(graph).run({{"x", input}});
        QCOMPARE(after.at("side").f, before.at("side").f);
    }

    void refusesNegativeVarianceAndNanWeights() {
        GraphBuilder b;
        b.input("x", {1, 2, 4, 4}).weight("w", {2, 2, 1, 1}).weight("w2", {2, 2, 1, 1}).output("y");
        b.node("conv", "Conv", {"x", "w"}, {"c"}, convAttrs({0, 0, 0, 0}));
        b.batchNorm("bn", "c", "b1", 2);
        b.node("conv2", "Conv", {"b1", "w2"}, {"c2"}, convAttrs({0, 0, 0, 0}));
        b.batchNorm("bn2", "c2", "y", 2);
        b.graph().weights.mutableTensor("bn.var").f[1] = -0.5f;
        b.graph().weights.mutableTensor("w2").f[0] = std::nanf("");
        qf::Graph graph = b.graph();
        const auto report = qf::foldBatchNorm(graph);
        QCOMPARE(report.folded.size(), size_t{0});
        QCOMPARE(report.skipped.size(), size_t{2});
        QVERIFY2(report.skipped[0].reason.find("negative") != std::string::npos,
                 report.skipped[0].reason.c_str());
        QVERIFY2(report.skipped[1].reason.find("NaN") != std::string::npos,
                 report.skipped[1].reason.c_str());
        QCOMPARE(graph.weights.at("w").f, b.graph().weights.at("w").f);
    }

    void foldsOnlyTheChosenLayers() {
        GraphBuilder b;
        b.input("x", {1, 2, 4, 4}).weight("w", {2, 2, 1, 1}).weight("w2", {2, 2, 1, 1}).output("y");
        b.node("conv", "Conv", {"x", "w"}, {"c"}, convAttrs({0, 0, 0, 0}));
        b.batchNorm("bn", "c", "b1", 2);
        b.node("conv2", "Conv", {"b1", "w2"}, {"c2"}, convAttrs({0, 0, 0, 0}));
        b.batchNorm("bn2", "c2", "y", 2);
        QCOMPARE(qf::findFoldCandidates(b.graph()).size(), size_t{2});
        qf::Graph graph = b.graph();
        const auto report = qf::foldBatchNorm(graph, {"bn2"});
        QCOMPARE(report.folded.size(), size_t{1});
        QCOMPARE(report.folded[0].affine, std::string("bn2"));
        QVERIFY(graph.nodeIndex("bn") >= 0);
        QVERIFY(graph.nodeIndex("bn2") < 0);
    }
};

QTEST_GUILESS_MAIN(TestFoldBatchNorm)
#include "test_fold_batchnorm.moc"

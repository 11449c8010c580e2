// Cross-layer equalization (passes/equalize.h): hand-computed scales on tiny graphs, grouped and
// depthwise channel mapping, the pairs it must refuse, undo, and exactness in FP32 on the real
// RetinaFace and ResNet-20 with their per-channel ranges evened out.
#include <QtTest>
#include <cmath>

#include "graph_builder.h"
#include "images/image_folder.h"
#include "images/preprocessing.h"
#include "passes/equalize.h"
#include "runtime/executor.h"
#include "test_support.h"
#include "workflows/model_loading.h"

namespace {

qf::Attribute ints(std::vector<int64_t> values) { return qf::Attribute::ofInts(std::move(values)); }

// Max |w| of output channel c of conv weights, computed here independently of the pass.
double outputRange(const qf::Tensor& w, int64_t c) {
    const int64_t per = w.numel() / w.shape[0];
    double r = 0.0;
    for (int64_t k = 0; k < per; ++k) r = std::max(r, double(std::abs(w.f[c * per + k])));
    return r;
}

// Max |w| over everything that reads input channel i of a conv with `group` groups.
double inputRange(const qf::Tensor& w, int64_t group, int64_t i) {
    const int64_t inPerGroup = w.shape[1], outPerGroup = w.shape[0] / group;
    const int64_t spatial = w.numel() / (w.shape[0] * inPerGroup);
    double r = 0.0;
    for (int64_t m = (i / inPerGroup) * outPerGroup; m < (i / inPerGroup + 1) * outPerGroup; ++m)
        for (int64_t k = 0; k < spatial; ++k)
            r = std::max(r, double(std::abs(w.f[(m * inPerGroup + i % inPerGroup) * spatial + k])));
    return r;
}

// max |a - b| / max |b| over one output.
double relativeDifference(const qf::Tensor& a, const qf::Tensor& b) {
    double diff = 0.0, scale = 0.0;
    for (size_t k = 0; k < b.f.size(); ++k) {
        diff = std::max(diff, double(std::abs(a.f[k] - b.f[k])));
        scale = std::max(scale, double(std::abs(b.f[k])));
    }
    return scale > 0.0 ? diff / scale : diff;
}

// Standard deviation of log(range) over the non-negligible output channels: how unevenly the
// channels of one layer are scaled (1e-3 of the largest, as the pass's default).
double logSpread(const qf::Tensor& w) {
    std::vector<double> logs;
    double largest = 0.0;
    for (int64_t c = 0; c < w.shape[0]; ++c) largest = std::max(largest, outputRange(w, c));
    for (int64_t c = 0; c < w.shape[0]; ++c)
        if (const double r = outputRange(w, c); r > 1e-3 * largest) logs.push_back(std::log(r));
    if (logs.size() < 2) return 0.0;
    double mean = 0.0;
    for (const double v : logs) mean += v / logs.size();
    double var = 0.0;
    for (const double v : logs) var += (v - mean) * (v - mean) / logs.size();
    return std::sqrt(var);
}

qf::Node conv(const std::string& name, const std::string& in, const std::string& w,
              const std::string& b, const std::string& out, int64_t group, int64_t kernel) {
    const int64_t pad = kernel / 2;
    return qf::makeNode(name, "Conv", {in, w, b}, {out},
                        {{"group", qf::Attribute::ofInt(group)},
                         {"kernel_shape", ints({kernel, kernel})},
                         {"pads", ints({pad, pad, pad, pad})}});
}

void expectSameOutputs(const qf::Graph& before, const qf::Graph& after, const qf::Tensor& x,
                       double tolerance) {
    const qf::Executor a(before), b(after);
    const std::string input = before.inputs.front().name;
    const auto expected = a.run({{input, x}});
    const auto got = b.run({{input, x}});
    for (const auto& output : before.outputs) {
        const double diff = relativeDifference(got.at(output.name), expected.at(output.name));
        QVERIFY2(diff < tolerance, (output.name + ": " + std::to_string(diff)).c_str());
    }
}

// Runs a real model on a few images before and after equalization; returns the equalized graph.
qf::Graph checkRealModel(const std::string& model, const std::string& weights,
                         const std::string& images, const qf::Preprocessing& pre, size_t count,
                         qf::EqualizeReport& report) {
    const qf::Graph folded = qf::loadForQuantization(model, weights, true).graph;
    qf::Graph equalized = folded;
    report = qf::equalizeConvPairs(equalized);
    const qf::ImageFolder folder = qf::openImageFolder(images);
    for (size_t k = 0; k < std::min(count, folder.images.size()); ++k) {
        const qf::Tensor x = qf::loadImageTensor(folder.images[k].path, pre, 3);
        expectSameOutputs(folded, equalized, x, 1e-4);
        if (QTest::currentTestFailed()) break;
    }
    return equalized;
}

}  // namespace

class TestEqualize : public QObject {
    Q_OBJECT

private slots:
    // conv1 [2 out, 2 in, 1x1] -> Relu -> conv2 [3 out, 2 in, 1x1], scales worked out by hand:
    // conv1's output ranges are 4 and 0.5, conv2's input ranges 1 and 2, so
    // s = sqrt(4 * 1) / 1 = 2 and sqrt(0.5 * 2) / 2 = 0.5, and both ranges become 2 and 1.
    void handComputedPair() {
        qftest::GraphBuilder builder;
        builder.input("x", {1, 2, 4, 4}).output("y");
        builder.weight("w1", qf::Tensor::floats({2, 2, 1, 1}, {4.0f, -1.0f, 0.5f, 0.25f}));
        builder.weight("b1", qf::Tensor::floats({2}, {0.8f, -0.3f}));
        builder.weight("w2",
                       qf::Tensor::floats({3, 2, 1, 1}, {1.0f, 2.0f, -0.5f, -1.0f, 0.25f, 1.5f}));
        builder.weight("b2", qf::Tensor::floats({3}, {0.1f, 0.2f, 0.3f}));
        qf::Graph& graph = builder.graph();
        graph.addNode(conv("conv1", "x", "w1", "b1", "t1", 1, 1));
        graph.addNode(qf::makeNode("relu", "Relu", {"t1"}, {"t2"}));
        graph.addNode(conv("conv2", "t2", "w2", "b2", "y", 1, 1));
        const qf::Graph before = graph;
        const uint64_t revision = graph.revision;

        const qf::EqualizeReport report = qf::equalizeConvPairs(graph);
        QCOMPARE(report.pairs.size(), size_t(1));
        const auto& pair = report.pairs[0];
        QCOMPARE(pair.first, std::string("conv1"));
        QCOMPARE(pair.second, std::string("conv2"));
        QCOMPARE(pair.between, std::string("Relu"));
        QCOMPARE(pair.channels, int64_t(2));
        QCOMPARE(pair.unscaled, int64_t(0));
        QCOMPARE(pair.minScale, 0.5);
        QCOMPARE(pair.maxScale, 2.0);
        QVERIFY(report.converged);
        QVERIFY(graph.revision > revision);

        const std::vector<float> w1 = {2.0f, -0.5f, 1.0f, 0.5f};
        const std::vector<float> b1 = {0.4f, -0.6f};
        const std::vector<float> w2 = {2.0f, 1.0f, -1.0f, -0.5f, 0.5f, 0.75f};
        QCOMPARE(graph.weights.at("w1").f, w1);
        QCOMPARE(graph.weights.at("b1").f, b1);
        QCOMPARE(graph.weights.at("w2").f, w2);
        QCOMPARE(graph.weights.at("b2").f, before.weights.at("b2").f);
        // conv1's output channels had ranges 4 and 0.5 (ratio 8), now 2 and 1; conv2's had
        // 2, 1, 1.5 (ratio 2), now 2, 1, 0.75: the worst ratio went from 8 to 8/3.
        QCOMPARE(report.worstRatioBefore, 8.0);
        QCOMPARE(report.worstRatioAfter, 8.0 / 3.0);
        expectSameOutputs(before, graph, builder.randomInput({1, 2, 4, 4}), 1e-6);

        // The undo edit puts the very same weights back.
        report.undo.apply(graph);
        for (const char* name : {"w1", "b1", "w2", "b2"})
            QCOMPARE(graph.weights.at(name).f, before.weights.at(name).f);
        // Applying the pass twice changes nothing more the second time.
        qf::equalizeConvPairs(graph);
        const qf::EqualizeReport again = qf::equalizeConvPairs(graph);
        QCOMPARE(again.pairs.at(0).minScale, 1.0);
        QCOMPARE(again.pairs.at(0).maxScale, 1.0);
    }

    // pointwise -> depthwise (with channel multiplier 2) -> pointwise: a chain of two pairs
    // sharing the depthwise layer. Each channel's ranges match after the sweeps, and the
    // outputs stay the same.
    void depthwiseSeparableChain() {
        qftest::GraphBuilder builder("onnx", 11);
        builder.input("x", {1, 3, 6, 6}).output("y");
        builder.weight("pw1", {4, 3, 1, 1}).weight("pw1.b", {4});
        builder.weight("dw", {8, 1, 3, 3}).weight("dw.b", {8});
        builder.weight("pw2", {5, 8, 1, 1}).weight("pw2.b", {5});
        qf::Graph& graph = builder.graph();
        // Uneven channels, as BatchNorm folding leaves them.
        qf::Tensor& pw1 = graph.weights.mutableTensor("pw1");
        for (int64_t k = 0; k < 3; ++k) pw1.f[1 * 3 + k] *= 20.0f, pw1.f[3 * 3 + k] *= 0.05f;
        qf::Tensor& dw = graph.weights.mutableTensor("dw");
        for (int64_t k = 0; k < 9; ++k) dw.f[5 * 9 + k] *= 30.0f;
        graph.addNode(conv("pw1", "x", "pw1", "pw1.b", "a", 1, 1));
        graph.addNode(qf::makeNode("relu1", "Relu", {"a"}, {"a2"}));
        graph.addNode(conv("dw", "a2", "dw", "dw.b", "b", 4, 3));
        graph.addNode(qf::makeNode("relu2", "LeakyRelu", {"b"}, {"b2"},
                                   {{"alpha", qf::Attribute::ofFloat(0.1f)}}));
        graph.addNode(conv("pw2", "b2", "pw2", "pw2.b", "y", 1, 1));
        const qf::Graph before = graph;

        const qf::EqualizeReport report = qf::equalizeConvPairs(graph);
        QCOMPARE(report.pairs.size(), size_t(2));
        QVERIFY(report.converged);
        QVERIFY(report.iterations > 1);
        QVERIFY(report.worstRatioAfter < report.worstRatioBefore);
        const qf::Tensor& w1 = graph.weights.at("pw1");
        const qf::Tensor& w2 = graph.weights.at("dw");
        const qf::Tensor& w3 = graph.weights.at("pw2");
        for (int64_t i = 0; i < 4; ++i)  // depthwise input channel i feeds outputs 2i, 2i+1
            QVERIFY2(std::abs(outputRange(w1, i) / inputRange(w2, 4, i) - 1.0) < 1e-3,
                     std::to_string(i).c_str());
        for (int64_t i = 0; i < 8; ++i)
            QVERIFY2(std::abs(outputRange(w2, i) / inputRange(w3, 1, i) - 1.0) < 1e-3,
                     std::to_string(i).c_str());
        expectSameOutputs(before, graph, builder.randomInput({1, 3, 6, 6}), 1e-5);
    }

    // A regular grouped conv (2 groups of 2 input channels) as the second layer.
    void groupedSecondLayer() {
        qftest::GraphBuilder builder("onnx", 5);
        builder.input("x", {1, 2, 5, 5}).output("y");
        builder.weight("w1", {4, 2, 3, 3}).weight("w2", {6, 2, 3, 3}).weight("b2", {6});
        qf::Graph& graph = builder.graph();
        qf::Tensor& w1 = graph.weights.mutableTensor("w1");
        for (int64_t k = 0; k < 18; ++k) w1.f[2 * 18 + k] *= 10.0f;
        graph.addNode(conv("c1", "x", "w1", "", "t", 1, 3));  // no bias
        graph.addNode(conv("c2", "t", "w2", "b2", "y", 2, 3));
        const qf::Graph before = graph;
        const qf::EqualizeReport report = qf::equalizeConvPairs(graph);
        QCOMPARE(report.pairs.size(), size_t(1));
        for (int64_t i = 0; i < 4; ++i)
            QVERIFY(std::abs(outputRange(graph.weights.at("w1"), i) /
                                 inputRange(graph.weights.at("w2"), 2, i) -
                             1.0) < 1e-6);
        expectSameOutputs(before, graph, builder.randomInput({1, 2, 5, 5}), 1e-5);
    }

    // What must stay untouched: Clip (ReLU6) between the convs, a middle tensor read twice or
    // written as a graph output, shared weights; an all-zero channel keeps s = 1.
    void refusesWhatIsNotExact() {
        {
            qftest::GraphBuilder builder;
            builder.input("x", {1, 2, 4, 4}).output("y");
            builder.weight("w1", {2, 2, 1, 1}).weight("w2", {2, 2, 1, 1});
            builder.weight("lo", qf::Tensor::floats({}, {0.0f}));
            builder.weight("hi", qf::Tensor::floats({}, {6.0f}));
            qf::Graph& graph = builder.graph();
            graph.addNode(conv("c1", "x", "w1", "", "t", 1, 1));
            graph.addNode(qf::makeNode("relu6", "Clip", {"t", "lo", "hi"}, {"t2"}));
            graph.addNode(conv("c2", "t2", "w2", "", "y", 1, 1));
            const qf::EqualizeReport report = qf::equalizeConvPairs(graph);
            QVERIFY(report.pairs.empty());
            QCOMPARE(report.skipped.size(), size_t(1));
            QVERIFY2(report.skipped[0].reason.find("Clip") != std::string::npos,
                     report.skipped[0].reason.c_str());
            QVERIFY(report.undo.empty());
        }
        {
            qftest::GraphBuilder builder;
            builder.input("x", {1, 2, 4, 4}).output("y").output("t");
            builder.weight("w1", {2, 2, 1, 1}).weight("w2", {2, 2, 1, 1});
            qf::Graph& graph = builder.graph();
            graph.addNode(conv("c1", "x", "w1", "", "t", 1, 1));
            graph.addNode(conv("c2", "t", "w2", "", "y", 1, 1));
            const qf::EqualizeReport report = qf::equalizeConvPairs(graph);
            QVERIFY(report.pairs.empty());
            QCOMPARE(report.skipped.size(), size_t(1));
        }
        {
            qftest::GraphBuilder builder;
            builder.input("x", {1, 2, 4, 4}).output("y").output("z");
            builder.weight("w1", {2, 2, 1, 1}).weight("w2", {2, 2, 1, 1});
            qf::Graph& graph = builder.graph();
            graph.addNode(conv("c1", "x", "w1", "", "t", 1, 1));
            graph.addNode(conv("c2", "t", "w2", "", "y", 1, 1));
            graph.addNode(conv("c3", "t", "w2", "", "z", 1, 1));  // shares c2's weights too
            const qf::EqualizeReport report = qf::equalizeConvPairs(graph);
            QVERIFY(report.pairs.empty());
            QCOMPARE(report.skipped.size(), size_t(2));
        }
        {
            qftest::GraphBuilder builder;
            builder.input("x", {1, 2, 4, 4}).output("y");
            builder.weight("w1", qf::Tensor::floats({2, 2, 1, 1}, {0.0f, 0.0f, 2.0f, 1.0f}));
            builder.weight("b1", qf::Tensor::floats({2}, {0.5f, 0.5f}));
            builder.weight("w2", qf::Tensor::floats({1, 2, 1, 1}, {1.0f, 0.5f}));
            qf::Graph& graph = builder.graph();
            graph.addNode(conv("c1", "x", "w1", "b1", "t", 1, 1));
            graph.addNode(conv("c2", "t", "w2", "", "y", 1, 1));
            const qf::Graph before = graph;
            const qf::EqualizeReport report = qf::equalizeConvPairs(graph);
            QCOMPARE(report.pairs.size(), size_t(1));
            QCOMPARE(report.pairs[0].unscaled, int64_t(1));
            QCOMPARE(graph.weights.at("b1").f[0], 0.5f);  // the zero channel's bias kept
            QCOMPARE(report.pairs[0].maxScale, 2.0);      // sqrt(2 * 0.5) / 0.5
            for (const float v : graph.weights.at("w1").f) QVERIFY(std::isfinite(v));
            expectSameOutputs(before, graph, qftest::GraphBuilder().randomInput({1, 2, 4, 4}),
                              1e-6);
        }
    }

    // RetinaFace (MobileNet-0.25: depthwise-separable pairs) at its prototxt's 288x416 on the
    // photos: outputs within 1e-4 relative, and the depthwise layers' channel ranges more even.
    void retinaFaceStaysExact() {
        QF_SHARED(model, "faces/retinaface_mnet25/mnet25.prototxt");
        const std::string root = qftest::sharedDataRoot() + "/faces/";
        qf::EqualizeReport report;
        const qf::Preprocessing pre = qftest::preprocessing(288, 416, 1.0f, {0, 0, 0}, {1, 1, 1});
        const qf::Graph folded =
            qf::loadForQuantization(model, root + "retinaface_mnet25/mnet25.caffemodel").graph;
        const qf::Graph equalized = checkRealModel(
            model, root + "retinaface_mnet25/mnet25.caffemodel", root + "images", pre, 4, report);
        if (QTest::currentTestFailed()) return;
        // The backbone's 13 depthwise-separable blocks at least.
        QVERIFY2(report.pairs.size() >= 20, std::to_string(report.pairs.size()).c_str());
        QVERIFY(report.converged);
        QVERIFY(report.worstRatioAfter < report.worstRatioBefore);
        int depthwise = 0, evened = 0;
        double before = 0.0, after = 0.0;
        for (const auto& node : folded.nodes) {
            if (node.op != "Conv" || node.attrInt("group", 1) == 1) continue;
            const bool touched = std::any_of(
                report.pairs.begin(), report.pairs.end(), [&](const qf::EqualizedPair& p) {
                    return p.first == node.name || p.second == node.name;
                });
            if (!touched) continue;
            const double b = logSpread(folded.weights.at(node.input(1)));
            const double a = logSpread(equalized.weights.at(node.input(1)));
            ++depthwise;
            evened += a < b;
            before += b;
            after += a;
        }
        QVERIFY(depthwise >= 10);
        // Every depthwise layer evened, and on average by a good margin.
        QCOMPARE(evened, depthwise);
        QVERIFY2(after < 0.7 * before,
                 (std::to_string(after) + " vs " + std::to_string(before)).c_str());
    }

    void resnet20StaysExact() {
        QF_SHARED(model, "cifar10/resnet20/resnet20_cifar10.onnx");
        qf::EqualizeReport report;
        const qf::Preprocessing pre = qftest::preprocessing(
            32, 32, 1.0f / 255, {0.485f, 0.456f, 0.406f}, {0.229f, 0.224f, 0.225f});
        checkRealModel(model, "", qftest::sharedDataRoot() + "/cifar10/images/eval", pre, 20,
                       report);
        if (QTest::currentTestFailed()) return;
        // Each of the 9 residual blocks has one conv -> relu -> conv pair; the second conv's
        // output meets the shortcut in an Add, so it pairs with nothing.
        QCOMPARE(report.pairs.size(), size_t(9));
        for (const auto& pair : report.pairs) QCOMPARE(pair.between, std::string("Relu"));
        QVERIFY(report.worstRatioAfter < report.worstRatioBefore);
    }
};

QTEST_GUILESS_MAIN(TestEqualize)
#include "test_equalize.moc"

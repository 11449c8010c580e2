// Parameter and multiply-accumulate counts per layer and per model, against figures worked out
// by hand from the layer shapes (the comments show the arithmetic).
#include <QtTest>

#include "graph_builder.h"
#include "runtime/layer_cost.h"
#include "runtime/shape_inference.h"

using qf::Attribute;
using qftest::GraphBuilder;

namespace {

std::map<std::string, Attribute> convAttrs(std::vector<int64_t> kernel, std::vector<int64_t> pads,
                                           std::vector<int64_t> strides, int64_t group = 1) {
    return {{"kernel_shape", Attribute::ofInts(std::move(kernel))},
            {"pads", Attribute::ofInts(std::move(pads))},
            {"strides", Attribute::ofInts(std::move(strides))},
            {"group", Attribute::ofInt(group)}};
}

// data [1,3,8,8] → conv 3→4 3x3 pad 1 → bn → relu → depthwise 3x3 stride 2 → deconv 4→2 2x2
// stride 2 → flatten → gemm 128→10, plus a second conv sharing conv's weights.
qf::Graph smallNetwork() {
    GraphBuilder b;
    b.input("data", {1, 3, 8, 8});
    b.weight("conv.w", {4, 3, 3, 3}).weight("conv.b", {4});
    b.node("conv", "Conv", {"data", "conv.w", "conv.b"}, {"c1"},
           convAttrs({3, 3}, {1, 1, 1, 1}, {1, 1}));
    b.batchNorm("bn", "c1", "b1", 4);
    b.node("relu", "Relu", {"b1"}, {"r1"});
    b.weight("dw.w", {4, 1, 3, 3});
    b.node("dw", "Conv", {"r1", "dw.w"}, {"d1"}, convAttrs({3, 3}, {1, 1, 1, 1}, {2, 2}, 4));
    b.weight("up.w", {4, 2, 2, 2});
    b.node("up", "ConvTranspose", {"d1", "up.w"}, {"u1"},
           {{"kernel_shape", Attribute::ofInts({2, 2})}, {"strides", Attribute::ofInts({2, 2})}});
    b.node("flat", "Flatten", {"u1"}, {"f1"}, {{"axis", Attribute::ofInt(1)}});
    b.weight("fc.w", {10, 128}).weight("fc.b", {10});
    b.node("fc", "Gemm", {"f1", "fc.w", "fc.b"}, {"logits"}, {{"transB", Attribute::ofInt(1)}});
    b.node("twin", "Conv", {"data", "conv.w", "conv.b"}, {"twin_out"},
           convAttrs({3, 3}, {1, 1, 1, 1}, {1, 1}));
    b.output("logits").output("twin_out");
    return b.graph();
}

}  // namespace

class TestLayerCost : public QObject {
    Q_OBJECT

private slots:
    void perLayerCounts() {
        const qf::Graph graph = smallNetwork();
        const auto shapes = qf::inferShapes(graph);
        const auto cost = [&](const std::string& name) {
            return qf::layerCost(graph, graph.nodes.at(graph.nodeIndex(name)), shapes);
        };
        // conv: output 1x4x8x8 = 256 values, each 3·3·3 = 27 products; 4·27 weights + 4 biases.
        QCOMPARE(cost("conv").macs.value(), int64_t(256 * 27));
        QCOMPARE(cost("conv").parameters, int64_t(4 * 27 + 4));
        // bn: one multiply-add per element of 1x4x8x8; γ, β, mean, variance of 4 channels.
        QCOMPARE(cost("bn").macs.value(), int64_t(256));
        QCOMPARE(cost("bn").parameters, int64_t(16));
        QCOMPARE(cost("relu").macs.value(), int64_t(0));
        QCOMPARE(cost("relu").parameters, int64_t(0));
        // depthwise stride 2: output 1x4x4x4 = 64 values, each 1·3·3 = 9 products.
        QCOMPARE(cost("dw").macs.value(), int64_t(64 * 9));
        QCOMPARE(cost("dw").parameters, int64_t(36));
        // deconv: 64 input values each scatter a 2·2·2 kernel (Cout = 2) = 8 products.
        QCOMPARE(cost("up").macs.value(), int64_t(64 * 8));
        QCOMPARE(cost("up").parameters, int64_t(32));
        QCOMPARE(shapes.at("u1"), (qf::Shape{1, 2, 8, 8}));
        // gemm: 1x10 outputs, K = 2·8·8 = 128.
        QCOMPARE(cost("fc").macs.value(), int64_t(10 * 128));
        QCOMPARE(cost("fc").parameters, int64_t(1280 + 10));
    }

    void modelTotalsCountSharedWeightsOnce() {
        const qf::Graph graph = smallNetwork();
        const qf::ModelCost model = qf::modelCost(graph, qf::inferShapes(graph));
        QCOMPARE(model.layers.size(), graph.nodes.size());
        // conv and twin both 6912; bn 256; dw 576; up 512; fc 1280.
        QCOMPARE(model.macs, int64_t(6912 * 2 + 256 + 576 + 512 + 1280));
        // twin reads conv's weights: 112 + 16 + 36 + 32 + 1290, not another 112.
        QCOMPARE(model.parameters, int64_t(112 + 16 + 36 + 32 + 1290));
        QCOMPARE(model.unknownMacLayers, 0);
    }

    void unknownShapesLeaveMacsOpen() {
        const qf::Graph graph = smallNetwork();
        // Without inferred shapes only weight shapes are known: a conv's MACs need its output.
        const qf::ModelCost model = qf::modelCost(graph, {});
        QVERIFY(!model.layers.at(graph.nodeIndex("conv")).macs.has_value());
        QCOMPARE(model.layers.at(graph.nodeIndex("relu")).macs.value(), int64_t(0));
        QCOMPARE(model.layers.at(graph.nodeIndex("conv")).parameters, int64_t(112));
        QVERIFY(model.unknownMacLayers > 0);
    }

    void integerConstantsAreNotParameters() {
        GraphBuilder b;
        b.input("x", {1, 2, 3, 4});
        b.weight("shape", qf::Tensor::ints({2}, {1, 24}));
        b.node("reshape", "Reshape", {"x", "shape"}, {"y"});
        b.output("y");
        const qf::Graph graph = b.graph();
        QCOMPARE(qf::layerCost(graph, graph.nodes[0], qf::inferShapes(graph)).parameters,
                 int64_t(0));
    }
};

QTEST_GUILESS_MAIN(TestLayerCost)
#include "test_layer_cost.moc"

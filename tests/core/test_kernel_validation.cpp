// Kernels refuse windows their weights or inputs cannot back (a hostile or broken model), with
// an error naming the node, instead of reading past a buffer: found by probing `info` with a
// Conv whose kernel_shape disagrees with its weights (a segfault, or garbage that changed from
// run to run). Shape inference is tested in test_shape_inference.
#include <QtTest>

#include "formats/model_io.h"
#include "graph_builder.h"
#include "runtime/executor.h"
#include "test_support.h"
#include "util/error.h"

using qf::Attribute;
using qftest::GraphBuilder;

namespace {

std::string runError(const std::string& op, qf::Shape weights,
                     std::map<std::string, Attribute> attrs) {
    GraphBuilder b;
    b.input("x", {1, 3, 16, 16}).output("y");
    std::vector<std::string> inputs = {"x"};
    if (!weights.empty()) {
        b.weight("w", std::move(weights));
        inputs.push_back("w");
    }
    b.node("bad", op, inputs, {"y"}, std::move(attrs));
    const qf::Executor executor(b.graph());
    const qf::Tensor x = b.randomInput({1, 3, 16, 16});
    return qftest::errorOf([&] { executor.run({{"x", x}}); });
}

Attribute ints(std::vector<int64_t> values) { return Attribute::ofInts(std::move(values)); }

}  // namespace

class TestKernelValidation : public QObject {
    Q_OBJECT

private slots:
    void convKernelShapeMustMatchWeights() {
        const std::string error = runError("Conv", {8, 3, 1, 1}, {{"kernel_shape", ints({5, 5})}});
        QVERIFY2(error.find("'bad'") != std::string::npos, error.c_str());
        QVERIFY2(
            error.find("kernel_shape [5x5] disagrees with the weights' [1x1]") != std::string::npos,
            error.c_str());
        // The same attribute, agreeing with the weights, runs.
        QCOMPARE(runError("Conv", {8, 3, 5, 5}, {{"kernel_shape", ints({5, 5})}}), std::string());
    }

    void convTransposeKernelShapeMustMatchWeights() {
        const std::string error =
            runError("ConvTranspose", {3, 4, 2, 2}, {{"kernel_shape", ints({7, 7})}});
        QVERIFY2(error.find("kernel_shape [7x7] disagrees") != std::string::npos, error.c_str());
    }

    void negativePadsAreRefused() {
        const std::string conv = runError("Conv", {8, 3, 3, 3}, {{"pads", ints({-4, 0, 0, 0})}});
        QVERIFY2(conv.find("pads must not be negative") != std::string::npos, conv.c_str());
        const std::string pool = runError(
            "MaxPool", {}, {{"kernel_shape", ints({2, 2})}, {"pads", ints({0, -3, 0, 0})}});
        QVERIFY2(pool.find("pads must not be negative") != std::string::npos, pool.c_str());
    }

    void poolingPadsMustBeSmallerThanTheKernel() {
        const std::string error = runError(
            "AveragePool", {}, {{"kernel_shape", ints({2, 2})}, {"pads", ints({2, 0, 0, 0})}});
        QVERIFY2(error.find("'bad'") != std::string::npos &&
                     error.find("pads must be smaller than the kernel [2x2]") != std::string::npos,
                 error.c_str());
        QCOMPARE(
            runError("MaxPool", {}, {{"kernel_shape", ints({3, 3})}, {"pads", ints({2, 2, 2, 2})}}),
            std::string());
    }

    // A tiny file can ask for any output size: a Resize scale of 1e6 or a pad of 100 000 ended in
    // std::bad_alloc ("unexpected error") after trying to allocate terabytes.
    void hugeOutputsAreRefusedBeforeAllocating() {
        const std::string pad =
            runError("Pad", {}, {{"pads", ints({0, 0, 100000, 100000, 0, 0, 100000, 100000})}});
        QVERIFY2(pad.find("node 'bad' (Pad): a tensor of shape [1x3x200016x200016] would hold "
                          "more than") != std::string::npos,
                 pad.c_str());

        GraphBuilder b;
        b.input("x", {1, 3, 16, 16}).output("y");
        b.weight("scales", qf::Tensor::floats({4}, std::vector<float>{1, 1, 1e6f, 1e6f}));
        b.node("big", "Resize", {"x", "", "scales"}, {"y"});
        const qf::Executor executor(b.graph());
        const std::string resize = qftest::errorOf([&] {
            executor.run({{"x", b.randomInput({1, 3, 16, 16})}});
        });
        QVERIFY2(resize.find("node 'big' (Resize): a tensor of shape [1x3x16000000x16000000]") !=
                     std::string::npos,
                 resize.c_str());
        // A modest resize of the same graph still runs.
        b.weight("scales", qf::Tensor::floats({4}, std::vector<float>{1, 1, 2, 2}));
        const auto out = qf::Executor(b.graph()).run({{"x", b.randomInput({1, 3, 16, 16})}});
        QCOMPARE(out.at("y").shape, (qf::Shape{1, 3, 32, 32}));
    }

    void elementCountsAreCheckedForOverflowAndSign() {
        const int64_t big = int64_t{1} << 40;
        QVERIFY_THROWS_EXCEPTION(qf::TensorTooLarge, qf::allocatableNumel({big, big, big}));
        QVERIFY_THROWS_EXCEPTION(qf::TensorTooLarge, qf::allocatableNumel({2, -1}));
        QVERIFY_THROWS_EXCEPTION(qf::TensorTooLarge, qf::Tensor::floats({1, 3, 100000, 100000}));
        QCOMPARE(qf::allocatableNumel({2, 3, 0, big}), int64_t{0});
        QCOMPARE(qf::allocatableNumel({2, 3, 4}), int64_t{24});
        QCOMPARE(qf::allocatableNumel({}), int64_t{1});
    }
};

QTEST_GUILESS_MAIN(TestKernelValidation)
#include "test_kernel_validation.moc"

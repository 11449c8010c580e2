// Kernels refuse windows their weights or inputs cannot back (a hostile or broken model), with
// an error naming the node, instead of reading past a buffer: found by probing `info` with a
// Conv whose kernel_shape disagrees with its weights (a segfault, or garbage that changed from
// run to run).
#include <QtTest>

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
        QVERIFY2(error.find("kernel_shape [5x5] disagrees with the weights' [1x1]") !=
                     std::string::npos,
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
};

QTEST_GUILESS_MAIN(TestKernelValidation)
#include "test_kernel_validation.moc"

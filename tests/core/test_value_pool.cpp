// The executor's value pool (runtime/value_pool.h) and what the executor does with it: finished
// intermediates hand their storage back, kernels that overwrite every value take it again, a
// pointwise activation whose input nothing else reads runs in place, and none of it changes a
// value: a graph run twice on one thread (the second run on recycled, dirty buffers) gives the
// bytes of the first run, and of a run with everything kept (nothing recycled, nothing in place).
#include <QtTest>
#include <cstring>
#include <random>

#include "graph_builder.h"
#include "runtime/executor.h"
#include "runtime/value_pool.h"

using qf::Tensor;

namespace {

Tensor randomTensor(qf::Shape shape, unsigned seed) {
    std::mt19937 random(seed);
    std::normal_distribution<float> normal(0.0f, 1.0f);
    Tensor t = Tensor::floats(std::move(shape));
    for (float& v : t.f) v = normal(random);
    return t;
}

bool sameBytes(const Tensor& a, const Tensor& b) {
    return a.shape == b.shape && a.f.size() == b.f.size() &&
           std::memcmp(a.f.data(), b.f.data(), a.f.size() * sizeof(float)) == 0;
}

}  // namespace

class TestValuePool : public QObject {
    Q_OBJECT

private slots:
    void init() { qf::clearValuePool(); }

    void recycledStorageIsTakenAgainOnlyAtItsSize() {
        Tensor a = Tensor::floats({2, 3}, 5.0f);
        const float* storage = a.f.data();
        qf::recycleValues(a);
        QVERIFY(a.f.empty());
        QCOMPARE(qf::valuePoolBuffers(), size_t{1});
        const Tensor other = qf::floatsToOverwrite({5});
        QCOMPARE(other.f.size(), size_t{5});
        QVERIFY(other.f.data() != storage);
        QCOMPARE(qf::valuePoolBuffers(), size_t{1});  // a size that differs takes nothing
        const Tensor again = qf::floatsToOverwrite({3, 2});
        QCOMPARE(again.f.data(), storage);
        QCOMPARE(again.shape, (qf::Shape{3, 2}));
        QCOMPARE(again.dtype, qf::DataType::Float32);
        QCOMPARE(qf::valuePoolBuffers(), size_t{0});
        QCOMPARE(qf::valuePoolBytes(), size_t{0});
    }

    void freshStorageIsZeroAndTooLargeIsRefused() {
        const Tensor fresh = qf::floatsToOverwrite({4, 4});
        for (const float v : fresh.f) QCOMPARE(v, 0.0f);
        QVERIFY_THROWS_EXCEPTION(qf::TensorTooLarge,
                                 qf::floatsToOverwrite({int64_t{1} << 40, int64_t{1} << 40}));
    }

    void poolKeepsItsBoundDroppingTheOldest() {
        const size_t quarter = qf::kValuePoolBytes / 4 / sizeof(float);
        std::vector<const float*> storage;
        for (int k = 0; k < 5; ++k) {
            Tensor t = Tensor::floats({static_cast<int64_t>(quarter)});
            storage.push_back(t.f.data());
            qf::recycleValues(t);
            QVERIFY(qf::valuePoolBytes() <= qf::kValuePoolBytes);
        }
        QCOMPARE(qf::valuePoolBuffers(), size_t{4});
        for (int k = 0; k < 4; ++k) {
            const Tensor t = qf::floatsToOverwrite({static_cast<int64_t>(quarter)});
            QVERIFY(t.f.data() != storage[0]);  // the first given back went first
        }
        Tensor huge = Tensor::floats({static_cast<int64_t>(quarter * 4 + 1)});
        qf::recycleValues(huge);
        QCOMPARE(qf::valuePoolBuffers(), size_t{0});  // larger than the whole pool: dropped
        for (int k = 0; k < static_cast<int>(qf::kValuePoolBuffers) + 10; ++k) {
            Tensor small = Tensor::floats({1 + k});
            qf::recycleValues(small);
        }
        QCOMPARE(qf::valuePoolBuffers(), qf::kValuePoolBuffers);
    }

    // conv → relu → conv → batchnorm → clip → add (with the relu's output) → sigmoid, and tanh of
    // the first conv's output at the end: recycled outputs, activations in place (clip, sigmoid),
    // and one that must not be (the relu: the conv output it reads is read again by the tanh).
    void runsOnRecycledBuffersGiveTheSameBytes() {
        qftest::GraphBuilder b;
        const auto pads = qf::Attribute::ofInts({1, 1, 1, 1});
        b.input("x", {1, 3, 9, 9});
        b.weight("w1", {4, 3, 3, 3});
        b.weight("b1", {4});
        b.weight("w2", {4, 4, 3, 3});
        b.node("conv1", "Conv", {"x", "w1", "b1"}, {"c1"}, {{"pads", pads}});
        b.node("relu1", "Relu", {"c1"}, {"r1"});
        b.node("conv2", "Conv", {"r1", "w2"}, {"c2"}, {{"pads", pads}});
        b.batchNorm("bn2", "c2", "n2", 4);  // in place too
        b.node("clip2", "Clip", {"n2"}, {"k2"},
               {{"min", qf::Attribute::ofFloat(-0.5f)}, {"max", qf::Attribute::ofFloat(0.5f)}});
        b.node("add", "Add", {"k2", "r1"}, {"s"});
        b.node("sigmoid", "Sigmoid", {"s"}, {"y"});
        b.node("tanh", "Tanh", {"c1"}, {"t"});  // read after relu1: relu1 must not run in place
        b.output("y");
        b.output("t");
        const qf::Executor executor(b.graph());
        const qf::TensorMap feeds{{"x", randomTensor({1, 3, 9, 9}, 4)}};
        const qf::TensorMap kept = executor.run(feeds, nullptr, true);
        const qf::TensorMap first = executor.run(feeds);
        QVERIFY(qf::valuePoolBuffers() > 0);
        // Dirty every pooled buffer, so a kernel that relies on zeroed storage shows.
        std::vector<Tensor> dirty;
        for (const qf::Shape& shape : {qf::Shape{1, 4, 9, 9}, qf::Shape{1, 3, 9, 9}})
            for (int k = 0; k < 4; ++k) {
                dirty.push_back(qf::floatsToOverwrite(shape));
                std::fill(dirty.back().f.begin(), dirty.back().f.end(), 1e30f);
            }
        for (auto& t : dirty) qf::recycleValues(t);
        const qf::TensorMap second = executor.run(feeds);
        QVERIFY(sameBytes(first.at("y"), second.at("y")));
        QVERIFY(sameBytes(first.at("y"), kept.at("y")));
        QVERIFY(sameBytes(first.at("t"), kept.at("t")));
        QVERIFY(sameBytes(second.at("t"), kept.at("t")));
        // The in-place activations did not touch what a keepAll run returns either.
        const Tensor& r1 = kept.at("r1");
        for (size_t k = 0; k < r1.f.size(); ++k) QVERIFY(r1.f[k] >= 0.0f);
        const Tensor& c1 = kept.at("c1");
        bool negative = false;
        for (const float v : c1.f) negative = negative || v < 0.0f;
        QVERIFY2(negative, "the first conv's output has negative values, kept before its relu");
    }
};

QTEST_MAIN(TestValuePool)
#include "test_value_pool.moc"

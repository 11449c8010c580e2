// The int8 layers against a float simulation of the same quantization (fake-quantized input,
// dequantized weights, FP32 kernel): they must agree within one step of the int32 accumulator
// (input scale x weight scale) plus float rounding. And every int8 GEMM kernel this CPU has
// gives bit-identical layer outputs.
#include <QtTest>
#include <cmath>
#include <limits>
#include <random>

#include "graph_builder.h"
#include "quantize/activation_quantization.h"
#include "quantize/int8_layers.h"
#include "runtime/executor.h"

using qf::Attribute;
using qftest::GraphBuilder;

namespace {

struct LayerCase {
    const char* name;
    const char* op;
    qf::Shape input, weights;
    std::map<std::string, Attribute> attrs;
};

std::vector<LayerCase> cases() {
    const auto ints = [](std::vector<int64_t> v) { return Attribute::ofInts(std::move(v)); };
    return {
        {"conv3x3", "Conv", {2, 5, 9, 7}, {6, 5, 3, 3}, {{"pads", ints({1, 1, 1, 1})}}},
        {"conv-stride-dilation",
         "Conv",
         {1, 4, 11, 10},
         {7, 4, 3, 3},
         {{"pads", ints({2, 1, 0, 2})}, {"strides", ints({2, 1})}, {"dilations", ints({2, 2})}}},
        {"conv-grouped",
         "Conv",
         {1, 6, 8, 8},
         {9, 2, 3, 3},
         {{"group", Attribute::ofInt(3)}, {"pads", ints({1, 1, 1, 1})}}},
        {"conv-depthwise",
         "Conv",
         {1, 5, 9, 9},
         {5, 1, 3, 3},
         {{"group", Attribute::ofInt(5)}, {"pads", ints({1, 1, 1, 1})}, {"strides", ints({2, 2})}}},
        {"conv-pointwise", "Conv", {1, 33, 5, 6}, {17, 33, 1, 1}, {}},
        {"convtranspose-grouped",
         "ConvTranspose",
         {1, 4, 5, 5},
         {4, 3, 3, 3},
         {{"group", Attribute::ofInt(2)}, {"strides", ints({2, 2})}, {"pads", ints({1, 1, 1, 1})}}},
        {"gemm-transB", "Gemm", {3, 37}, {11, 37}, {{"transB", Attribute::ofInt(1)}}},
        {"gemm", "Gemm", {2, 20}, {20, 9}, {}},
    };
}

// Builds a one-node graph with random weights (one all-zero output channel) and bias.
GraphBuilder builderFor(const LayerCase& c, unsigned seed) {
    GraphBuilder b("onnx", seed);
    b.input("x", c.input).weight("w", c.weights).output("y");
    qf::Tensor& w = b.graph().weights.mutableTensor("w");
    if (std::string(c.op) == "Conv")
        std::fill(w.f.begin(), w.f.begin() + w.numel() / c.weights[0], 0.0f);
    const int64_t outputs =
        std::string(c.op) == "Conv" ? c.weights[0]
        : std::string(c.op) == "Gemm"
            ? (c.attrs.count("transB") ? c.weights[0] : c.weights[1])
            : c.weights[1] * (c.attrs.count("group") ? c.attrs.at("group").i : 1);
    b.weight("b", {outputs});
    b.node("layer", c.op, {"x", "w", "b"}, {"y"}, c.attrs);
    return b;
}

}  // namespace

class TestInt8Layers : public QObject {
    Q_OBJECT

private slots:
    // The storage rounding is a vectorised form of nearbyint: check it value by value against
    // libm, on ties, saturation, NaN, infinities and both ranges, in one call large enough to
    // run in parallel.
    void storageMatchesNearbyint() {
        std::vector<float> values;
        for (int k = -600; k <= 600; ++k) values.push_back(0.5f * static_cast<float>(k));
        std::mt19937 random(5);
        std::normal_distribution<float> normal(0.0f, 80.0f);
        while (values.size() < 200000) values.push_back(normal(random));
        const float inf = std::numeric_limits<float>::infinity();
        values.insert(values.end(), {std::nanf(""), inf, -inf, 1e30f, -1e30f, -0.0f, 0.49999997f});
        for (const bool isUnsigned : {false, true}) {
            const auto q =
                qf::ActivationQuantization::fromThreshold(isUnsigned ? 255.0 : 127.0, isUnsigned);
            QCOMPARE(q.scale, 1.0f);
            std::vector<uint8_t> stored(values.size());
            qf::quantizeToStorage(values.data(), static_cast<int64_t>(values.size()), q,
                                  stored.data());
            for (size_t k = 0; k < values.size(); ++k) {
                const float rounded = std::nearbyint(values[k]);
                const float clamped = std::isnan(rounded)
                                          ? 0.0f
                                          : std::clamp(rounded, static_cast<float>(q.lowest()),
                                                       static_cast<float>(q.highest()));
                const int expected = static_cast<int>(clamped) + q.storageOffset();
                if (stored[k] != expected)
                    QFAIL(qPrintable(QString("value %1 stored as %2, expected %3 (%4)")
                                         .arg(values[k])
                                         .arg(stored[k])
                                         .arg(expected)
                                         .arg(isUnsigned ? "unsigned" : "signed")));
            }
            // The vectorised fake quantization gives fakeQuantize's values (zero may come out
            // as +0 where fakeQuantize gives -0), at a scale that is not a power of two too.
            for (const double threshold : {isUnsigned ? 255.0 : 127.0, 3.7}) {
                const auto fq = qf::ActivationQuantization::fromThreshold(threshold, isUnsigned);
                std::vector<float> fake = values;
                qf::fakeQuantizeInPlace(fake.data(), static_cast<int64_t>(fake.size()), fq);
                for (size_t k = 0; k < values.size(); ++k) {
                    const float expected = qf::fakeQuantize(values[k], fq);
                    if (fake[k] != expected)
                        QFAIL(qPrintable(QString("value %1 fake-quantized to %2, expected %3")
                                             .arg(values[k])
                                             .arg(fake[k])
                                             .arg(expected)));
                }
            }
        }
    }

    void matchesFloatSimulation_data() {
        QTest::addColumn<int>("index");
        QTest::addColumn<bool>("unsignedInput");
        const auto all = cases();
        for (size_t k = 0; k < all.size(); ++k) {
            QTest::newRow((std::string(all[k].name) + "-s8").c_str())
                << static_cast<int>(k) << false;
            QTest::newRow((std::string(all[k].name) + "-u8").c_str())
                << static_cast<int>(k) << true;
        }
    }

    void matchesFloatSimulation() {
        QFETCH(int, index);
        QFETCH(bool, unsignedInput);
        const LayerCase c = cases()[static_cast<size_t>(index)];
        GraphBuilder b = builderFor(c, 11 + static_cast<unsigned>(index));
        qf::Tensor x = b.randomInput(c.input);
        if (unsignedInput)
            for (auto& v : x.f) v = std::fabs(v);
        // A threshold below the largest value, so saturation is exercised too.
        const auto quantization = qf::ActivationQuantization::fromThreshold(0.8, unsignedInput);
        const qf::Node& node = b.graph().nodes[0];
        const auto layer =
            qf::makeInt8Layer(b.graph(), node, quantization, {true, qf::Int8Kernel::Reference});
        QVERIFY(layer);
        qf::Tensor actual;
        layer->run(x, actual);

        qf::Graph simulated = b.graph();
        const qf::QuantizedWeights q = qf::quantizeWeights(node, simulated.weights.at("w"), true);
        const auto channelOf = qf::outputChannelOfElements(node, simulated.weights.at("w"));
        for (size_t k = 0; k < q.values.size(); ++k)
            simulated.weights.mutableTensor("w").f[k] =
                q.values[k] * q.scales[static_cast<size_t>(channelOf[k])];
        qf::Tensor fakeX = x;
        for (auto& v : fakeX.f) v = qf::fakeQuantize(v, quantization);
        const qf::Tensor expected = qf::Executor(simulated).run({{"x", fakeX}}).at("y");
        QCOMPARE(actual.shape, expected.shape);
        const int64_t channels = static_cast<int64_t>(q.scales.size());
        const int64_t inner =
            std::string(c.op) == "Gemm" ? 1 : expected.numel() / (expected.shape[0] * channels);
        for (int64_t k = 0; k < expected.numel(); ++k) {
            const int64_t channel =
                std::string(c.op) == "Gemm" ? k % channels : (k / inner) % channels;
            const double lsb = quantization.scale * q.scales[static_cast<size_t>(channel)];
            const double tolerance =
                lsb + 1e-5 * (1.0 + std::fabs(expected.f[static_cast<size_t>(k)]));
            const double difference =
                std::fabs(actual.f[static_cast<size_t>(k)] - expected.f[static_cast<size_t>(k)]);
            if (!(difference <= tolerance))
                QFAIL(qPrintable(QString("element %1: int8 %2, simulation %3")
                                     .arg(k)
                                     .arg(actual.f[static_cast<size_t>(k)])
                                     .arg(expected.f[static_cast<size_t>(k)])));
        }
    }

    void fastKernelsGiveIdenticalLayers() {
        for (const auto kernel : {qf::Int8Kernel::Avx2, qf::Int8Kernel::Avx512Vnni}) {
            if (!qf::int8KernelAvailable(kernel)) {
                qInfo("%s: not on this CPU, skipped", qf::int8KernelName(kernel));
                continue;
            }
            for (const auto& c : cases()) {
                GraphBuilder b = builderFor(c, 5);
                const qf::Tensor x = b.randomInput(c.input);
                for (const bool unsignedInput : {false, true}) {
                    const auto quantization =
                        qf::ActivationQuantization::fromThreshold(1.0, unsignedInput);
                    const qf::Node& node = b.graph().nodes[0];
                    qf::Tensor reference, fast;
                    qf::makeInt8Layer(b.graph(), node, quantization,
                                      {true, qf::Int8Kernel::Reference})
                        ->run(x, reference);
                    qf::makeInt8Layer(b.graph(), node, quantization, {true, kernel})->run(x, fast);
                    QVERIFY2(reference.f == fast.f, c.name);
                }
            }
        }
    }
};

QTEST_GUILESS_MAIN(TestInt8Layers)
#include "test_int8_layers.moc"

// The auto method's threshold search on a small graph with heavy-tailed inputs (so the methods
// disagree): every candidate's recorded error is recomputed independently — a float simulation
// (input rounded to the candidate's int8 grid, weights rounded per output channel by hand, the
// FP32 executor's conv) against FP32, each channel's mean error removed — and the chosen
// threshold is the one that simulation ranks best. Tensors no int8 layer reads keep the min-max
// threshold; the candidates survive a JSON table round trip.
#include <QtTest>
#include <cmath>
#include <random>

#include "calibration/table_json.h"
#include "calibration/threshold_search.h"
#include "graph_builder.h"
#include "quantize/activation_quantization.h"
#include "runtime/executor.h"

using qftest::GraphBuilder;

namespace {

qf::Graph twoConvGraph() {
    GraphBuilder b("onnx", 5);
    b.input("x", {1, 4, 16, 16}).output("out");
    b.weight("w1", {6, 4, 3, 3}).weight("b1", {6}, -0.2f, 0.2f);
    b.weight("w2", {6, 6, 1, 1}).weight("b2", {6}, -0.2f, 0.2f);
    b.weight("w3", {3, 6, 1, 1});
    const auto pads = qf::Attribute::ofInts({1, 1, 1, 1});
    b.node("c1", "Conv", {"x", "w1", "b1"}, {"y1"}, {{"pads", pads}});
    b.node("r1", "Relu", {"y1"}, {"a1"});
    b.node("c2", "Conv", {"a1", "w2", "b2"}, {"y2"});
    b.node("add", "Add", {"y2", "a1"}, {"s"});
    b.node("c3", "Conv", {"s", "w3"}, {"out"});
    return b.graph();
}

// Gaussian values with a few large outliers: min-max, KL and MSE thresholds differ widely.
std::vector<qf::Tensor> heavyTailedInputs() {
    std::mt19937 random(11);
    std::normal_distribution<float> normal(0.0f, 1.0f);
    std::uniform_int_distribution<int> position(0, 4 * 16 * 16 - 1);
    std::vector<qf::Tensor> inputs;
    for (int k = 0; k < 6; ++k) {
        qf::Tensor x = qf::Tensor::floats({1, 4, 16, 16});
        for (auto& v : x.f) v = normal(random);
        x.f[static_cast<size_t>(position(random))] = 10.0f + 4.0f * static_cast<float>(k);
        inputs.push_back(std::move(x));
    }
    return inputs;
}

qf::CalibrationTable histogramsOf(const qf::Graph& graph, const std::vector<qf::Tensor>& inputs) {
    qf::CalibrationTable table;
    const qf::Executor executor(graph);
    for (const auto& x : inputs) {
        table.tensors["x"].histogram.add(x.f.data(), x.numel());
        executor.run({{"x", x}},
                     [&](const qf::Node&, const std::string& name, const qf::Tensor& value) {
                         if (name != "out" && name != "y1")
                             table.tensors[name].histogram.add(value.f.data(), value.numel());
                     });
    }
    table.computeThresholds(qf::ThresholdMethod::Auto);
    return table;
}

// Weights rounded to int8 per output channel (scale max|w| / 127), back in float.
qf::Tensor roundedPerChannel(const qf::Tensor& w) {
    qf::Tensor rounded = w;
    const int64_t channels = w.shape[0], inner = w.numel() / channels;
    for (int64_t c = 0; c < channels; ++c) {
        float peak = 0.0f;
        for (int64_t i = 0; i < inner; ++i) peak = std::max(peak, std::fabs(w.f[c * inner + i]));
        const float scale = peak / 127.0f;
        for (int64_t i = 0; i < inner; ++i)
            rounded.f[c * inner + i] =
                scale > 0.0f ? std::nearbyint(w.f[c * inner + i] / scale) * scale : 0.0f;
    }
    return rounded;
}

// SQNR (dB) of c1 + ReLU simulated in float with the input rounded at `threshold`, against
// FP32, after removing each channel's mean error (what bias correction removes).
double simulatedSqnrDb(const qf::Graph& graph, const std::vector<qf::Tensor>& inputs,
                       double threshold) {
    qf::Graph simulated = graph;
    simulated.weights.set("w1", roundedPerChannel(*graph.weights.get("w1")));
    const qf::Executor fp32(graph), int8(simulated);
    const auto q = qf::ActivationQuantization::fromThreshold(threshold, false);
    std::vector<double> sum(6, 0.0), squares(6, 0.0);
    double energy = 0.0, count = 0.0;
    for (const auto& x : inputs) {
        qf::Tensor rounded = x;
        for (auto& v : rounded.f) v = qf::fakeQuantize(v, q);
        const qf::TensorMap reference = fp32.run({{"x", x}}, nullptr, true);
        const qf::TensorMap quantized = int8.run({{"x", rounded}}, nullptr, true);
        const qf::Tensor& y = reference.at("a1");
        const qf::Tensor& z = quantized.at("a1");
        const int64_t inner = y.numel() / 6;
        for (int64_t c = 0; c < 6; ++c)
            for (int64_t i = 0; i < inner; ++i) {
                const double d = static_cast<double>(y.f[c * inner + i]) - z.f[c * inner + i];
                sum[static_cast<size_t>(c)] += d;
                squares[static_cast<size_t>(c)] += d * d;
                energy += static_cast<double>(y.f[c * inner + i]) * y.f[c * inner + i];
            }
        count += static_cast<double>(inner);
    }
    double noise = 0.0;
    for (size_t c = 0; c < 6; ++c) noise += squares[c] - sum[c] * sum[c] / count;
    return -10.0 * std::log10(noise / energy);
}

}  // namespace

class TestThresholdSearch : public QObject {
    Q_OBJECT

private slots:
    void choosesTheThresholdWhoseLayerErrsLeast() {
        const qf::Graph graph = twoConvGraph();
        const auto inputs = heavyTailedInputs();
        qf::CalibrationTable table = histogramsOf(graph, inputs);
        qf::searchThresholds(graph, table, {}, inputs);
        const qf::TensorCalibration& x = table.tensors.at("x");
        QVERIFY(x.candidates.size() >= 8);
        // Ascending, and every histogram method's choice among them.
        for (size_t k = 1; k < x.candidates.size(); ++k)
            QVERIFY(x.candidates[k - 1].threshold < x.candidates[k].threshold);
        for (const auto method : qf::allThresholdMethods()) {
            const double t = x.thresholds.at(method);
            QVERIFY2(std::any_of(x.candidates.begin(), x.candidates.end(),
                                 [t](const qf::ThresholdCandidate& c) {
                                     return std::fabs(c.threshold - t) <= 1e-12 * t;
                                 }),
                     qf::methodName(method).c_str());
        }
        // The methods disagree here, so the search has a real choice to make.
        QVERIFY(x.candidates.back().threshold > 2.0 * x.candidates.front().threshold);

        double bestSimulated = -1e9, bestThreshold = 0.0;
        for (const auto& candidate : x.candidates) {
            const double simulated = simulatedSqnrDb(graph, inputs, candidate.threshold);
            QVERIFY2(std::fabs(simulated - candidate.sqnrDb) < 0.05,
                     qPrintable(QStringLiteral("threshold %1: recorded %2 dB, simulated %3 dB")
                                    .arg(candidate.threshold)
                                    .arg(candidate.sqnrDb)
                                    .arg(simulated)));
            if (simulated > bestSimulated) {
                bestSimulated = simulated;
                bestThreshold = candidate.threshold;
            }
        }
        QCOMPARE(x.thresholds.at(qf::ThresholdMethod::Auto), bestThreshold);
        QCOMPARE(x.method, qf::ThresholdMethod::Auto);
        QCOMPARE(x.threshold(), bestThreshold);
        // Neither end of the range: clipping the outliers and keeping them both cost.
        QVERIFY(bestThreshold < x.thresholds.at(qf::ThresholdMethod::MinMax));
    }

    void tensorsNoInt8LayerReadsKeepMinMax() {
        const qf::Graph graph = twoConvGraph();
        const auto inputs = heavyTailedInputs();
        qf::CalibrationTable table = histogramsOf(graph, inputs);
        qf::searchThresholds(graph, table, {}, inputs);
        // y2 is read by the Add alone.
        const qf::TensorCalibration& y2 = table.tensors.at("y2");
        QVERIFY(y2.candidates.empty());
        QCOMPARE(y2.thresholds.at(qf::ThresholdMethod::Auto),
                 y2.thresholds.at(qf::ThresholdMethod::MinMax));
        // s and a1 are read by int8 layers and were searched.
        QVERIFY(!table.tensors.at("s").candidates.empty());
        QVERIFY(!table.tensors.at("a1").candidates.empty());
    }

    void withoutImagesEveryTensorKeepsMinMax() {
        const qf::Graph graph = twoConvGraph();
        qf::CalibrationTable table = histogramsOf(graph, heavyTailedInputs());
        qf::searchThresholds(graph, table, {}, {});
        for (const auto& [name, calibration] : table.tensors) {
            QVERIFY(calibration.candidates.empty());
            QCOMPARE(calibration.thresholds.at(qf::ThresholdMethod::Auto),
                     calibration.thresholds.at(qf::ThresholdMethod::MinMax));
        }
    }

    void candidatesSurviveAJsonTable() {
        const qf::Graph graph = twoConvGraph();
        const auto inputs = heavyTailedInputs();
        qf::CalibrationTable table = histogramsOf(graph, inputs);
        qf::searchThresholds(graph, table, {}, inputs);
        const qf::CalibrationTable read =
            qf::parseCalibrationJson(qf::calibrationJsonText(table), "table.json");
        for (const auto& [name, calibration] : table.tensors) {
            const qf::TensorCalibration& back = read.tensors.at(name);
            QCOMPARE(back.method, qf::ThresholdMethod::Auto);
            QCOMPARE(back.threshold(), calibration.threshold());
            QCOMPARE(back.candidates.size(), calibration.candidates.size());
            for (size_t k = 0; k < back.candidates.size(); ++k) {
                QCOMPARE(back.candidates[k].threshold, calibration.candidates[k].threshold);
                QCOMPARE(back.candidates[k].sqnrDb, calibration.candidates[k].sqnrDb);
            }
        }
        // A broken candidate is an error naming where it is.
        std::string text = qf::calibrationJsonText(table);
        const size_t at = text.find("\"candidates\": [[");
        QVERIFY(at != std::string::npos);
        text.insert(at + std::string("\"candidates\": [").size(), "[1.0], ");
        try {
            qf::parseCalibrationJson(text, "table.json");
            QFAIL("a one-element candidate was accepted");
        } catch (const std::exception& error) {
            const std::string message = error.what();
            QVERIFY2(message.find("table.json") != std::string::npos &&
                         message.find("[threshold, SQNR dB] pair") != std::string::npos,
                     message.c_str());
        }
    }
};

QTEST_MAIN(TestThresholdSearch)
#include "test_threshold_search.moc"

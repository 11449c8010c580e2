// The int8 plan on a small graph whose every decision is known by hand: a conv with a ReLU
// fused into it, a conv whose result a residual add takes in its epilogue, an add rounding its
// other input; FP32 keeps, missing calibration and each reason a bias correction is dropped.
// Int8Model built from a plan owns its table (an edit afterwards changes nothing it reports),
// its tail executor gives the full run's tensors bit for bit, the int8 edits return their
// inverse, and the int8 set-up workflow validates what it is given.
#include <QtTest>

#include "calibration/table_files.h"
#include "graph_builder.h"
#include "quantize/int8_edit.h"
#include "quantize/int8_model.h"
#include "quantize/int8_plan.h"
#include "quantize/qdq_export.h"
#include "runtime/executor.h"
#include "test_support.h"
#include "workflows/int8_setup.h"

using qftest::GraphBuilder;

namespace {

qf::Graph residualGraph() {
    GraphBuilder b("onnx", 3);
    b.input("x", {1, 3, 8, 8}).output("out");
    b.weight("w1", {4, 3, 3, 3}).weight("b1", {4});
    b.weight("w2", {4, 4, 1, 1}).weight("b2", {4});
    b.weight("w3", {2, 4, 1, 1});
    const auto pads = qf::Attribute::ofInts({1, 1, 1, 1});
    b.node("c1", "Conv", {"x", "w1", "b1"}, {"y1"}, {{"pads", pads}});
    b.node("r1", "Relu", {"y1"}, {"a1"});
    b.node("c2", "Conv", {"a1", "w2", "b2"}, {"y2"});
    b.node("add", "Add", {"y2", "a1"}, {"s"});
    b.node("pool", "MaxPool", {"s"}, {"p"},
           {{"kernel_shape", qf::Attribute::ofInts({2, 2})},
            {"strides", qf::Attribute::ofInts({2, 2})}});
    b.node("c3", "Conv", {"p", "w3"}, {"out"});
    return b.graph();
}

std::vector<qf::Tensor> inputs() {
    GraphBuilder b("onnx", 9);
    std::vector<qf::Tensor> xs;
    for (int k = 0; k < 4; ++k) xs.push_back(b.randomInput({1, 3, 8, 8}));
    return xs;
}

qf::CalibrationTable tableFor(const qf::Graph& graph) {
    qf::CalibrationTable table;
    const qf::Executor executor(graph);
    for (const auto& x : inputs()) {
        table.tensors["x"].histogram.add(x.f.data(), x.numel());
        executor.run({{"x", x}},
                     [&](const qf::Node&, const std::string& name, const qf::Tensor& value) {
                         if (name != "out")
                             table.tensors[name].histogram.add(value.f.data(), value.numel());
                     });
    }
    table.computeThresholds(qf::ThresholdMethod::Kl);
    return table;
}

const qf::NodePlan& entry(const qf::Int8Plan& plan, const std::string& node) {
    const qf::NodePlan* found = plan.find(node);
    if (!found) throw qf::Error("no plan for " + node);
    return *found;
}

}  // namespace

class TestInt8Plan : public QObject {
    Q_OBJECT

private slots:
    void decidesEveryNode() {
        const qf::Graph graph = residualGraph();
        const qf::CalibrationTable table = tableFor(graph);
        const qf::Int8Plan plan = qf::planInt8(graph, table, {});
        QCOMPARE(plan.nodes.size(), graph.nodes.size());

        const qf::NodePlan& c1 = entry(plan, "c1");
        QCOMPARE(c1.precision, qf::NodePrecision::Int8);
        QCOMPARE(c1.inputs.size(), size_t{1});
        QCOMPARE(c1.inputs[0].tensor, std::string("x"));
        QCOMPARE(c1.inputs[0].threshold, table.tensors.at("x").threshold());
        QVERIFY(!c1.inputs[0].quantization.isUnsigned);  // x has negative values
        QCOMPARE(c1.inputs[0].quantization.scale,
                 static_cast<float>(table.tensors.at("x").threshold() / 127.0));
        QVERIFY(c1.activation);
        QCOMPARE(c1.activation->node, std::string("r1"));
        QCOMPARE(c1.activation->low, 0.0f);
        QCOMPARE(c1.result, std::string("a1"));
        QCOMPARE(entry(plan, "r1").precision, qf::NodePrecision::FusedIntoProducer);

        // c2's result is read by the add alone: added in c2's epilogue, not rounded.
        const qf::NodePlan& c2 = entry(plan, "c2");
        QCOMPARE(c2.precision, qf::NodePrecision::Int8);
        QVERIFY(c2.inputs[0].quantization.isUnsigned);  // after a ReLU
        QVERIFY(!c2.activation);
        QCOMPARE(c2.result, std::string("y2"));
        QCOMPARE(c2.residualAdd, std::string("add"));
        const qf::NodePlan& add = entry(plan, "add");
        QCOMPARE(add.precision, qf::NodePrecision::Rounded);
        QCOMPARE(add.inputs.size(), size_t{1});
        QCOMPARE(add.inputs[0].input, size_t{1});
        QCOMPARE(add.inputs[0].tensor, std::string("a1"));
        // Element-wise inputs use min-max (Int8Options::elementwiseMethod).
        QCOMPARE(add.inputs[0].threshold,
                 table.tensors.at("a1").thresholds.at(qf::ThresholdMethod::MinMax));
        QCOMPARE(add.fusedInputs, std::vector<size_t>{0});

        const qf::NodePlan& pool = entry(plan, "pool");
        QCOMPARE(pool.precision, qf::NodePrecision::Fp32);
        QCOMPARE(pool.fp32Reason, qf::Fp32Reason::NotQuantizable);
        QCOMPARE(entry(plan, "c3").precision, qf::NodePrecision::Int8);
        QCOMPARE(plan.quantizedNodes(), (std::vector<std::string>{"c1", "c2", "c3"}));
        QVERIFY(plan.fp32Nodes().empty());
        QCOMPARE(entry(plan, "c1").bias.state, qf::BiasCorrectionState::NotMeasured);
    }

    void fp32KeepsAndMissingCalibration() {
        const qf::Graph graph = residualGraph();
        qf::CalibrationTable table = tableFor(graph);
        qf::Int8Options options;
        options.keepFp32 = {"c2", "r1"};
        const qf::Int8Plan kept = qf::planInt8(graph, table, options);
        QCOMPARE(entry(kept, "c2").fp32Reason, qf::Fp32Reason::KeptByRequest);
        QCOMPARE(kept.fp32Nodes().at("c2"), std::string("kept in FP32 by request"));
        QVERIFY(!entry(kept, "c1").activation);  // its ReLU is kept in FP32
        QCOMPARE(entry(kept, "c1").result, std::string("y1"));
        QCOMPARE(entry(kept, "r1").precision, qf::NodePrecision::Fp32);
        // c2 is FP32, so the add rounds both inputs.
        QCOMPARE(entry(kept, "add").inputs.size(), size_t{2});
        QVERIFY(entry(kept, "c2").residualAdd.empty());

        table.tensors.erase("p");
        const qf::Int8Plan uncalibrated = qf::planInt8(graph, table, {});
        QCOMPARE(entry(uncalibrated, "c3").fp32Reason, qf::Fp32Reason::NoCalibration);
        QCOMPARE(uncalibrated.fp32Nodes().at("c3"), std::string("input 'p' has no calibration"));
    }

    void biasCorrectionAppliedOrDroppedWithReason() {
        const qf::Graph graph = residualGraph();
        qf::CalibrationTable table = tableFor(graph);
        const double threshold = table.tensors.at("x").threshold();
        table.biasCorrections["c1"] = {threshold, true, {0.1f, -0.2f, 0.3f, 0.0f}};
        table.biasCorrections["c3"] = {table.tensors.at("p").threshold(), true, {0.5f}};
        qf::Int8Plan plan = qf::planInt8(graph, table, {});
        QCOMPARE(entry(plan, "c1").bias.state, qf::BiasCorrectionState::Applied);
        QCOMPARE(entry(plan, "c1").bias.delta, table.biasCorrections["c1"].delta);
        QCOMPARE(entry(plan, "c3").bias.state, qf::BiasCorrectionState::DroppedChannels);
        QCOMPARE(plan.biasCorrected(), std::vector<std::string>{"c1"});

        table.tensors.at("x").manualThreshold = threshold * 0.5;
        plan = qf::planInt8(graph, table, {});
        QCOMPARE(entry(plan, "c1").bias.state, qf::BiasCorrectionState::DroppedThreshold);
        const auto dropped = plan.droppedBiasCorrections();
        QCOMPARE(dropped.size(), size_t{2});
        QCOMPARE(dropped[0].node, std::string("c1"));
        QVERIFY2(dropped[0].reason.find("threshold") != std::string::npos,
                 dropped[0].reason.c_str());
        QVERIFY(plan.biasCorrected().empty());

        table.tensors.at("x").manualThreshold.reset();
        qf::Int8Options perTensor;
        perTensor.perChannelWeights = false;
        QCOMPARE(entry(qf::planInt8(graph, table, perTensor), "c1").bias.state,
                 qf::BiasCorrectionState::DroppedGranularity);
        qf::Int8Options off;
        off.biasCorrection = false;
        QCOMPARE(entry(qf::planInt8(graph, table, off), "c1").bias.state,
                 qf::BiasCorrectionState::NotRequested);

        // The model applies what the plan applies: c1's output moves by its delta (before ReLU,
        // so compare where the ReLU leaves it positive).
        const qf::Tensor x = inputs()[0];
        const qf::Int8Model corrected(graph, table, {});
        const qf::Int8Model plain(graph, table, off);
        QCOMPARE(corrected.biasCorrected(), std::vector<std::string>{"c1"});
        const qf::Tensor a = corrected.runLayer("c1", x, false);
        const qf::Tensor b = plain.runLayer("c1", x, false);
        const int64_t plane = a.numel() / 4;
        for (int64_t k = 0; k < a.numel(); ++k)
            QVERIFY(std::fabs(a.f[k] - b.f[k] - table.biasCorrections["c1"].delta[k / plane]) <
                    1e-5);
    }

    void modelOwnsItsTable() {
        const qf::Graph graph = residualGraph();
        qf::CalibrationTable table = tableFor(graph);
        const qf::Int8Model model(graph, table, {});
        const float scale = model.activationQuantization("x").scale;
        const qf::Tensor before = model.run({{"x", inputs()[0]}}).at("out");
        table.tensors.at("x").manualThreshold = 0.01;  // the caller's table, edited afterwards
        QCOMPARE(model.activationQuantization("x").scale, scale);
        QCOMPARE(model.plan().find("c1")->inputs[0].quantization.scale, scale);
        QCOMPARE(model.run({{"x", inputs()[0]}}).at("out").f, before.f);
        QVERIFY(qf::Int8Model(graph, table, {}).activationQuantization("x").scale != scale);
    }

    void tailRunsAsTheWholeModel() {
        const qf::Graph graph = residualGraph();
        const qf::Int8Model model(graph, tableFor(graph), {});
        const qf::TensorMap all = model.run({{"x", inputs()[1]}}, nullptr, true);
        for (size_t first = 0; first <= graph.nodes.size(); ++first) {
            qf::TensorMap feeds;
            for (const auto& name : model.tailInputs(first)) feeds[name] = all.at(name);
            const qf::TensorMap tail = model.tailExecutor(first).run(feeds, nullptr, true);
            QCOMPARE(tail.at("out").f, all.at("out").f);
            for (const auto& [name, value] : tail) QCOMPARE(value.f, all.at(name).f);
        }
    }

    void qdqExportReadsThePlan() {
        const qf::Graph graph = residualGraph();
        const qf::CalibrationTable table = tableFor(graph);
        QTemporaryDir dir;
        qf::Int8Options options;
        options.keepFp32 = {"c3"};
        const auto fromPlan = qf::exportQdqOnnx(graph, qf::planInt8(graph, table, options),
                                                dir.filePath("a.onnx").toStdString());
        QCOMPARE(fromPlan, (std::vector<std::string>{"c1", "c2"}));
    }

    void editsReturnTheirInverse() {
        const qf::Graph graph = residualGraph();
        qf::CalibrationTable table = tableFor(graph);
        qf::Int8Options options;
        const double computed = table.tensors.at("a1").threshold();

        const qf::Int8Edit set = qf::Int8Edit::setManualThreshold("a1", 2.5);
        const qf::Int8Edit undoSet = set.apply(table, options);
        QCOMPARE(table.tensors.at("a1").threshold(), 2.5);
        QCOMPARE(undoSet.kind(), qf::Int8Edit::Kind::ManualThreshold);
        QVERIFY(set.mergesWith(qf::Int8Edit::setManualThreshold("a1", 3.0)));
        QVERIFY(!set.mergesWith(qf::Int8Edit::setManualThreshold("x", 3.0)));
        const qf::Int8Edit redo = undoSet.apply(table, options);
        QVERIFY(!table.tensors.at("a1").manualThreshold);
        QCOMPARE(table.tensors.at("a1").threshold(), computed);
        redo.apply(table, options);
        QCOMPARE(table.tensors.at("a1").threshold(), 2.5);
        qf::Int8Edit::clearManualThreshold("a1").apply(table, options).apply(table, options);
        QCOMPARE(table.tensors.at("a1").threshold(), 2.5);  // clear, then its inverse

        const qf::Int8Edit undoMethod =
            qf::Int8Edit::setMethod("y1", qf::ThresholdMethod::Percentile).apply(table, options);
        QCOMPARE(table.tensors.at("y1").method, qf::ThresholdMethod::Percentile);
        undoMethod.apply(table, options);
        QCOMPARE(table.tensors.at("y1").method, qf::ThresholdMethod::Kl);

        const qf::Int8Edit undoKeep =
            qf::Int8Edit::setKeepFp32("c2", true).apply(graph, table, options);
        QCOMPARE(options.keepFp32, std::set<std::string>{"c2"});
        QVERIFY(undoKeep.description().find("c2") != std::string::npos);
        const qf::Int8Edit redoKeep = undoKeep.apply(table, options);
        QVERIFY(options.keepFp32.empty());
        redoKeep.apply(table, options);
        QCOMPARE(options.keepFp32, std::set<std::string>{"c2"});

        // A whole keep set at once (the budget search's): its inverse restores the set before.
        const qf::Int8Edit setAll = qf::Int8Edit::setKeepSet({"c1", "c3"}, "apply the budget");
        const qf::Int8Edit undoAll = setAll.apply(graph, table, options);
        QCOMPARE(options.keepFp32, (std::set<std::string>{"c1", "c3"}));
        QVERIFY(setAll.description().find("2 layers") != std::string::npos);
        QVERIFY(!setAll.mergesWith(qf::Int8Edit::setKeepSet({}, "again")));
        undoAll.apply(table, options);
        QCOMPARE(options.keepFp32, std::set<std::string>{"c2"});
        QVERIFY(qftest::errorOf([&] {
                    qf::Int8Edit::setKeepSet({"c1", "nope"}, "x").apply(graph, table, options);
                }).find("no node 'nope'") != std::string::npos);
        QCOMPARE(options.keepFp32, std::set<std::string>{"c2"});  // a refused set changes nothing

        const qf::CalibrationTable unchanged = table;
        QVERIFY(qftest::errorOf([&] {
                    qf::Int8Edit::setManualThreshold("nope", 1.0).apply(table, options);
                }).find("'nope'") != std::string::npos);
        QVERIFY(qftest::errorOf([&] {
                    qf::Int8Edit::setManualThreshold("a1", -1.0).apply(table, options);
                }).find("positive") != std::string::npos);
        QVERIFY(qftest::errorOf([&] {
                    qf::Int8Edit::setKeepFp32("nope", true).apply(graph, table, options);
                }).find("no node 'nope'") != std::string::npos);
        QCOMPARE(table.tensors.at("a1").threshold(), unchanged.tensors.at("a1").threshold());
    }

    void int8SetupValidates() {
        const qf::Graph graph = residualGraph();
        const qf::CalibrationTable table = tableFor(graph);
        QTemporaryDir dir;
        const std::string json = dir.filePath("t.json").toStdString();
        const std::string ncnn = dir.filePath("t.table").toStdString();
        qf::writeCalibrationTable(graph, table, qf::TableFormat::Json, json);
        qf::writeCalibrationTable(graph, table, qf::TableFormat::Ncnn, ncnn);
        qf::Int8SetupRequest request;
        request.tablePath = json;
        request.method = "minmax";
        request.keepFp32 = {"c2"};
        request.perTensorWeights = true;
        const qf::Int8Setup setup = qf::setUpInt8(graph, request);
        QCOMPARE(setup.loaded.table.tensors.at("a1").method, qf::ThresholdMethod::MinMax);
        QCOMPARE(setup.options.keepFp32, std::set<std::string>{"c2"});
        QVERIFY(!setup.options.perChannelWeights);

        request.keepFp32 = {"missing"};
        QVERIFY(qftest::errorOf([&] { qf::setUpInt8(graph, request); }).find("no node 'missing'") !=
                std::string::npos);
        request.keepFp32.clear();
        request.method = "nonsense";
        QVERIFY(qftest::errorOf([&] {
                    qf::setUpInt8(graph, request);
                }).find("unknown --method 'nonsense'") != std::string::npos);
        request.tablePath = ncnn;
        request.method = "kl";
        QVERIFY(qftest::errorOf([&] { qf::setUpInt8(graph, request); }).find("JSON table") !=
                std::string::npos);
    }
};

QTEST_GUILESS_MAIN(TestInt8Plan)
#include "test_int8_plan.moc"

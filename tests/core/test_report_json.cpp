// The core's reports as JSON (workflows/report_json): the keys README.md documents, value
// types, SQNR's infinity as ±999, NaN as null, and text that other parsers (Qt) accept.
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QtTest>
#include <cmath>
#include <limits>

#include "graph_builder.h"
#include "passes/fold_batchnorm.h"
#include "test_support.h"
#include "workflows/report_json.h"

namespace {

using nlohmann::json;

// What another JSON reader makes of the text.
QJsonObject qtRead(const json& value) {
    QJsonParseError error;
    const QJsonDocument document =
        QJsonDocument::fromJson(QByteArray::fromStdString(value.dump()), &error);
    if (error.error != QJsonParseError::NoError)
        QTest::qFail(qPrintable(error.errorString()), __FILE__, __LINE__);
    return document.object();
}

std::set<std::string> keysOf(const json& object) {
    std::set<std::string> keys;
    for (const auto& item : object.items()) keys.insert(item.key());
    return keys;
}

// data -> conv -> bn -> relu -> out: one foldable BatchNormalization.
qf::Graph convBn() {
    qftest::GraphBuilder b;
    b.input("data", {1, 2, 4, 4}).output("out");
    b.weight("conv.w", {3, 2, 1, 1});
    b.node("conv", "Conv", {"data", "conv.w"}, {"c"});
    b.batchNorm("bn", "c", "n", 3);
    b.node("relu", "Relu", {"n"}, {"out"});
    return b.graph();
}

}  // namespace

class TestReportJson : public QObject {
    Q_OBJECT

private slots:
    void modelSummaryHasInfosKeys() {
        const json summary = qf::modelSummaryJson(convBn());
        QCOMPARE(keysOf(summary), (std::set<std::string>{"format", "nodes", "op_counts", "foldable",
                                                         "unsupported", "inputs", "outputs"}));
        QCOMPARE(summary["format"], json("onnx"));
        QCOMPARE(summary["nodes"], json(3));
        QCOMPARE(summary["foldable"], json(1));
        QCOMPARE(summary["op_counts"]["BatchNormalization"], json(1));
        QVERIFY(summary["unsupported"].is_array() && summary["unsupported"].empty());
        // Shapes inferred by a run on zeros: the output's is known though the graph omits it.
        QCOMPARE(summary["outputs"][0]["name"], json("out"));
        QCOMPARE(summary["outputs"][0]["shape"], json({1, 3, 4, 4}));
        QCOMPARE(summary["inputs"][0]["shape"], json({1, 2, 4, 4}));

        qf::Graph unknown = convBn();
        unknown.nodes[2].op = "Mystery";
        const json withUnknown = qf::modelSummaryJson(unknown);
        QCOMPARE(withUnknown["unsupported"], json({"relu (Mystery)"}));
        QVERIFY(withUnknown["outputs"][0]["shape"].empty());
        const qf::ModelSummary summaryStruct = qf::summarizeModel(unknown);
        QCOMPARE(summaryStruct.foldCandidates.size(), size_t{1});
    }

    void foldReportKeysAndTypes() {
        qf::Graph graph = convBn();
        const qf::FoldReport report = qf::foldBatchNorm(graph);
        const json plain = qf::foldJson(report, nullptr);
        QCOMPARE(keysOf(plain),
                 (std::set<std::string>{"folded", "folds", "skipped", "max_abs_diff"}));
        QCOMPARE(plain["folded"], json(1));
        QCOMPARE(plain["folds"][0], (json{{"node", "bn"}, {"into", "conv"}, {"channels", 3}}));
        QVERIFY(plain["folds"][0]["channels"].is_number_integer());
        QVERIFY(plain["max_abs_diff"].is_object() && plain["max_abs_diff"].empty());

        qf::FoldReport refused;
        qf::FoldCandidate skip;
        skip.affine = "bn2";
        skip.reason = "variance is negative";
        refused.skipped.push_back(skip);
        qf::ComparisonReport verification;
        verification.images = 4;
        verification.outputs.push_back({"out", 1.5e-7, 3.0});
        verification.outputs.push_back({"nan_out", std::nan(""), 3.0});
        const json verified = qf::foldJson(refused, &verification);
        QCOMPARE(verified["images"], json(4));
        QCOMPARE(verified["folded"], json(0));
        QCOMPARE(verified["skipped"][0],
                 (json{{"node", "bn2"}, {"reason", "variance is negative"}}));
        QCOMPARE(verified["max_abs_diff"]["out"].get<double>(), 1.5e-7);
        QVERIFY(verified["max_abs_diff"]["nan_out"].is_null());
        QVERIFY(qtRead(verified)["max_abs_diff"].toObject()["nan_out"].isNull());
    }

    void runReportHasTopKOnlyWithLabels() {
        qf::RunReport report;
        report.images = 3;
        report.skipped.push_back({"bad.jpg", "cannot decode"});
        json out = qf::toJson(report);
        QCOMPARE(keysOf(out), (std::set<std::string>{"images", "skipped"}));
        QCOMPARE(out["skipped"][0], (json{{"file", "bad.jpg"}, {"reason", "cannot decode"}}));
        report.labeled = 3;
        report.top1Hits = 1;
        report.top5Hits = 3;
        out = qf::toJson(report);
        QCOMPARE(out["top1"].get<double>(), 1.0 / 3.0);
        QCOMPARE(out["top5"].get<double>(), 1.0);
        QVERIFY(out["top5"].is_number());
    }

    void comparisonWritesInfiniteSqnrAsNumbers() {
        const double inf = std::numeric_limits<double>::infinity();
        qf::Int8ComparisonReport report;
        report.images = 2;
        report.top1Agreements = 1;
        report.outputs.push_back({"out", 0.999, 0.99, inf, 0.0});
        report.layers.push_back({"conv", 1.0, -inf, std::nan(""), 42.125});
        std::vector<qf::LayerSensitivity> ranking{{"conv", 0.5, 12.0, 0.25},
                                                  {"fc", 1.0, inf, 0.75}};
        json out = qf::toJson(report);
        QCOMPARE(keysOf(out),
                 (std::set<std::string>{"images", "top1_agreement", "outputs", "layers"}));
        QCOMPARE(out["top1_agreement"].get<double>(), 0.5);
        QCOMPARE(keysOf(out["outputs"][0]),
                 (std::set<std::string>{"name", "cosine", "worst_image_cosine", "sqnr_db",
                                        "max_abs_diff"}));
        QCOMPARE(out["outputs"][0]["sqnr_db"].get<double>(), 999.0);
        QCOMPARE(
            keysOf(out["layers"][0]),
            (std::set<std::string>{"name", "cosine", "sqnr_db", "alone_cosine", "alone_sqnr_db"}));
        QCOMPARE(out["layers"][0]["sqnr_db"].get<double>(), -999.0);
        QVERIFY(out["layers"][0]["alone_cosine"].is_null());  // NaN
        QCOMPARE(out["layers"][0]["alone_sqnr_db"].get<double>(), 42.125);
        const json sensitivity = qf::toJson(ranking);
        QCOMPARE(sensitivity.size(), size_t{2});
        QCOMPARE(sensitivity[1], (json{{"name", "fc"},
                                       {"cosine", 1.0},
                                       {"sqnr_db", 999.0},
                                       {"worst_output_cosine", 0.75}}));

        report.fp32.labeled = report.int8.labeled = 4;
        report.fp32.top1 = 4;
        report.int8.top1 = 3;
        report.fp32.top5 = report.int8.top5 = 4;
        out = qf::toJson(report);
        QCOMPARE(out["fp32"], (json{{"top1", 1.0}, {"top5", 1.0}}));
        QCOMPARE(out["int8"]["top1"].get<double>(), 0.75);
        const QJsonObject qt = qtRead(out);
        QCOMPARE(qt["outputs"].toArray()[0].toObject()["sqnr_db"].toDouble(), 999.0);
    }

    void doublesRoundTrip() {
        qf::RunReport report;
        report.images = 7;
        report.labeled = 7;
        report.top1Hits = 3;
        report.top5Hits = 5;
        const json parsed = json::parse(qf::toJson(report).dump());
        QVERIFY(parsed["top1"].get<double>() == 3.0 / 7.0);  // exactly, not to 6 digits
        QVERIFY(parsed["top5"].get<double>() == 5.0 / 7.0);
    }

    void diagnosticsAsObjects() {
        const qf::Diagnostics warnings{
            {qf::Severity::Warning, "net.prototxt", 8, 1, "label", "", "dropped"},
            {qf::Severity::Info, "", 0, 0, "", "c1", "note"}};
        const json list = qf::toJson(warnings);
        QVERIFY(list.is_array());
        QCOMPARE(list.size(), size_t{2});
        QCOMPARE(list[0], (json{{"severity", "warning"},
                                {"file", "net.prototxt"},
                                {"line", 8},
                                {"column", 1},
                                {"node", "label"},
                                {"tensor", ""},
                                {"message", "dropped"}}));
        QCOMPARE(list[1]["severity"], json("info"));
        QCOMPARE(list[1]["line"], json(0));
        QVERIFY(qf::toJson(qf::Diagnostics{}).is_array() && qf::toJson(qf::Diagnostics{}).empty());
    }

    void calibrationSummary() {
        qf::CalibrationTable table;
        table.images = 5;
        table.tensors["a"];
        table.tensors["b"];
        const json out =
            qf::calibrationSummaryJson(table, qf::ThresholdMethod::Percentile, "t.json");
        QCOMPARE(
            out,
            (json{{"images", 5}, {"tensors", 2}, {"method", "percentile"}, {"output", "t.json"}}));
    }
};

QTEST_GUILESS_MAIN(TestReportJson)
#include "test_report_json.moc"

// QuantFold's JSON calibration file read through nlohmann::json: errors located at
// line:column with the tensor in the diagnostic, NaN/Infinity named, keys twice refused, files
// as the earlier hand-written writer (and hand edits) wrote them still read; ncnn and TensorRT
// errors with their line and layer or tensor as diagnostic fields.
#include <QtTest>
#include <cmath>

#include "calibration/table_json.h"
#include "calibration/table_ncnn.h"
#include "calibration/table_tensorrt.h"
#include "graph_builder.h"
#include "test_support.h"
#include "util/error.h"

namespace {

// A table as the writer before nlohmann wrote it: numbers in std::to_chars' shortest form
// ("1e-07", whole doubles without ".0"), bias corrections on one line; plus what a hand edit
// brings: a dense "counts" histogram, tabs, integer thresholds, and keys in another order.
const char* const kOlderFile = R"({
  "format": "quantfold-calibration",
  "version": 1,
  "images": 3,
  "method": "mixed",
  "percentile": 99.99,
  "levels": 127,
  "tensors": {
    "data": {
      "method": "kl",
      "threshold": 1e-07,
      "manual_threshold": null,
      "thresholds": {"kl": 1e-07, "minmax": 2},
      "min": -2, "max": 1.5,
      "histogram": {"bins": 4, "range": 2, "zeros": 1, "nonzero": [[0, 3], [3, 1]]}
    },
	"conv_out": {"histogram": {"counts": [0, 2, 0, 5], "range": 4.5, "bins": 4},
	  "max": 4.5, "min": 0, "thresholds": {"minmax": 4.5}, "manual_threshold": 3,
	  "threshold": 3, "method": "minmax"}
  },
  "bias_corrections": {
    "conv": {"input_threshold": 2, "per_channel": true, "delta": [0.25, -1e-05, 0]}
  }
}
)";

qf::Diagnostic diagnosticOfAction(const std::function<void()>& action, std::string* what) {
    try {
        action();
    } catch (const qf::Error& error) {
        if (what) *what = error.what();
        return error.diagnostic();
    }
    qf::Diagnostic none;
    none.message = "no error";
    return none;
}

qf::Diagnostic diagnosticOf(const std::string& text, std::string* what = nullptr) {
    return diagnosticOfAction([&] { qf::parseCalibrationJson(text, "t.json"); }, what);
}

bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

// `text` with the first `from` replaced (a failure, not an exception, when it is absent).
std::string replaced(std::string text, const std::string& from, const std::string& to) {
    const size_t at = text.find(from);
    if (at == std::string::npos) {
        QTest::qFail(("'" + from + "' not in the text").c_str(), __FILE__, __LINE__);
        return text;
    }
    return text.replace(at, from.size(), to);
}

}  // namespace

class TestCalibrationJson : public QObject {
    Q_OBJECT

private slots:
    void readsWhatTheEarlierWriterWrote() {
        try {
            const qf::CalibrationTable table = qf::parseCalibrationJson(kOlderFile, "old.json");
            QCOMPARE(table.images, 3);
            QCOMPARE(table.tensors.size(), size_t{2});
            const qf::TensorCalibration& data = table.tensors.at("data");
            QVERIFY(data.threshold() == 1e-07);
            QCOMPARE(data.histogram.counts(), (std::vector<double>{3, 0, 0, 1}));
            QCOMPARE(data.histogram.zeros(), 1.0);
            const qf::TensorCalibration& conv = table.tensors.at("conv_out");
            QVERIFY(conv.manualThreshold && *conv.manualThreshold == 3.0);
            QCOMPARE(conv.histogram.counts(), (std::vector<double>{0, 2, 0, 5}));
            QCOMPARE(table.biasCorrections.at("conv").delta,
                     (std::vector<float>{0.25f, -1e-05f, 0.0f}));
            // Written again and read back, nothing changes.
            const std::string again = qf::calibrationJsonText(table);
            const qf::CalibrationTable back = qf::parseCalibrationJson(again, "again.json");
            QCOMPARE(qf::calibrationJsonText(back), again);
            QVERIFY(back.tensors.at("data").threshold() == 1e-07);
            // Counts stay integers in the text; doubles keep every bit.
            QVERIFY2(contains(again, "\"nonzero\": [[0, 3], [3, 1]]"), again.c_str());
            // An older file says nothing about equalization: not equalized, and not written.
            QVERIFY(!table.equalized && !contains(again, "equalized"));
            qf::CalibrationTable equalized = table;
            equalized.equalized = true;
            QVERIFY(
                qf::parseCalibrationJson(qf::calibrationJsonText(equalized), "eq.json").equalized);
        } catch (const qf::Error& error) {
            QFAIL(error.what());
        }
    }

    void parseErrorsHaveLineAndColumn() {
        std::string what;
        qf::Diagnostic d =
            diagnosticOf("{\n  \"format\": \"quantfold-calibration\",\n  \"version\" 1\n}", &what);
        QCOMPARE(d.file, std::string("t.json"));
        QCOMPARE(d.line, 3);
        QCOMPARE(d.column, 13);  // the 1 where ':' belongs
        QVERIFY2(what.rfind("t.json:3:13: not valid JSON: ", 0) == 0, what.c_str());
        QVERIFY2(!contains(what, "[json.exception"), what.c_str());  // nlohmann's prefix is gone
        d = diagnosticOf("");
        QCOMPARE(d.line, 1);
        QVERIFY2(contains(d.message, "not valid JSON"), d.message.c_str());
        d = diagnosticOf("{\"a\": [1, 2,\n\n   ]}");
        QCOMPARE(d.line, 3);
        QCOMPARE(d.column, 4);
        d = diagnosticOf("{\"format\": \"quantfold-calibration\"} extra");
        QCOMPARE(d.line, 1);
        QVERIFY2(contains(d.message, "not valid JSON"), d.message.c_str());
    }

    void nanAndInfinityAreNamedAgainstTheirTensor() {
        std::string text = replaced(kOlderFile, "\"minmax\": 4.5", "\"minmax\": -Infinity");
        std::string what;
        qf::Diagnostic d = diagnosticOf(text, &what);
        QCOMPARE(d.tensor, std::string("conv_out"));
        QVERIFY2(contains(d.message, "minmax threshold is infinite"), what.c_str());
        QVERIFY(d.line > 1 && d.column > 1);
        text = replaced(kOlderFile, "\"range\": 2,", "\"range\": NaN,");
        d = diagnosticOf(text, &what);
        QCOMPARE(d.tensor, std::string("data"));
        QVERIFY2(contains(what, "tensor 'data': range is NaN"), what.c_str());
        // The position is the literal's own.
        const size_t at = text.find("NaN");
        QCOMPARE(d.column, static_cast<int>(at - text.rfind('\n', at)));
    }

    void keysTwiceAreRefused() {
        const std::string text =
            replaced(kOlderFile, "\"images\": 3,", "\"images\": 3, \"images\": 4,");
        std::string what;
        const qf::Diagnostic d = diagnosticOf(text, &what);
        QCOMPARE(d.line, 4);
        QCOMPARE(d.column, 16);
        QVERIFY2(contains(what, "\"images\" appears twice"), what.c_str());
        // The same key in different objects is fine.
        QCOMPARE(diagnosticOf(kOlderFile).message, std::string("no error"));
    }

    void semanticErrorsPointAtTheValue() {
        std::string text =
            replaced(kOlderFile, "\"bins\": 4, \"range\": 2", "\"bins\": 0, \"range\": 2");
        std::string what;
        qf::Diagnostic d = diagnosticOf(text, &what);
        QCOMPARE(d.tensor, std::string("data"));
        QCOMPARE(d.line, 15);
        QCOMPARE(d.column,
                 static_cast<int>(std::string("      \"histogram\": {\"bins\": ").size()) + 1);
        QVERIFY2(contains(what, "t.json:15:") && contains(what, "\"bins\" 0 is not a whole number"),
                 what.c_str());
        // A missing member points at the object that lacks it.
        text =
            replaced(kOlderFile, "\"threshold\": 3, \"method\": \"minmax\"}", "\"threshold\": 3}");
        d = diagnosticOf(text, &what);
        QCOMPARE(d.tensor, std::string("conv_out"));
        QCOMPARE(d.line, 17);
        QVERIFY2(contains(d.message, "\"method\" is missing"), what.c_str());
        // Bias corrections name their layer.
        text = replaced(kOlderFile, "\"per_channel\": true", "\"per_channel\": 1");
        d = diagnosticOf(text, &what);
        QCOMPARE(d.node, std::string("conv"));
        QCOMPARE(d.line, 22);
        QVERIFY2(contains(d.message, "\"per_channel\" is not true or false"), what.c_str());
        text = replaced(kOlderFile, "\"images\": 3,", "\"images\": 3, \"equalized\": \"yes\",");
        d = diagnosticOf(text, &what);
        QVERIFY2(
            contains(what, "t.json:4:") && contains(what, "\"equalized\" is not true or false"),
            what.c_str());
    }

    void ncnnAndTensorRtErrorsCarryLineAndSubject() {
        std::string what;
        qf::Diagnostic d = diagnosticOfAction(
            [] {
                qf::parseTensorRtCache("TRT-8601-EntropyCalibration2\nc1: 3f800000\nc2: 7fc00000\n",
                                       "c.cache");
            },
            &what);
        QCOMPARE(d.file, std::string("c.cache"));
        QCOMPARE(d.line, 3);
        QCOMPARE(d.tensor, std::string("c2"));
        QCOMPARE(d.message, std::string("the scale is NaN"));
        QCOMPARE(what, std::string("c.cache:3: tensor 'c2': the scale is NaN"));  // as before

        qftest::GraphBuilder b;
        b.input("data", {1, 2, 3, 3}).output("c");
        b.weight("conv.w", {2, 2, 1, 1});
        b.node("conv", "Conv", {"data", "conv.w"}, {"c"});
        const qf::Graph graph = b.graph();
        d = diagnosticOfAction(
            [&] { qf::parseNcnnTable("conv_param_0 1 2\nconv -3\n", "t.table", graph); }, &what);
        QCOMPARE(d.line, 2);
        QCOMPARE(d.node, std::string("conv"));
        QCOMPARE(d.message, std::string("scale -3 is negative"));
        QCOMPARE(what, std::string("t.table:2: layer 'conv': scale -3 is negative"));
    }

    void writerRefusesNamesThatAreNotUtf8() {
        qf::CalibrationTable table = qf::parseCalibrationJson(kOlderFile, "x");
        table.tensors["bad\xff"] = table.tensors.at("data");
        const std::string error = qftest::errorOf([&] { qf::calibrationJsonText(table); });
        QVERIFY2(contains(error, "UTF-8"), error.c_str());
    }
};

QTEST_GUILESS_MAIN(TestCalibrationJson)
#include "test_calibration_json.moc"

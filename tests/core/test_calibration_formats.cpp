// Calibration files: TensorRT cache, ncnn table and QuantFold's JSON, written from a generated
// graph and table, read back, checked against hand-computed values and independent parsers.
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QtTest>
#include <cstring>
#include <fstream>
#include <functional>
#include <random>

#include "calibration/table_files.h"
#include "calibration/table_json.h"
#include "calibration/table_ncnn.h"
#include "calibration/table_tensorrt.h"
#include "graph_builder.h"
#include "quantize/weight_quantization.h"
#include "test_support.h"
#include "util/atomic_file.h"
#include "util/error.h"

using qf::Attribute;
using qftest::GraphBuilder;

namespace {

void writeText(const std::string& path, const std::string& text) {
    std::ofstream(path, std::ios::binary) << text;
}

std::vector<std::string> linesOf(const std::string& text) {
    std::vector<std::string> lines;
    size_t start = 0;
    while (start < text.size()) {
        const size_t end = text.find('\n', start);
        lines.push_back(text.substr(start, end - start));
        if (end == std::string::npos) break;
        start = end + 1;
    }
    return lines;
}

bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

// data -> conv1 -> relu1 -> deconv -> conv2 -> pool -> flatten -> fc. conv1's weights are made
// by hand: channel maxima 0.5, 127, 0 (all zero) and 2.
qf::Graph smallGraph() {
    GraphBuilder b;
    b.input("data", {1, 3, 6, 6}).output("out");
    qf::Tensor conv1 = qf::Tensor::floats({4, 3, 1, 1}, 0.0f);
    conv1.f = {0.25f, -0.5f, 0.1f, 127.0f, -3.0f, 0.0f, 0.0f, 0.0f, 0.0f, -2.0f, 1.0f, 0.5f};
    b.weight("conv1.w", conv1);
    b.weight("deconv.w", {4, 2, 2, 2});
    b.weight("conv2.w", {6, 2, 1, 1});
    b.weight("fc.w", {5, 6});
    b.node("conv1", "Conv", {"data", "conv1.w"}, {"c1"});
    b.node("relu1", "Relu", {"c1"}, {"r1"});
    b.node("deconv", "ConvTranspose", {"r1", "deconv.w"}, {"d"},
           {{"strides", Attribute::ofInts({2, 2})}});
    b.node("conv2", "Conv", {"d", "conv2.w"}, {"c2"});
    b.node("pool", "GlobalAveragePool", {"c2"}, {"p"});
    b.node("flatten", "Flatten", {"p"}, {"f"});
    b.node("fc", "Gemm", {"f", "fc.w"}, {"out"}, {{"transB", Attribute::ofInt(1)}});
    return b.graph();
}

// Histograms of generated values for every activation, all methods computed, kl selected; two
// tensors then differ: one with a threshold set by hand, one on another method.
qf::CalibrationTable smallTable() {
    std::mt19937 random(11);
    qf::CalibrationTable table;
    table.images = 7;
    const std::vector<std::pair<std::string, double>> tensors = {
        {"data", 1.0}, {"c1", 3.0}, {"r1", 3.0}, {"d", 5.0},
        {"c2", 0.3},   {"p", 0.2},  {"f", 0.2},  {"out", 9.0}};
    for (const auto& [name, sigma] : tensors) {
        std::normal_distribution<float> normal(0.0f, static_cast<float>(sigma));
        std::vector<float> values(5000);
        for (auto& v : values) v = normal(random);
        if (name == "r1")
            for (auto& v : values) v = std::max(v, 0.0f);
        table.tensors[name].histogram.add(values.data(), static_cast<int64_t>(values.size()));
    }
    qf::ThresholdOptions options;
    options.percentile = 99.9;
    table.computeThresholds(qf::ThresholdMethod::Kl, options);
    table.tensors["d"].manualThreshold = 4.25;
    table.tensors["c2"].method = qf::ThresholdMethod::Percentile;
    return table;
}

std::map<std::string, std::vector<float>> weightScalesOf(const qf::Graph& graph) {
    std::map<std::string, std::vector<float>> scales;
    for (const qf::Node* layer : qf::ncnnQuantizedLayers(graph))
        scales[layer->name] =
            qf::ncnnWeightScales(qf::quantizeWeights(*layer, *graph.weight(layer->input(1)), true));
    return scales;
}

float floatOf(const std::string& word) {
    bool ok = false;
    const float value = QString::fromStdString(word).toFloat(&ok);
    if (!ok) qWarning("not a float: %s", word.c_str());
    return value;
}

std::vector<std::string> wordsOf(const std::string& line) {
    std::vector<std::string> words;
    for (const QString& word : QString::fromStdString(line).split(' ', Qt::SkipEmptyParts))
        words.push_back(word.toStdString());
    return words;
}

}  // namespace

class TestCalibrationFormats : public QObject {
    Q_OBJECT

private slots:
    // ---- TensorRT

    void tensorRtHexIsTheBigEndianFloatOfTheScale() {
        QCOMPARE(qf::tensorRtScaleHex(127.0), std::string("3f800000"));  // scale 1.0
        QCOMPARE(qf::tensorRtScaleHex(63.5), std::string("3f000000"));   // scale 0.5
        QCOMPARE(qf::tensorRtScaleHex(254.0), std::string("40000000"));  // scale 2.0
        QCOMPARE(qf::tensorRtScaleHex(1.27), std::string("3c23d70a"));   // scale 0.01f
        const float scale = static_cast<float>(0.5 / 127.0);
        uint32_t bits = 0;
        std::memcpy(&bits, &scale, sizeof bits);
        QCOMPARE(qf::tensorRtScaleHex(0.5),
                 QString::number(bits, 16).rightJustified(8, '0').toStdString());
    }

    void tensorRtCacheRoundTrips() {
        QTemporaryDir dir;
        const qf::Graph graph = smallGraph();
        qf::CalibrationTable table = smallTable();
        table.tensors["c1"].manualThreshold = 127.0;
        const std::string path = dir.filePath("model.cache").toStdString();
        qf::writeTensorRtCache(table, path);
        const std::vector<std::string> lines = linesOf(qf::readFile(path));
        QCOMPARE(lines.size(), table.tensors.size() + 1);
        QCOMPARE(lines[0], std::string("TRT-8601-EntropyCalibration2"));
        QVERIFY(std::find(lines.begin(), lines.end(), "c1: 3f800000") != lines.end());

        const qf::TensorRtCache cache = qf::readTensorRtCache(path, &graph);
        QCOMPARE(cache.version, 8601);
        QCOMPARE(cache.calibrator, std::string("EntropyCalibration2"));
        QCOMPARE(cache.thresholds.size(), table.tensors.size());
        for (const auto& [name, tensor] : table.tensors) {
            // float32 keeps the scale to 24 bits: exactly what was stored, close to the original.
            const double stored =
                static_cast<double>(static_cast<float>(tensor.threshold() / 127.0)) * 127.0;
            QVERIFY2(cache.thresholds.at(name) == stored, name.c_str());
            QVERIFY(std::abs(cache.thresholds.at(name) - tensor.threshold()) <
                    1e-6 * tensor.threshold());
        }

        table.selectMethod(qf::ThresholdMethod::MinMax);
        qf::writeTensorRtCache(table, path, 7103);
        QCOMPARE(linesOf(qf::readFile(path))[0], std::string("TRT-7103-MinMaxCalibration"));
        QCOMPARE(qf::readTensorRtCache(path).calibrator, std::string("MinMaxCalibration"));
    }

    void tensorRtReaderReportsTheLine() {
        QTemporaryDir dir;
        const qf::Graph graph = smallGraph();
        const std::string path = dir.filePath("bad.cache").toStdString();
        const auto errorFor = [&](const std::string& text, const qf::Graph* withGraph = nullptr) {
            writeText(path, text);
            return qftest::errorOf([&] { qf::readTensorRtCache(path, withGraph); });
        };
        const std::string header = "TRT-8601-EntropyCalibration2\n";
        QCOMPARE(errorFor(header + "data: 3c010204\r\nc1: 3f800000\n", &graph), std::string());
        QCOMPARE(qf::readTensorRtCache(path).thresholds.at("c1"), 127.0);

        std::string error = errorFor(header + "data: 3c010204\nc1: 3f80zz00\n");
        QVERIFY2(contains(error, path + ":3:") && contains(error, "c1") && contains(error, "hex"),
                 error.c_str());
        error = errorFor(header + "data: 3c0102040\n");
        QVERIFY2(contains(error, path + ":2:"), error.c_str());
        error = errorFor(header + "data: 3c010204\n\nnowhere: 3f800000\n", &graph);
        QVERIFY2(contains(error, path + ":4:") && contains(error, "'nowhere'"), error.c_str());
        QCOMPARE(errorFor(header + "nowhere: 3f800000\n"), std::string());  // no graph: any name
        error = errorFor(header + "c1: 7fc00000\n");
        QVERIFY2(contains(error, path + ":2:") && contains(error, "NaN"), error.c_str());
        error = errorFor(header + "c1: bf800000\n");
        QVERIFY2(contains(error, path + ":2:") && contains(error, "not positive"), error.c_str());
        error = errorFor(header + "c1: 7f800000\n");
        QVERIFY2(contains(error, "infinite"), error.c_str());
        error = errorFor(header + "c1: 3f800000\nc1: 3f800000\n");
        QVERIFY2(contains(error, path + ":3:") && contains(error, "twice"), error.c_str());
        error = errorFor(header + "c1 3f800000\n");
        QVERIFY2(contains(error, path + ":2:"), error.c_str());
        error = errorFor("data: 3f800000\n");
        QVERIFY2(contains(error, path + ":1:") && contains(error, "TensorRT"), error.c_str());
        error = errorFor("");
        QVERIFY2(contains(error, path) && contains(error, "empty"), error.c_str());
        // Names may contain ": " themselves; the last one separates the value.
        QCOMPARE(qf::parseTensorRtCache(header + "a: b: 3f800000\n", "x").thresholds.at("a: b"),
                 127.0);
    }

    void tensorRtWriterRefusesBadThresholds() {
        qf::CalibrationTable table = smallTable();
        table.tensors["c1"].manualThreshold = -1.0;
        QVERIFY(contains(qftest::errorOf([&] { qf::tensorRtCacheText(table); }), "'c1'"));
        table.tensors["c1"].manualThreshold = 1.0;
        table.tensors["a\nb"] = table.tensors["c1"];
        QVERIFY(contains(qftest::errorOf([&] { qf::tensorRtCacheText(table); }), "line break"));
    }

    // ---- ncnn

    void ncnnWeightScalesOfHandMadeWeights() {
        const qf::Graph graph = smallGraph();
        const auto scales = weightScalesOf(graph);
        const std::vector<float>& conv1 = scales.at("conv1");
        // 127 / max|w| per output channel: 127/0.5, 127/127, all zero -> 0, 127/2.
        const std::vector<float> expected = {254.0f, 1.0f, 0.0f, 63.5f};
        QCOMPARE(conv1.size(), expected.size());
        for (size_t c = 0; c < expected.size(); ++c)
            QVERIFY2(std::abs(conv1[c] - expected[c]) <= 1e-5f * expected[c],
                     qPrintable(QString::number(conv1[c])));
        QCOMPARE(conv1[2], 0.0f);
        QCOMPARE(scales.at("deconv").size(), size_t{2});  // [Cin, Cout, kh, kw]
        QCOMPARE(scales.at("conv2").size(), size_t{6});
        QCOMPARE(scales.at("fc").size(), size_t{5});  // transB: [N, K]
        QCOMPARE(scales.size(), size_t{4});

        const qf::CalibrationTable table = smallTable();
        std::map<std::string, std::vector<float>> exact = scales;
        exact["conv1"] = expected;
        const std::vector<std::string> lines = linesOf(qf::ncnnTableText(graph, table, exact));
        QCOMPARE(lines.size(), size_t{8});
        QCOMPARE(lines[0], std::string("conv1_param_0 254 1 0 63.5"));
        // Weight lines first, then input lines, in graph order.
        const std::vector<std::string> keys = {
            "conv1_param_0", "deconv_param_0", "conv2_param_0", "fc_param_0",
            "conv1",         "deconv",         "conv2",         "fc"};
        const std::vector<std::string> inputs = {"data", "r1", "d", "f"};
        for (size_t k = 0; k < keys.size(); ++k) {
            const std::vector<std::string> words = wordsOf(lines[k]);
            QCOMPARE(words[0], keys[k]);
            if (k < 4) {
                QCOMPARE(words.size(), exact.at(keys[k + 4]).size() + 1);
                for (size_t c = 1; c < words.size(); ++c)
                    QCOMPARE(floatOf(words[c]), exact.at(keys[k + 4])[c - 1]);
            } else {
                // 127 / threshold of the tensor feeding the layer, manual override included.
                QCOMPARE(words.size(), size_t{2});
                QCOMPARE(floatOf(words[1]),
                         static_cast<float>(127.0 / table.find(inputs[k - 4])->threshold()));
            }
        }
        QCOMPARE(floatOf(wordsOf(lines[6])[1]),
                 static_cast<float>(127.0 / 4.25));  // d: set by hand
    }

    void ncnnTableRoundTripsWithFp32Layers() {
        QTemporaryDir dir;
        const qf::Graph graph = smallGraph();
        const qf::CalibrationTable table = smallTable();
        const auto scales = weightScalesOf(graph);
        const std::string path = dir.filePath("model.table").toStdString();
        qf::writeNcnnTable(graph, table, scales, path, {"deconv"});
        const std::string text = qf::readFile(path);
        QVERIFY(contains(text, "\n#deconv_param_0 "));
        QVERIFY(contains(text, "\n#deconv "));
        QVERIFY(!contains(text, "#conv"));

        const qf::NcnnTable read = qf::readNcnnTable(path, graph);
        QCOMPARE(read.layers.size(), size_t{4});
        for (const auto& [name, layer] : read.layers) {
            QCOMPARE(layer.keepFp32, name == "deconv");
            QVERIFY2(layer.weightScales == scales.at(name), name.c_str());
            const std::string& input =
                graph.nodes[static_cast<size_t>(graph.nodeIndex(name))].input(0);
            QVERIFY(layer.inputScale.has_value());
            QCOMPARE(*layer.inputScale, static_cast<float>(127.0 / table.find(input)->threshold()));
        }
    }

    void ncnnReaderReportsTheLine() {
        QTemporaryDir dir;
        const qf::Graph graph = smallGraph();
        const std::string path = dir.filePath("bad.table").toStdString();
        const auto errorFor = [&](const std::string& text) {
            writeText(path, text);
            return qftest::errorOf([&] { qf::readNcnnTable(path, graph); });
        };
        const std::string good = "conv1_param_0 254 1 0 63.5\nconv1 12.5\n";
        QCOMPARE(errorFor("# made by hand\n" + good + "\r\n#conv2 1e-3\n#nothing here\n"),
                 std::string());
        const qf::NcnnTable read = qf::readNcnnTable(path, graph);
        QCOMPARE(*read.layers.at("conv1").inputScale, 12.5f);
        QVERIFY(read.layers.at("conv2").keepFp32);
        QCOMPARE(read.layers.count("deconv"), size_t{0});

        std::string error = errorFor(good + "conv9 1.5\n");
        QVERIFY2(contains(error, path + ":3:") && contains(error, "'conv9'") &&
                     contains(error, "not in the model"),
                 error.c_str());
        error = errorFor(good + "relu1 1.5\n");
        QVERIFY2(contains(error, path + ":3:") && contains(error, "not a Conv"), error.c_str());
        error = errorFor("conv9_param_0 1 2\n");
        QVERIFY2(contains(error, path + ":1:") && contains(error, "'conv9'"), error.c_str());
        error = errorFor(good + "conv2 nan\n");
        QVERIFY2(contains(error, path + ":3:") && contains(error, "NaN"), error.c_str());
        error = errorFor(good + "conv2 inf\n");
        QVERIFY2(contains(error, path + ":3:") && contains(error, "infinite"), error.c_str());
        error = errorFor("conv1_param_0 254 -1 0 63.5\n");
        QVERIFY2(contains(error, path + ":1:") && contains(error, "negative"), error.c_str());
        error = errorFor(good + "conv2 1.2.3\n");
        QVERIFY2(contains(error, path + ":3:") && contains(error, "'1.2.3' is not a number"),
                 error.c_str());
        error = errorFor("conv1_param_0 254 1 0\n");
        QVERIFY2(contains(error, path + ":1:") &&
                     contains(error, "3 weight scales for 4 output channels"),
                 error.c_str());
        error = errorFor("conv1 1 2\n");
        QVERIFY2(contains(error, path + ":1:") && contains(error, "one input scale"),
                 error.c_str());
        error = errorFor("conv1 0\n");
        QVERIFY2(contains(error, path + ":1:"), error.c_str());
        error = errorFor(good + "#conv1 3\n");
        QVERIFY2(contains(error, path + ":3:") && contains(error, "twice"), error.c_str());
        error = errorFor("conv1_param_1 3\n");
        QVERIFY2(contains(error, path + ":1:") && contains(error, "_param_0"), error.c_str());
    }

    void ncnnWriterRefusesWhatItCannotWrite() {
        const qf::Graph graph = smallGraph();
        const qf::CalibrationTable table = smallTable();
        auto scales = weightScalesOf(graph);
        QCOMPARE(qftest::errorOf([&] { qf::ncnnTableText(graph, table, scales); }), std::string());
        auto missing = scales;
        missing.erase("conv2");
        QVERIFY(contains(qftest::errorOf([&] { qf::ncnnTableText(graph, table, missing); }),
                         "'conv2'"));
        auto wrongCount = scales;
        wrongCount["fc"].push_back(1.0f);
        QVERIFY(contains(qftest::errorOf([&] { qf::ncnnTableText(graph, table, wrongCount); }),
                         "6 weight scales for 5"));
        auto extra = scales;
        extra["relu1"] = {1.0f};
        QVERIFY(
            contains(qftest::errorOf([&] { qf::ncnnTableText(graph, table, extra); }), "'relu1'"));
        auto nan = scales;
        nan["conv2"][0] = std::nanf("");
        QVERIFY(
            contains(qftest::errorOf([&] { qf::ncnnTableText(graph, table, nan); }), "'conv2'"));
        qf::CalibrationTable partial = table;
        partial.tensors.erase("d");
        const std::string error =
            qftest::errorOf([&] { qf::ncnnTableText(graph, partial, scales); });
        QVERIFY2(contains(error, "'conv2'") && contains(error, "'d'"), error.c_str());
        QVERIFY(
            contains(qftest::errorOf([&] { qf::ncnnTableText(graph, table, scales, {"conv7"}); }),
                     "'conv7'"));
    }

    // ---- QuantFold JSON

    // A table must quantize something of this model, with thresholds a float32 scale can hold:
    // otherwise a comparison reports int8 identical to FP32, or inf/NaN (found by probing).
    void tablesMustFitTheModel() {
        QTemporaryDir dir;
        const qf::Graph graph = smallGraph();
        const std::string good = dir.filePath("good.json").toStdString();
        qf::writeCalibrationTable(graph, smallTable(), qf::TableFormat::Json, good);
        QCOMPARE(qf::readCalibrationTable(good, graph).table.tensors.size(), size_t{8});
        const auto errorFor = [&](const std::string& path) {
            return qftest::errorOf([&] { qf::readCalibrationTable(path, graph); });
        };
        // Another model's table: the same file read for a graph whose tensors it does not name.
        GraphBuilder other;
        other.input("x", {1, 3, 4, 4}).output("y").weight("w", {2, 3, 1, 1});
        other.node("c", "Conv", {"x", "w"}, {"y"});
        const std::string foreign =
            qftest::errorOf([&] { qf::readCalibrationTable(good, other.graph()); });
        QVERIFY2(contains(foreign, good + ": the table names no tensor of this model"),
                 foreign.c_str());
        // An empty file and a directory.
        const std::string empty = dir.filePath("empty.table").toStdString();
        writeText(empty, "");
        QVERIFY2(contains(errorFor(empty), "names no tensor of this model (it is empty)"),
                 errorFor(empty).c_str());
        QVERIFY2(contains(errorFor(dir.path().toStdString()), "not a regular file"),
                 errorFor(dir.path().toStdString()).c_str());
        // Thresholds beyond float32, from a TensorRT cache and an ncnn table.
        const std::string huge = dir.filePath("huge.cache").toStdString();
        writeText(huge, "TRT-8601-EntropyCalibration2\nc1: 7f7fffff\n");  // scale FLT_MAX
        const std::string hugeError = errorFor(huge);
        QVERIFY2(contains(hugeError, "'c1' has an unusable threshold"), hugeError.c_str());
        const std::string tiny = dir.filePath("tiny.table").toStdString();
        writeText(tiny, "conv1_param_0 1 1 1 1\nconv1 1e38\n");
        const std::string tinyError = errorFor(tiny);
        QVERIFY2(contains(tinyError, "unusable threshold") && contains(tinyError, "'data'"),
                 tinyError.c_str());
    }

    void jsonRoundTripIsExact() {
        QTemporaryDir dir;
        qf::CalibrationTable table = smallTable();
        table.tensors["we\"ird\\name\t\xc3\xbc"] =
            table.tensors["c1"];  // quote, backslash, tab, u-umlaut
        table.tensors["zeros"].histogram.add(std::vector<float>(10, 0.0f).data(), 10);
        table.tensors["empty"];
        const std::string path = dir.filePath("calibration.json").toStdString();
        qf::writeCalibrationJson(table, path);
        const qf::CalibrationTable read = qf::readCalibrationJson(path);
        QCOMPARE(read.images, table.images);
        QVERIFY(read.options.percentile == table.options.percentile);
        QCOMPARE(read.options.levels, table.options.levels);
        QCOMPARE(read.tensors.size(), table.tensors.size());
        for (const auto& [name, tensor] : table.tensors) {
            QVERIFY2(read.tensors.count(name), name.c_str());
            const qf::TensorCalibration& back = read.tensors.at(name);
            QVERIFY(back.method == tensor.method);
            QVERIFY(back.thresholds == tensor.thresholds);
            QVERIFY(back.manualThreshold == tensor.manualThreshold);
            QVERIFY(back.threshold() == tensor.threshold());
            QVERIFY(back.histogram.counts() == tensor.histogram.counts());
            QVERIFY(back.histogram.range() == tensor.histogram.range());
            QVERIFY(back.histogram.min() == tensor.histogram.min());
            QVERIFY(back.histogram.max() == tensor.histogram.max());
            QVERIFY(back.histogram.absMax() == tensor.histogram.absMax());
            QVERIFY(back.histogram.total() == tensor.histogram.total());
        }
        // Written again, the same bytes.
        QCOMPARE(qf::calibrationJsonText(read), qf::readFile(path));
    }

    void jsonIsWhatQtReads() {
        QTemporaryDir dir;
        qf::CalibrationTable table = smallTable();
        table.tensors["na\"me\xc3\xbc"] = table.tensors["c2"];
        const std::string path = dir.filePath("calibration.json").toStdString();
        qf::writeCalibrationJson(table, path);
        QFile file(QString::fromStdString(path));
        QVERIFY(file.open(QIODevice::ReadOnly));
        QJsonParseError parseError;
        const QJsonDocument document = QJsonDocument::fromJson(file.readAll(), &parseError);
        QVERIFY2(parseError.error == QJsonParseError::NoError,
                 qPrintable(parseError.errorString()));
        const QJsonObject root = document.object();
        QCOMPARE(root["format"].toString(), QString("quantfold-calibration"));
        QCOMPARE(root["version"].toInt(), 1);
        QCOMPARE(root["images"].toInt(), 7);
        QCOMPARE(root["method"].toString(), QString("mixed"));  // c2 uses percentile
        QCOMPARE(root["percentile"].toDouble(), 99.9);
        const QJsonObject tensors = root["tensors"].toObject();
        QCOMPARE(static_cast<size_t>(tensors.size()), table.tensors.size());
        QVERIFY(tensors.contains(QString::fromUtf8("na\"me\xc3\xbc")));
        for (const auto& [name, tensor] : table.tensors) {
            const QJsonObject json = tensors[QString::fromStdString(name)].toObject();
            QVERIFY2(!json.isEmpty(), name.c_str());
            QCOMPARE(json["method"].toString().toStdString(), qf::methodName(tensor.method));
            QVERIFY(json["threshold"].toDouble() == tensor.threshold());
            if (tensor.manualThreshold)
                QVERIFY(json["manual_threshold"].toDouble() == *tensor.manualThreshold);
            else
                QVERIFY(json["manual_threshold"].isNull());
            const QJsonObject thresholds = json["thresholds"].toObject();
            QCOMPARE(static_cast<size_t>(thresholds.size()), qf::allThresholdMethods().size());
            for (const auto& [method, threshold] : tensor.thresholds)
                QVERIFY(thresholds[QString::fromStdString(qf::methodName(method))].toDouble() ==
                        threshold);
            QVERIFY(json["min"].toDouble() == tensor.histogram.min());
            QVERIFY(json["max"].toDouble() == tensor.histogram.max());
            const QJsonObject histogram = json["histogram"].toObject();
            QCOMPARE(histogram["bins"].toInt(), 2048);
            QVERIFY(histogram["range"].toDouble() == tensor.histogram.range());
            std::vector<double> counts(2048, 0.0);
            int previous = -1;
            for (const QJsonValue pair : histogram["nonzero"].toArray()) {
                const int index = pair.toArray()[0].toInt();
                QVERIFY(index > previous);
                previous = index;
                counts[static_cast<size_t>(index)] = pair.toArray()[1].toDouble();
            }
            QVERIFY(counts == tensor.histogram.counts());
        }
        QCOMPARE(tensors["d"].toObject()["manual_threshold"].toDouble(), 4.25);
        QCOMPARE(tensors["d"].toObject()["threshold"].toDouble(), 4.25);
    }

    void jsonReaderErrorsNameFileAndTensor() {
        QTemporaryDir dir;
        const std::string path = dir.filePath("bad.json").toStdString();
        const std::string good = qf::calibrationJsonText(smallTable());
        const auto errorFor = [&](const std::string& text) {
            writeText(path, text);
            return qftest::errorOf([&] { qf::readCalibrationJson(path); });
        };
        const auto replaced = [&good](const std::string& from, const std::string& to) {
            std::string text = good;
            const size_t at = text.find(from);
            if (at == std::string::npos) qFatal("'%s' not in the written JSON", from.c_str());
            return text.replace(at, from.size(), to);
        };
        QCOMPARE(errorFor(good), std::string());
        // The file as a generic tool re-indents it: still read.
        QCOMPARE(
            errorFor(
                QJsonDocument::fromJson(QByteArray::fromStdString(good)).toJson().toStdString()),
            std::string());

        std::string error = errorFor("{\"format\": \"quantfold-calibration\",\n \"version\": 1,");
        QVERIFY2(contains(error, path + ":2:") && contains(error, "not valid JSON"), error.c_str());
        error = errorFor("kl 3.5\n");
        QVERIFY2(contains(error, path + ":1:") && contains(error, "not valid JSON"), error.c_str());
        error = errorFor(replaced("quantfold-calibration", "other-tool"));
        QVERIFY2(
            contains(error, path + ":2:") && contains(error, "not a QuantFold calibration file"),
            error.c_str());
        error = errorFor(replaced("\"version\": 1", "\"version\": 2"));
        QVERIFY2(contains(error, "newer"), error.c_str());

        const std::string c1Kl = "\"c1\": {\n      \"method\": \"kl\",\n      \"threshold\": ";
        QVERIFY(contains(good, c1Kl));
        error = errorFor(replaced(c1Kl, c1Kl + "NaN, \"x\": "));
        QVERIFY2(
            contains(error, path + ":") && contains(error, "tensor 'c1'") && contains(error, "NaN"),
            error.c_str());
        error = errorFor(replaced("\"c1\": {\n      \"method\": \"kl\"",
                                  "\"c1\": {\n      \"method\": \"kll\""));
        QVERIFY2(contains(error, "tensor 'c1'") && contains(error, "unknown method \"kll\""),
                 error.c_str());
        error = errorFor(replaced("\"c1\": {\n      \"method\": \"kl\",\n      \"threshold\": ",
                                  "\"c1\": {\n      \"method\": \"kl\",\n      \"threshold\": -"));
        QVERIFY2(contains(error, "tensor 'c1'") && contains(error, "negative"), error.c_str());
        error = errorFor(replaced("\"thresholds\": {\"kl\": ", "\"thresholds\": {\"kl\": -"));
        QVERIFY2(contains(error, "tensor '") && contains(error, "kl threshold") &&
                     contains(error, "negative"),
                 error.c_str());
        error = errorFor(replaced("\"thresholds\": {\"kl\"", "\"thresholds\": {\"entropy\""));
        QVERIFY2(contains(error, "tensor '") && contains(error, "unknown method \"entropy\""),
                 error.c_str());
        error = errorFor(replaced("\"min\": -", "\"min\": 1e9, \"x\": -"));
        QVERIFY2(contains(error, "tensor 'c1'") && contains(error, "above max"), error.c_str());
        error = errorFor(replaced("\"manual_threshold\": null", "\"manual_threshold\": Infinity"));
        QVERIFY2(contains(error, "tensor '") && contains(error, "infinite"), error.c_str());
        error = errorFor(replaced("\"nonzero\": [[", "\"nonzero\": [[4000, 1], ["));
        QVERIFY2(contains(error, "tensor '") && contains(error, "histogram bin"), error.c_str());
        error = errorFor(replaced("\"method\": \"percentile\",\n      \"threshold\": ",
                                  "\"method\": \"percentile\",\n      \"threshold\": 1"));
        QVERIFY2(contains(error, "tensor 'c2'") && contains(error, "manual_threshold"),
                 error.c_str());
    }

    void jsonWriterRefusesWhatJsonCannotHold() {
        qf::CalibrationTable table = smallTable();
        table.tensors["c1"].manualThreshold = std::nan("");
        QVERIFY(contains(qftest::errorOf([&] { qf::calibrationJsonText(table); }), "'c1'"));
        table.tensors["c1"].manualThreshold = 0.0;
        QVERIFY(contains(qftest::errorOf([&] { qf::calibrationJsonText(table); }), "'c1'"));
    }
};

QTEST_GUILESS_MAIN(TestCalibrationFormats)
#include "test_calibration_formats.moc"

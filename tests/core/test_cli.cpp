// quantfold-cli end to end on the bundled sample: JSON keys, accuracy, fold verification,
// and the errors a user meets (missing files, empty folders, undecodable images, overwrites).
#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QtTest>

#include "formats/model_io.h"
#include "test_support.h"
#include "tf_graph_builder.h"

namespace {

struct CliResult {
    int exitCode = -1;
    QByteArray out, err;
    QJsonObject json() const { return QJsonDocument::fromJson(out).object(); }
};

CliResult runCli(const QStringList& arguments) {
    QProcess process;
    process.start(QF_CLI_PATH, arguments);
    process.waitForFinished(300000);
    return {process.exitCode(), process.readAllStandardOutput(), process.readAllStandardError()};
}

QString sample(const QString& file) {
    return QString::fromStdString(qftest::sourcePath("resources/sample/" + file.toStdString()));
}

const QStringList samplePreprocessing = {"--scale", "0.00392156862745098", "--mean", "0.5,0.5,0.5",
                                         "--std",   "0.5,0.5,0.5",         "--rgb"};

}  // namespace

class TestCli : public QObject {
    Q_OBJECT

private slots:
    void infoDescribesBothFormats() {
        const CliResult onnx = runCli({"info", sample("digits.onnx"), "--json"});
        QCOMPARE(onnx.exitCode, 0);
        QCOMPARE(onnx.json()["format"].toString(), QString("onnx"));
        QCOMPARE(onnx.json()["foldable"].toInt(), 3);
        QCOMPARE(onnx.json()["op_counts"].toObject()["BatchNormalization"].toInt(), 3);
        QVERIFY(onnx.json()["unsupported"].toArray().isEmpty());
        const CliResult caffe = runCli(
            {"info", sample("digits_deploy.prototxt"), sample("digits.caffemodel"), "--json"});
        QCOMPARE(caffe.exitCode, 0);
        QCOMPARE(caffe.json()["format"].toString(), QString("caffe"));
        QCOMPARE(caffe.json()["foldable"].toInt(), 6);  // 3 BatchNorm + 3 Scale
        QCOMPARE(caffe.json()["nodes"].toInt(), 16);
    }

    void runReportsAccuracyInBothFormats() {
        const CliResult onnx = runCli(
            QStringList{"run", sample("digits.onnx"), "--images", sample("images"), "--json"} +
            samplePreprocessing);
        QCOMPARE(onnx.exitCode, 0);
        QCOMPARE(onnx.json()["images"].toInt(), 200);
        QVERIFY(onnx.json()["top1"].toDouble() >= 0.95);
        QVERIFY(onnx.json()["top5"].toDouble() >= onnx.json()["top1"].toDouble());
        const CliResult caffe =
            runCli(QStringList{"run", sample("digits_deploy.prototxt"), sample("digits.caffemodel"),
                               "--images", sample("images"), "--json"} +
                   samplePreprocessing);
        QCOMPARE(caffe.exitCode, 0);
        QCOMPARE(caffe.json()["top1"].toDouble(), onnx.json()["top1"].toDouble());
    }

    void foldWritesAVerifiedModel() {
        QTemporaryDir dir;
        const QString out = dir.filePath("folded.onnx");
        const CliResult result = runCli(QStringList{"fold", sample("digits.onnx"), "-o", out,
                                                    "--verify-images", sample("images"), "--json"} +
                                        samplePreprocessing);
        QCOMPARE(result.exitCode, 0);
        QCOMPARE(result.json()["folded"].toInt(), 3);
        QVERIFY(result.json()["skipped"].toArray().isEmpty());
        const double diff = result.json()["max_abs_diff"].toObject()["logits"].toDouble(-1);
        QVERIFY2(diff >= 0 && diff < 1e-4, QByteArray::number(diff));
        QCOMPARE(QDir(dir.path()).entryList(QDir::Files), QStringList{"folded.onnx"});
        const CliResult info = runCli({"info", out, "--json"});
        QCOMPARE(info.json()["op_counts"].toObject()["BatchNormalization"].toInt(), 0);
        const CliResult run = runCli(
            QStringList{"run", out, "--images", sample("images"), "--json"} + samplePreprocessing);
        QVERIFY(run.json()["top1"].toDouble() >= 0.95);
    }

    void foldWritesCaffePairs() {
        QTemporaryDir dir;
        const QString out = dir.filePath("folded.prototxt");
        const CliResult result = runCli(QStringList{"fold", sample("digits_deploy.prototxt"),
                                                    sample("digits.caffemodel"), "-o", out,
                                                    "--verify-images", sample("images"), "--json"} +
                                        samplePreprocessing);
        QCOMPARE(result.exitCode, 0);
        QCOMPARE(result.json()["folded"].toInt(), 6);
        QVERIFY(result.json()["max_abs_diff"].toObject()["logits"].toDouble(-1) < 1e-4);
        QVERIFY(QFile::exists(dir.filePath("folded.caffemodel")));
        const CliResult info = runCli({"info", out, dir.filePath("folded.caffemodel"), "--json"});
        QCOMPARE(info.exitCode, 0);
        QCOMPARE(info.json()["nodes"].toInt(), 10);
    }

    void refusesToWriteOverItsInput() {
        QTemporaryDir dir;
        const QString copy = dir.filePath("model.onnx");
        QVERIFY(QFile::copy(sample("digits.onnx"), copy));
        const QByteArray before = [&] {
            QFile f(copy);
            f.open(QIODevice::ReadOnly);
            return f.readAll();
        }();
        const CliResult result = runCli({"fold", copy, "-o", copy});
        QVERIFY(result.exitCode != 0);
        QVERIFY2(result.err.contains("refusing to write over"), result.err);
        QFile after(copy);
        QVERIFY(after.open(QIODevice::ReadOnly));
        QCOMPARE(after.readAll(), before);
    }

    // The resource limits are options too: a lower one refuses what the default lets through.
    void limitsAreOptions() {
        const QStringList run = QStringList{"run",          sample("digits.onnx"),
                                            "--images",     sample("images"),
                                            "--max-images", "1",
                                            "--size",       "40x40"} +
                                samplePreprocessing;
        QCOMPARE(runCli(run).exitCode, 0);
        const CliResult tensors = runCli(run + QStringList{"--max-tensor-values", "6000"});
        QCOMPARE(tensors.exitCode, 1);
        QVERIFY2(tensors.err.contains("would hold more than 6000 values") &&
                     tensors.err.contains("--max-tensor-values"),
                 tensors.err);
        const CliResult pixels = runCli(run + QStringList{"--max-image-pixels", "1000"});
        QCOMPARE(pixels.exitCode, 1);
        QVERIFY2(pixels.err.contains("--size 40x40 is larger than the image limit"), pixels.err);
        // The sample images are 16x16 (256 pixels): 200 refuses every one of them.
        const CliResult images = runCli(QStringList{"run", sample("digits.onnx"), "--images",
                                                    sample("images"), "--max-image-pixels", "200"} +
                                        samplePreprocessing);
        QCOMPARE(images.exitCode, 1);
        QVERIFY2(images.err.contains("none of the images"), images.err);
        for (const char* bad : {"0", "-5", "many", "1e9"}) {
            const CliResult refused =
                runCli({"info", sample("digits.onnx"), "--max-tensor-values", bad});
            QCOMPARE(refused.exitCode, 1);
            QVERIFY2(refused.err.contains("--max-tensor-values expects a whole number >= 1"),
                     refused.err);
        }
    }

    // Protobuf logs some parse failures on stderr itself; they join our one error line instead.
    void protobufComplaintsJoinTheErrorLine() {
        QTemporaryDir dir;
        // GraphDef { node { name: "\xff" } }: a proto3 string field that is not UTF-8.
        const QString path = dir.filePath("bad-utf8.pb");
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(QByteArray::fromHex("0a030a01ff"));
        file.close();
        const CliResult result = runCli({"info", path});
        QCOMPARE(result.exitCode, 1);
        QVERIFY2(result.err.contains("bad-utf8.pb: not a TensorFlow GraphDef") &&
                     result.err.contains("(protobuf: ") && result.err.contains("UTF-8"),
                 result.err);
        QVERIFY2(!result.err.contains("[libprotobuf"), result.err);
        QCOMPARE(result.err.count('\n'), 1);
    }

    void reportsBadInputClearly() {
        QTemporaryDir dir;
        const CliResult missing = runCli({"info", dir.filePath("nope.onnx")});
        QCOMPARE(missing.exitCode, 1);
        QVERIFY2(missing.err.contains("nope.onnx") && missing.err.contains("no such file"),
                 missing.err);
        QCOMPARE(missing.err.count('\n'), 1);

        QDir(dir.path()).mkdir("empty");
        const CliResult empty =
            runCli({"run", sample("digits.onnx"), "--images", dir.filePath("empty")});
        QCOMPARE(empty.exitCode, 1);
        QVERIFY2(empty.err.contains("no images"), empty.err);

        // One good image and one that is not an image: the run goes on and names the bad one.
        QDir(dir.path()).mkdir("mixed");
        QVERIFY(QFile::copy(sample("images/img_0000.png"), dir.filePath("mixed/good.png")));
        QFile bad(dir.filePath("mixed/broken.jpg"));
        QVERIFY(bad.open(QIODevice::WriteOnly));
        bad.write("not really a jpeg");
        bad.close();
        const CliResult mixed =
            runCli({"run", sample("digits.onnx"), "--images", dir.filePath("mixed"), "--json"});
        QCOMPARE(mixed.exitCode, 0);
        QCOMPARE(mixed.json()["images"].toInt(), 1);
        QVERIFY2(mixed.err.contains("broken.jpg"), mixed.err);
        QCOMPARE(mixed.json()["skipped"].toArray().size(), 1);

        const CliResult noDir =
            runCli({"fold", sample("digits.onnx"), "-o", dir.filePath("missing/dir/out.onnx")});
        QCOMPARE(noDir.exitCode, 1);
        QVERIFY2(noDir.err.contains("out.onnx"), noDir.err);
        QVERIFY(!QDir(dir.filePath("missing")).exists());

        // A tensor past the size limit (lowered here through the environment) stops the run
        // with one line naming the model file and the node, before anything is allocated: at
        // 40x40 the input (4 800 values) and every weight (at most 4 608) fit 6 000 values,
        // conv1's output (12 800) does not.
        QProcess limited;
        QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
        environment.insert("QUANTFOLD_MAX_TENSOR_VALUES", "6000");
        limited.setProcessEnvironment(environment);
        limited.start(QF_CLI_PATH,
                      QStringList{"run", sample("digits.onnx"), "--images", sample("images"),
                                  "--max-images", "1", "--size", "40x40"} +
                          samplePreprocessing);
        QVERIFY(limited.waitForFinished(300000));
        QCOMPARE(limited.exitCode(), 1);
        const QByteArray lastLine = limited.readAllStandardError().trimmed().split('\n').last();
        QVERIFY2(
            lastLine.startsWith("quantfold-cli: " + sample("digits.onnx").toUtf8() + ": node '") &&
                lastLine.contains("would hold more than 6000 values") &&
                lastLine.contains("QUANTFOLD_MAX_TENSOR_VALUES"),
            lastLine);

        const CliResult usage = runCli({"fold", sample("digits.onnx")});
        QVERIFY(usage.exitCode != 0);
        QVERIFY2(usage.err.contains("-o OUT"), usage.err);
    }

    // Arguments that were accepted though meaningless (found by probing) are refused by name.
    void refusesMeaninglessArguments() {
        QTemporaryDir dir;
        const auto refused = [](const CliResult& result, const char* expected) {
            QVERIFY2(result.exitCode == 1 && result.err.contains(expected), result.err);
        };
        const auto runOnSample = [](const QStringList& options) {
            return runCli(QStringList{"run", sample("digits.onnx"), "--images", sample("images")} +
                          options);
        };
        refused(runCli({"info", sample("digits.onnx"), sample("digits.caffemodel")}),
                "(an ONNX model takes no weights file)");
        refused(runCli({"info", sample("digits.onnx"), "extra"}), "unexpected argument 'extra'");
        refused(runOnSample({"--scale", "nan"}), "--scale expects a finite number other than 0");
        refused(runOnSample({"--mean", "0,inf,0"}), "--mean expects a,b,c or one number");
        refused(runOnSample({"--max-images", "-3"}), "--max-images expects a whole number >= 0");
        refused(runOnSample({"--max-images", "ten"}), "got 'ten'");
        // Sizes every image would fail alike are refused once, before any image is read.
        refused(runOnSample({"--size", "100000x100000"}),
                "--size 100000x100000 is larger than the image limit of 100 megapixels");
        refused(runOnSample({"--resize-shorter", "1000000"}),
                "--resize-shorter 1000000 makes every image larger than the limit");
        refused(runCli({"fold", sample("digits.onnx"), "-o", dir.filePath("out.onnx"), "--only",
                        "no_such_node"}),
                "--only: the model has no node 'no_such_node'");
        QVERIFY(!QFile::exists(dir.filePath("out.onnx")));
        // calibrate -o onto one of its own calibration images.
        QVERIFY(QDir(dir.path()).mkdir("images"));
        const QString image = dir.filePath("images/img_0000.png");
        QVERIFY(QFile::copy(sample("images/img_0000.png"), image));
        const QByteArray before = [&] {
            QFile f(image);
            return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
        }();
        refused(runCli(QStringList{"calibrate", sample("digits.onnx"), "--images",
                                   dir.filePath("images"), "-o", image}
                       << samplePreprocessing),
                "refusing to write over one of this command's own input files");
        QFile after(image);
        QVERIFY(after.open(QIODevice::ReadOnly));
        QCOMPARE(after.readAll(), before);
        // A verification that cannot run leaves no output behind.
        QVERIFY(QDir(dir.path()).mkdir("no_images"));
        refused(runCli({"fold", sample("digits.onnx"), "-o", dir.filePath("out.onnx"),
                        "--verify-images", dir.filePath("no_images")}),
                "no images");
        QVERIFY(!QFile::exists(dir.filePath("out.onnx")));
    }

    // A TensorFlow graph whose Placeholder leaves batch, height and width unknown and whose
    // Reshape target is computed from Shape(x): --input-shape fills the dimensions before the
    // Shape subgraph is evaluated, in TensorFlow's NHWC order; -1 keeps one unknown.
    void inputShapeFillsUnknownTensorflowDimensions() {
        using namespace qftest;
        const qf_tf::GraphDef def = unknownDimensionsGraph();
        QTemporaryDir dir;
        const QString model = QString::fromStdString(writeGraph(def, dir, "unknown_dims.pb"));

        // Without it the Shape node is named as what keeps the model from running.
        const CliResult unknown = runCli({"info", model, "--json"});
        QCOMPARE(unknown.exitCode, 0);
        QVERIFY2(unknown.err.contains("'shape'") && unknown.err.contains("--input-shape"),
                 unknown.err);

        const CliResult info = runCli({"info", model, "--input-shape", "1,8,6,3", "--json"});
        QVERIFY2(info.exitCode == 0, info.err);
        QVERIFY2(info.json()["warnings"].toArray().isEmpty(), info.out);
        const QJsonArray inputShape =
            info.json()["inputs"].toArray()[0].toObject()["shape"].toArray();
        QCOMPARE(inputShape, (QJsonArray{1, 3, 8, 6}));  // the IR holds images NCHW
        QCOMPARE(info.json()["outputs"].toArray()[0].toObject()["shape"].toArray(),
                 (QJsonArray{1, 8 * 6 * 4}));

        // The size it gives is the network's input size for running and calibrating.
        const CliResult run =
            runCli(QStringList{"run", model, "--input-shape", "1,8,6,3", "--images",
                               sample("images"), "--max-images", "3", "--json"});
        QVERIFY2(run.exitCode == 0, run.err);
        QCOMPARE(run.json()["images"].toInt(), 3);
        const QString table = dir.filePath("table.json");
        const CliResult calibrate =
            runCli({"calibrate", model, "--input-shape", "1,8,6,3", "--images", sample("images"),
                    "--max-images", "4", "--method", "minmax", "-o", table});
        QVERIFY2(calibrate.exitCode == 0, calibrate.err);
        QVERIFY(QFile::exists(table));

        // An unknown height stays unknown, so the Shape node still cannot be evaluated.
        const CliResult partly = runCli({"info", model, "--input-shape", "1,-1,6,3", "--json"});
        QCOMPARE(partly.exitCode, 0);
        QCOMPARE(partly.json()["inputs"].toArray()[0].toObject()["shape"].toArray(),
                 (QJsonArray{1, 3, -1, 6}));
        QVERIFY2(partly.err.contains("'shape'"), partly.err);

        const auto refused = [](const CliResult& result, const char* expected) {
            QVERIFY2(result.exitCode == 1 && result.err.contains(expected), result.err);
        };
        refused(runCli({"info", model, "--input-shape", "1,8,6,4"}),
                "differs from the declared [-1x-1x-1x3] in dimension 3");
        refused(runCli({"info", model, "--input-shape", "1,8,6"}), "fits no Placeholder");
        refused(runCli({"info", model, "--input-shape", "1,eight,6,3"}),
                "--input-shape expects comma-separated dimensions");
        refused(runCli({"info", model, "--input-shape", "1,0,6,3"}),
                "--input-shape expects comma-separated dimensions");
        refused(runCli({"info", sample("digits.onnx"), "--input-shape", "1,16,16,3"}),
                "--input-shape is for TensorFlow .pb graphs");
        refused(runCli({"export", sample("digits_deploy.prototxt"), sample("digits.caffemodel"),
                        "--input-shape", "1,16,16,3", "--format", "model", "-o",
                        dir.filePath("x.prototxt")}),
                "--input-shape is for TensorFlow .pb graphs");
    }

    // export --format tf-quantized-weights quantizes the filters as the file has them, as
    // transform_graph's quantize_weights does: BatchNorm is not folded into them first (that
    // widens their ranges) unless the model was folded before.
    void tfQuantizedWeightsExportDoesNotFoldFirst() {
        using namespace qftest;
        qf_tf::GraphDef def;
        addPlaceholder(def, "input", {1, 8, 8, 16});
        addConst(def, "filter", ramp({3, 3, 16, 16}, 0.01f, 0.0f));  // 2304 values: quantized
        auto& conv = addNode(def, "conv", "Conv2D", {"input", "filter"});
        setInts(conv, "strides", {1, 1, 1, 1});
        setString(conv, "padding", "SAME");
        addConst(def, "gamma", ramp({16}, 0.1f, 1.5f));
        addConst(def, "beta", ramp({16}, 0.1f, 0.0f));
        addConst(def, "mean", ramp({16}, 0.05f, 0.0f));
        addConst(def, "variance", ramp({16}, 0.05f, 1.0f));
        auto& bn =
            addNode(def, "bn", "FusedBatchNormV3", {"conv", "gamma", "beta", "mean", "variance"});
        (*bn.mutable_attr())["is_training"].set_b(false);
        (*bn.mutable_attr())["epsilon"].set_f(1e-3f);
        addNode(def, "output", "Relu", {"bn"});
        QTemporaryDir dir;
        const QString model = QString::fromStdString(writeGraph(def, dir, "conv_bn.pb"));
        const QString quantized = dir.filePath("quantized.pb");
        const CliResult exported =
            runCli({"export", model, "--format", "tf-quantized-weights", "-o", quantized});
        QVERIFY2(exported.exitCode == 0, exported.err);
        QVERIFY2(exported.err.contains("without folding BatchNorm first"), exported.err);
        const qf::Graph unfolded = qf::loadModel(quantized.toStdString());
        QCOMPARE(unfolded.opCounts().count("BatchNormalization"), size_t{1});
        // Folded first by `fold`, the same export quantizes the folded filter.
        const QString folded = dir.filePath("folded.pb");
        const CliResult fold = runCli({"fold", model, "-o", folded});
        QVERIFY2(fold.exitCode == 0, fold.err);
        const QString foldedQuantized = dir.filePath("folded_quantized.pb");
        const CliResult again =
            runCli({"export", folded, "--format", "tf-quantized-weights", "-o", foldedQuantized});
        QVERIFY2(again.exitCode == 0, again.err);
        const qf::Graph foldedGraph = qf::loadModel(foldedQuantized.toStdString());
        QCOMPARE(foldedGraph.opCounts().count("BatchNormalization"), size_t{0});
        QVERIFY(QFileInfo(foldedQuantized).size() < QFileInfo(folded).size() / 2);
    }

    // bench times the model on random inputs of its shape: the JSON says what ran and how
    // fast; int8 needs a table; the shape follows --batch and --size.
    void benchTimesFp32AndInt8() {
        const CliResult fp32 = runCli({"bench", sample("digits.onnx"), "--threads", "1", "--runs",
                                       "7", "--batch", "3", "--json"});
        QVERIFY2(fp32.exitCode == 0, fp32.err);
        const QJsonObject timing = fp32.json();
        QCOMPARE(timing["precision"].toString(), QString("fp32"));
        QCOMPARE(timing["threads"].toInt(), 1);
        QCOMPARE(timing["runs"].toInt(), 7);
        QCOMPARE(timing["input_shape"].toArray(), (QJsonArray{3, 3, 16, 16}));
        QVERIFY(timing["ms_min"].toDouble() > 0.0);
        QVERIFY(timing["ms_min"].toDouble() <= timing["ms_median"].toDouble());
        QVERIFY(timing["peak_rss_mb"].toDouble() > 1.0);

        QTemporaryDir dir;
        const QString table = dir.filePath("table.json");
        const CliResult calibrate =
            runCli(QStringList{"calibrate", sample("digits.onnx"), "--images", sample("images"),
                               "--max-images", "20", "-o", table} +
                   samplePreprocessing);
        QVERIFY2(calibrate.exitCode == 0, calibrate.err);
        const CliResult int8 = runCli({"bench", sample("digits.onnx"), "--precision", "int8",
                                       "--table", table, "--size", "24x20", "--json"});
        QVERIFY2(int8.exitCode == 0, int8.err);
        QCOMPARE(int8.json()["precision"].toString(), QString("int8"));
        QCOMPARE(int8.json()["input_shape"].toArray(), (QJsonArray{1, 3, 20, 24}));
        const CliResult text = runCli({"bench", sample("digits.onnx"), "--runs", "2"});
        QVERIFY2(text.exitCode == 0 && text.out.contains("over 2 runs"), text.out);

        const auto refused = [](const CliResult& result, const char* expected) {
            QVERIFY2(result.exitCode == 1 && result.err.contains(expected), result.err);
        };
        refused(runCli({"bench", sample("digits.onnx"), "--precision", "int8"}),
                "give the calibration table");
        refused(runCli({"bench", sample("digits.onnx"), "--precision", "fp16"}),
                "--precision expects fp32 or int8");
        refused(runCli({"bench", sample("digits.onnx"), "--threads", "0"}),
                "--threads expects a whole number >= 1");
        refused(runCli({"bench", sample("digits.onnx"), "--batch", "-2"}),
                "--batch expects a whole number >= 1");
    }

    void calibratesComparesAndExports() {
        QTemporaryDir dir;
        const QString table = dir.filePath("table.json");
        const CliResult calibrated =
            runCli(QStringList{"calibrate", sample("digits.onnx"), "--images", sample("images"),
                               "-o", table, "--json"} +
                   samplePreprocessing);
        QCOMPARE(calibrated.exitCode, 0);
        QCOMPARE(calibrated.json()["images"].toInt(), 200);
        const CliResult compared =
            runCli(QStringList{"compare", sample("digits.onnx"), "--table", table, "--images",
                               sample("images"), "--json"} +
                   samplePreprocessing);
        QCOMPARE(compared.exitCode, 0);
        const QJsonObject report = compared.json();
        for (const char* key : {"fp32", "int8", "top1_agreement", "outputs", "layers"})
            QVERIFY2(report.contains(key), key);
        QVERIFY(report["fp32"].toObject()["top1"].toDouble() >= 0.95);
        QVERIFY(std::abs(report["int8"].toObject()["top1"].toDouble() -
                         report["fp32"].toObject()["top1"].toDouble()) <= 0.02);
        QCOMPARE(report["layers"].toArray().size(), 4);
        QVERIFY(report["outputs"].toArray()[0].toObject()["cosine"].toDouble() > 0.99);
        for (const char* format : {"onnx-qdq", "ncnn", "tensorrt"}) {
            const QString out = dir.filePath(QString("export.") + format);
            const CliResult exported = runCli(
                {"export", sample("digits.onnx"), "--table", table, "--format", format, "-o", out});
            QVERIFY2(exported.exitCode == 0, exported.err);
            QVERIFY(QFileInfo(out).size() > 0);
        }
        // The ncnn table reads back into compare.
        const CliResult fromNcnn = runCli(QStringList{"compare", sample("digits.onnx"), "--table",
                                                      dir.filePath("export.ncnn"), "--images",
                                                      sample("images"), "--json"} +
                                          samplePreprocessing);
        QCOMPARE(fromNcnn.exitCode, 0);
        QVERIFY(fromNcnn.json()["top1_agreement"].toDouble() > 0.95);
    }

    // A method other than the table's own makes its bias corrections stale: compare drops them
    // and says so, or with --calibration-images measures them again, and then reports exactly
    // what comparing with a table calibrated by that method reports.
    void staleBiasCorrectionsAreMeasuredAgain() {
        QTemporaryDir dir;
        const auto calibrate = [&](const QString& method) {
            const QString table = dir.filePath(method + ".json");
            const CliResult done =
                runCli(QStringList{"calibrate", sample("digits.onnx"), "--images", sample("images"),
                                   "--method", method, "-o", table} +
                       samplePreprocessing);
            if (done.exitCode != 0) qWarning() << done.err;
            return table;
        };
        const QString autoTable = calibrate("auto"), klTable = calibrate("kl");
        const auto compare = [&](const QString& table, const QStringList& extra) {
            return runCli(QStringList{"compare", sample("digits.onnx"), "--table", table,
                                      "--images", sample("images"), "--json"} +
                          samplePreprocessing + extra);
        };
        const CliResult dropped = compare(autoTable, {"--method", "kl"});
        QCOMPARE(dropped.exitCode, 0);
        QVERIFY2(dropped.err.contains("dropped: measured for input threshold"), dropped.err);
        const CliResult measured =
            compare(autoTable, {"--method", "kl", "--calibration-images", sample("images")});
        QCOMPARE(measured.exitCode, 0);
        QVERIFY2(!measured.err.contains("dropped"), measured.err);
        QVERIFY2(measured.err.contains("bias correction(s) again"), measured.err);
        const CliResult reference = compare(klTable, {});
        QCOMPARE(reference.exitCode, 0);
        const auto sqnrOf = [](const CliResult& r) {
            return r.json()["outputs"].toArray()[0].toObject()["sqnr_db"].toDouble();
        };
        QCOMPARE(sqnrOf(measured), sqnrOf(reference));
        QVERIFY(sqnrOf(measured) != sqnrOf(dropped));
        const CliResult missing =
            compare(autoTable, {"--method", "kl", "--calibration-images", dir.filePath("none")});
        QVERIFY(missing.exitCode != 0);
        QVERIFY2(missing.err.contains("none"), missing.err);
    }

    // --equalize on calibrate, compare and export: compare's JSON carries the equalization report,
    // and int8 of the equalized model still matches its FP32.
    void equalizesWhenAsked() {
        QTemporaryDir dir;
        const QString table = dir.filePath("table.json");
        const CliResult calibrated =
            runCli(QStringList{"calibrate", sample("digits.onnx"), "--images", sample("images"),
                               "-o", table, "--equalize", "--json"} +
                   samplePreprocessing);
        QVERIFY2(calibrated.exitCode == 0, calibrated.err);
        QVERIFY2(calibrated.err.contains("equaliz"), calibrated.err);
        const CliResult compared =
            runCli(QStringList{"compare", sample("digits.onnx"), "--table", table, "--images",
                               sample("images"), "--equalize", "--json"} +
                   samplePreprocessing);
        QVERIFY2(compared.exitCode == 0, compared.err);
        const QJsonObject equalization = compared.json()["equalization"].toObject();
        for (const char* key : {"pairs", "skipped", "iterations", "worst_range_ratio_before",
                                "worst_range_ratio_after"})
            QVERIFY2(equalization.contains(key), key);
        QVERIFY(compared.json()["top1_agreement"].toDouble() > 0.95);
        const CliResult plain = runCli(QStringList{"compare", sample("digits.onnx"), "--table",
                                                   table, "--images", sample("images"), "--json"} +
                                       samplePreprocessing);
        QVERIFY(!plain.json().contains("equalization"));
        const QString out = dir.filePath("eq_qdq.onnx");
        const CliResult exported = runCli({"export", sample("digits.onnx"), "--table", table,
                                           "--format", "onnx-qdq", "-o", out, "--equalize"});
        QVERIFY2(exported.exitCode == 0, exported.err);
        QVERIFY(QFileInfo(out).size() > 0);
        const CliResult both =
            runCli(QStringList{"compare", sample("digits.onnx"), "--table", table, "--images",
                               sample("images"), "--equalize", "--no-equalize"} +
                   samplePreprocessing);
        QVERIFY(both.exitCode != 0);
        QVERIFY2(both.err.contains("--no-equalize"), both.err);
    }

    // A JSON table says when it was calibrated on an equalized graph; compare and export refuse
    // it for a graph that is not equalized, and a plain table for one that is.
    void tablesRememberEqualization() {
        QF_SHARED(model, "cifar10/resnet20/resnet20_cifar10.onnx");
        QF_SHARED(images, "cifar10/images/calib");
        QTemporaryDir dir;
        const QString equalized = dir.filePath("equalized.json"),
                      plain = dir.filePath("plain.json");
        const QStringList common{
            "--images", QString::fromStdString(images), "--max-images", "20", "--method", "minmax"};
        const QString onnx = QString::fromStdString(model);
        QCOMPARE(
            runCli(QStringList{"calibrate", onnx, "-o", equalized, "--equalize"} + common).exitCode,
            0);
        QCOMPARE(runCli(QStringList{"calibrate", onnx, "-o", plain} + common).exitCode, 0);
        QVERIFY(QJsonDocument::fromJson([&] {
                    QFile f(equalized);
                    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
                }())
                    .object()["equalized"]
                    .toBool());
        const auto refused = [](const CliResult& result, const char* expected) {
            QVERIFY2(result.exitCode == 1 && result.err.contains(expected), result.err);
        };
        refused(runCli(QStringList{"compare", onnx, "--table", equalized} + common),
                "calibrated on an equalized graph (calibrate --equalize); give --equalize");
        refused(runCli(QStringList{"compare", onnx, "--table", plain, "--equalize"} + common),
                "calibrated without equalization; drop --equalize");
        refused(runCli({"export", onnx, "--table", equalized, "--format", "onnx-qdq", "-o",
                        dir.filePath("x.onnx")}),
                "give --equalize here too");
        QVERIFY(!QFile::exists(dir.filePath("x.onnx")));
        const CliResult matching = runCli(
            QStringList{"compare", onnx, "--table", equalized, "--equalize", "--json"} + common);
        QVERIFY2(matching.exitCode == 0, matching.err);
    }

    // compare's budget search: a met budget prints its keep set in the JSON, one it cannot meet
    // exits 1 with the best value, bad budgets are refused.
    void budgetSearch() {
        QTemporaryDir dir;
        const QString table = dir.filePath("table.json");
        QCOMPARE(runCli(QStringList{"calibrate", sample("digits.onnx"), "--images",
                                    sample("images"), "-o", table} +
                        samplePreprocessing)
                     .exitCode,
                 0);
        const QStringList compare =
            QStringList{"compare",        sample("digits.onnx"), "--table", table,   "--images",
                        sample("images"), "--max-images",        "40",      "--json"} +
            samplePreprocessing;
        const CliResult easy = runCli(compare + QStringList{"--budget-cosine", "0.5"});
        QVERIFY2(easy.exitCode == 0, easy.err);
        const QJsonObject met = easy.json()["budget"].toObject();
        QCOMPARE(met["met"].toBool(), true);
        QCOMPARE(met["metric"].toString(), QString("worst_cosine"));
        QVERIFY(met["keep_fp32"].isArray());
        // Int8 with three of the four layers still in int8 is not bit-exact: cosine 1 is out of
        // reach with one keep.
        const CliResult hard =
            runCli(compare + QStringList{"--budget-cosine", "1", "--budget-max-keep", "1"});
        const QJsonObject notMet = hard.json()["budget"].toObject();
        QCOMPARE(notMet["met"].toBool(), false);
        QCOMPARE(hard.exitCode, 1);
        QVERIFY2(hard.err.contains("not met"), hard.err);
        QVERIFY(notMet["keep_fp32"].toArray().size() <= 1);
        QVERIFY(notMet["final"].toDouble() < 1.0);
        const CliResult bad = runCli(compare + QStringList{"--budget-cosine", "1.5"});
        QCOMPARE(bad.exitCode, 1);
        QVERIFY2(bad.err.contains("(0, 1]"), bad.err);
        const CliResult both =
            runCli(compare + QStringList{"--budget-cosine", "0.9", "--budget-agreement", "0.9"});
        QCOMPARE(both.exitCode, 1);
        const CliResult store =
            runCli(compare + QStringList{"--budget-cosine", "0.9", "--store-keeps"});
        QCOMPARE(store.exitCode, 1);
        QVERIFY2(store.err.contains("--project"), store.err);
    }

    void rejectsBadTables() {
        QTemporaryDir dir;
        QFile bad(dir.filePath("bad.table"));
        QVERIFY(bad.open(QIODevice::WriteOnly));
        bad.write("conv1_param_0 1 2 3 4 5 6 7 8\nno_such_layer 12.5\n");
        bad.close();
        const CliResult result = runCli({"compare", sample("digits.onnx"), "--table",
                                         dir.filePath("bad.table"), "--images", sample("images")});
        QCOMPARE(result.exitCode, 1);
        QVERIFY2(result.err.contains("bad.table:2:") && result.err.contains("no_such_layer"),
                 result.err);
        const CliResult missing =
            runCli({"compare", sample("digits.onnx"), "--images", sample("images")});
        QVERIFY(missing.exitCode != 0);
        QVERIFY2(missing.err.contains("--table"), missing.err);
    }

    void warningsGoToStderrAndIntoTheJson() {
        QTemporaryDir dir;
        const QString prototxt = dir.filePath("net.prototxt");
        QFile file(prototxt);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(R"(name: "warned"
input: "data"
input_shape { dim: 1 dim: 3 dim: 4 dim: 4 }
layer {
  name: "label"
  type: "Data"
  top: "label"
  include { phase: TRAIN }
}
layer {
  name: "magic"
  type: "Magic"
  bottom: "data"
  top: "out"
}
)");
        file.close();
        const CliResult result = runCli({"info", prototxt, "", "--json"});
        QCOMPARE(result.exitCode, 0);
        const QList<QByteArray> lines = result.err.trimmed().split('\n');
        QCOMPARE(lines.size(), 2);
        QVERIFY2(lines[0].startsWith("warning: " + prototxt.toUtf8() + ":4:1: node 'label': "),
                 result.err);
        QVERIFY2(lines[1].startsWith("warning: " + prototxt.toUtf8() + ":10:1: node 'magic': "),
                 result.err);
        const QJsonArray warnings = result.json()["warnings"].toArray();
        QCOMPARE(warnings.size(), 2);
        const QJsonObject first = warnings[0].toObject();
        QCOMPARE(first.keys(),
                 (QStringList{"column", "file", "line", "message", "node", "severity", "tensor"}));
        QCOMPARE(first["severity"].toString(), QString("warning"));
        QCOMPARE(first["file"].toString(), prototxt);
        QCOMPARE(first["line"].toInt(), 4);
        QCOMPARE(first["column"].toInt(), 1);
        QCOMPARE(first["node"].toString(), QString("label"));
        QCOMPARE(first["tensor"].toString(), QString(""));
        QVERIFY(first["message"].toString().contains("include { phase: TRAIN }"));
        QCOMPARE(warnings[1].toObject()["node"].toString(), QString("magic"));
        QCOMPARE(result.json()["unsupported"].toArray().size(), 1);

        // Without --json the warnings are on stderr all the same.
        const CliResult text = runCli({"info", prototxt, ""});
        QCOMPARE(text.exitCode, 0);
        QCOMPARE(text.err, result.err);
    }

    void jsonCarriesAnEmptyWarningsArray() {
        const CliResult info = runCli({"info", sample("digits.onnx"), "--json"});
        QCOMPARE(info.exitCode, 0);
        QVERIFY(info.json()["warnings"].isArray());
        QVERIFY(info.json()["warnings"].toArray().isEmpty());
        QVERIFY2(info.err.isEmpty(), info.err);
        const CliResult run = runCli(QStringList{"run", sample("digits.onnx"), "--images",
                                                 sample("images"), "--max-images", "3", "--json"} +
                                     samplePreprocessing);
        QCOMPARE(run.exitCode, 0);
        QVERIFY(run.json()["warnings"].isArray());
        QCOMPARE(run.json()["images"].toInt(), 3);
    }

    void dumpsOutputsAsNpy() {
        QTemporaryDir dir;
        const CliResult result =
            runCli(QStringList{"run", sample("digits.onnx"), "--images", sample("images"),
                               "--max-images", "2", "--dump", dir.filePath("dump")} +
                   samplePreprocessing);
        QCOMPARE(result.exitCode, 0);
        QFile npy(dir.filePath("dump/img_0000.logits.npy"));
        QVERIFY(npy.open(QIODevice::ReadOnly));
        const QByteArray bytes = npy.readAll();
        QVERIFY(bytes.startsWith("\x93NUMPY"));
        QVERIFY(bytes.contains("'shape': (1,10)"));
        // The header ends on a 64-byte boundary and 10 float32 values follow.
        const int headerLength =
            static_cast<unsigned char>(bytes[8]) | (static_cast<unsigned char>(bytes[9]) << 8);
        QCOMPARE((10 + headerLength) % 64, 0);
        QCOMPARE(bytes.size(), 10 + headerLength + 40);
        QCOMPARE(QDir(dir.filePath("dump")).entryList(QDir::Files).size(), 2);
    }
};

QTEST_GUILESS_MAIN(TestCli)
#include "test_cli.moc"

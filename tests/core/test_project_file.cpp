// The project file as the core reads and writes it (workflows/project_file.h), for the desktop
// app and the CLI's --project alike: a round trip of every field, paths relative to the
// project (and resolving after the folder moves), the int8 part optional, errors naming the
// file; loadProjectModel applies the folds in their order; the export names proposed.
#include <QFile>
#include <atomic>
#include <nlohmann/json.hpp>

#include "passes/fold_batchnorm.h"
#include "test_support.h"
#include "util/atomic_file.h"
#include "workflows/exports.h"
#include "workflows/model_loading.h"
#include "workflows/project_file.h"

using namespace qftest;

class TestProjectFile : public QObject {
    Q_OBJECT
private slots:
    void roundTripWithRelativePaths() {
        QTemporaryDir dir;
        const std::string root = dir.path().toStdString();
        const std::string path = root + "/work/p.qfproj";
        QDir(dir.path()).mkpath("work");
        qf::Project project;
        project.model = root + "/models/m.prototxt";
        project.weights = root + "/models/m.caffemodel";
        project.images.folder = root + "/work/images";
        project.images.maxImages = 12;
        project.images.preprocessing.scale = 0.5f;
        project.folds = {"bn2", "bn1"};  // the order they were made in, not sorted
        qf::ProjectInt8 int8;
        int8.images.folder = root + "/calib";
        int8.images.preprocessing.width = 288;
        int8.images.preprocessing.height = 416;
        int8.images.preprocessing.rgb = false;
        int8.images.preprocessing.mean = {1, 2, 3};
        int8.method = qf::ThresholdMethod::Percentile;
        int8.perChannelWeights = false;
        int8.biasCorrection = false;
        int8.equalize = true;
        int8.table = qf::projectTablePath(path);
        int8.keepFp32 = {"conv9", "conv3"};
        project.int8 = int8;
        qf::writeProject(path, project);

        const auto json = nlohmann::json::parse(qf::readFile(path));
        QCOMPARE(json.at("format_version").get<int>(), 1);
        QCOMPARE(json.at("model").get<std::string>(), std::string("../models/m.prototxt"));
        QCOMPARE(json.at("images").at("folder").get<std::string>(), std::string("images"));
        QCOMPARE(json.at("int8").at("table").get<std::string>(), std::string("p.int8.json"));
        QCOMPARE(json.at("int8").at("images").at("folder").get<std::string>(),
                 std::string("../calib"));

        const qf::Project read = qf::readProject(path);
        QCOMPARE(read.model, project.model);
        QCOMPARE(read.weights, project.weights);
        QCOMPARE(read.images.folder, project.images.folder);
        QCOMPARE(read.images.maxImages, 12);
        QCOMPARE(read.images.preprocessing.scale, 0.5f);
        QCOMPARE(read.folds, project.folds);
        QVERIFY(read.int8.has_value());
        QCOMPARE(read.int8->images.folder, int8.images.folder);
        QCOMPARE(read.int8->images.preprocessing.width, 288);
        QCOMPARE(read.int8->images.preprocessing.height, 416);
        QCOMPARE(read.int8->images.preprocessing.rgb, false);
        QCOMPARE(read.int8->images.preprocessing.mean[2], 3.0f);
        QCOMPARE(read.int8->method, qf::ThresholdMethod::Percentile);
        QCOMPARE(read.int8->perChannelWeights, false);
        QCOMPARE(read.int8->biasCorrection, false);
        QCOMPARE(read.int8->equalize, true);
        QCOMPARE(read.int8->table, root + "/work/p.int8.json");
        QCOMPARE(read.int8->keepFp32, int8.keepFp32);

        // Without the int8 part: none is written, none is read.
        project.int8.reset();
        qf::writeProject(path, project);
        QVERIFY(!nlohmann::json::parse(qf::readFile(path)).contains("int8"));
        QVERIFY(!qf::readProject(path).int8.has_value());
    }

    void errorsNameTheFile() {
        QTemporaryDir dir;
        const auto write = [&](const char* name, const char* text) {
            const std::string path = dir.filePath(name).toStdString();
            qf::writeFileAtomically(path, text);
            return path;
        };
        const auto error = [](const std::string& path) {
            return errorOf([&] { qf::readProject(path); });
        };
        const std::string broken = write("broken.qfproj", "{\"format_version\": 1, \"model\": ");
        QVERIFY(error(broken).find("broken.qfproj") != std::string::npos);
        const std::string future =
            write("future.qfproj", "{\"format_version\": 7, \"model\": \"a.onnx\"}");
        QVERIFY(error(future).find("newer") != std::string::npos);
        const std::string method = write(
            "method.qfproj",
            "{\"format_version\": 1, \"model\": \"a.onnx\", \"int8\": {\"method\": \"best\"}}");
        QVERIFY(error(method).find("method.qfproj") != std::string::npos);
        QVERIFY(error(method).find("best") != std::string::npos);
        QVERIFY(error(dir.filePath("none.qfproj").toStdString()).find("none.qfproj") !=
                std::string::npos);
        const std::string shape =
            write("shape.qfproj",
                  "{\"format_version\": 1, \"model\": \"a.pb\", \"input_shape\": [1, 0, 8, 3]}");
        QVERIFY(error(shape).find("shape.qfproj: \"input_shape\" has a dimension of 0") !=
                std::string::npos);
        const std::string text =
            write("text.qfproj",
                  "{\"format_version\": 1, \"model\": \"a.pb\", \"input_shape\": [\"one\"]}");
        QVERIFY(error(text).find("text.qfproj") != std::string::npos);
        // A number beyond double's range is nlohmann's out_of_range, not a parse_error (found by
        // tools/fuzz.sh): still an error naming the file.
        const std::string huge = write("huge.qfproj", "{\"format_version\": 1e999}");
        QVERIFY(error(huge).find("huge.qfproj: not a QuantFold project") != std::string::npos);
        // Numbers of the wrong kind for their field (a float, one past its type) are refused
        // before nlohmann would convert them with undefined behaviour (fuzz_project).
        for (const char* text :
             {"{\"format_version\": 2e107, \"model\": \"a.onnx\"}",
              "{\"format_version\": 1, \"model\": \"a.onnx\", \"images\": {\"max_images\": 1.5}}",
              "{\"format_version\": 1, \"model\": \"a.onnx\", \"images\": {\"preprocessing\": "
              "{\"scale\": 1e300}}}",
              "{\"format_version\": 1, \"model\": \"a.onnx\", \"input_shape\": [1.5]}"}) {
            const std::string path = write("number.qfproj", text);
            QVERIFY2(error(path).find("number.qfproj: ") != std::string::npos, text);
        }
        QCOMPARE(qf::readProject(write("fine.qfproj",
                                       "{\"format_version\": 1, \"model\": \"a.pb\", "
                                       "\"input_shape\": [1, 224, 224, 3]}"))
                     .inputShape,
                 (qf::Shape{1, 224, 224, 3}));
    }

    // The folds apply one by one in the project's order, as the app applies them: the graph
    // equals the fully folded one when every fold is listed, and only those listed fold.
    void projectModelHasTheProjectsFolds() {
        qf::Project project;
        project.model = sourcePath("resources/sample/digits_deploy.prototxt");
        project.weights = sourcePath("resources/sample/digits.caffemodel");
        project.folds = {"conv3_bn", "conv3_scale", "conv1_bn"};
        const qf::LoadedModel loaded = qf::loadProjectModel(project, "p.qfproj");
        QCOMPARE(loaded.graph.nodeIndex("conv3_bn"), -1);
        QCOMPARE(loaded.graph.nodeIndex("conv3_scale"), -1);
        QCOMPARE(loaded.graph.nodeIndex("conv1_bn"), -1);
        QVERIFY(loaded.graph.nodeIndex("conv1_scale") >= 0);
        QVERIFY(loaded.graph.nodeIndex("conv2_bn") >= 0);
        project.folds = {"conv1_bn",    "conv1_scale", "conv2_bn",
                         "conv2_scale", "conv3_bn",    "conv3_scale"};
        const qf::Graph all = qf::loadProjectModel(project, "p.qfproj").graph;
        const qf::Graph folded = qf::loadForQuantization(project.model, project.weights).graph;
        QCOMPARE(all.nodes.size(), folded.nodes.size());
        // A project that equalizes gets the same equalized graph as loadForQuantization's.
        QVERIFY(!qf::loadProjectModel(project, "p.qfproj").equalization);
        project.int8 = qf::ProjectInt8{};
        project.int8->equalize = true;
        const qf::LoadedModel equalized = qf::loadProjectModel(project, "p.qfproj");
        const qf::LoadedModel reference =
            qf::loadForQuantization(project.model, project.weights, true, true);
        QVERIFY(equalized.equalization.has_value());
        QCOMPARE(equalized.equalization->pairs.size(), reference.equalization->pairs.size());
        for (const auto& [name, tensor] : reference.graph.weights)
            QCOMPARE(equalized.graph.weights.at(name).f, tensor.f);
        project.int8.reset();
        project.folds = {"pool1"};
        const std::string error = errorOf([&] { qf::loadProjectModel(project, "tuned.qfproj"); });
        QVERIFY(error.find("tuned.qfproj") != std::string::npos);
        QVERIFY(error.find("pool1") != std::string::npos);
    }

    // A cancelled export throws Cancelled and writes nothing; an existing file stays as it was.
    void cancelledExportLeavesTheFile() {
        QTemporaryDir dir;
        const qf::Graph graph =
            qf::loadForQuantization(sourcePath("resources/sample/digits.onnx"), "").graph;
        qf::ExportRequest request;
        request.graph = &graph;
        std::atomic_bool cancel{true};
        qf::Progress progress;
        progress.cancel = &cancel;
        const std::string path = dir.filePath("folded.onnx").toStdString();
        qf::writeFileAtomically(path, "old");
        bool cancelled = false;
        try {
            qf::writeExport(qf::ExportArtifact::FoldedModel, request, path, "", progress);
        } catch (const qf::Cancelled&) {
            cancelled = true;
        }
        QVERIFY(cancelled);
        QCOMPARE(qf::readFile(path), std::string("old"));
        cancel = false;
        qf::writeExport(qf::ExportArtifact::FoldedModel, request, path, "", progress);
        QVERIFY(qf::readFile(path).size() > 1000);
        // The inputs are refused, naming the file.
        request.inputs = {path};
        const std::string error =
            errorOf([&] { qf::writeExport(qf::ExportArtifact::FoldedModel, request, path); });
        QVERIFY(error.find("folded.onnx") != std::string::npos);
    }

    void proposedNames() {
        using qf::ExportArtifact;
        const auto names = [](ExportArtifact artifact, const char* model, const char* format) {
            return qf::proposedExportNames(artifact, model, format);
        };
        QCOMPARE(names(ExportArtifact::FoldedModel, "/m/net.prototxt", "caffe"),
                 (std::vector<std::string>{"net_folded.prototxt", "net_folded.caffemodel"}));
        QCOMPARE(names(ExportArtifact::FoldedModel, "/m/net.onnx", "onnx"),
                 std::vector<std::string>{"net_folded.onnx"});
        QCOMPARE(names(ExportArtifact::QdqOnnx, "/m/net.prototxt", "caffe"),
                 std::vector<std::string>{"net_int8_qdq.onnx"});
        QCOMPARE(names(ExportArtifact::NcnnTable, "net.onnx", "onnx"),
                 std::vector<std::string>{"net_int8.table"});
        for (const auto artifact : qf::kExportArtifacts) {
            qf::ExportArtifact parsed;
            QVERIFY(qf::parseExportFormat(qf::exportFormatName(artifact), parsed));
            QCOMPARE(parsed, artifact);
        }
        QCOMPARE(qf::caffeWeightsPathFor("out/x.prototxt"), std::string("out/x.caffemodel"));
    }
};

QTEST_MAIN(TestProjectFile)
#include "test_project_file.moc"

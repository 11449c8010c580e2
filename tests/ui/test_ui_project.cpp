// Project files: save -> open round trip (paths relative to the project, image settings, fold
// choices, format version), a project whose model moved asks for the new location, recent
// files survive in QSettings, bad project files are errors naming the file.
#include <QDir>
#include <QFile>
#include <QSettings>
#include <nlohmann/json.hpp>

#include "tf_graph_builder.h"
#include "ui/project_file.h"
#include "ui_test_support.h"

using namespace qftest;

namespace {

void copySample(const QDir& to) {
    to.mkpath(QStringLiteral("."));
    QFile::copy(qsample("digits_deploy.prototxt"),
                to.filePath(QStringLiteral("digits_deploy.prototxt")));
    QFile::copy(qsample("digits.caffemodel"), to.filePath(QStringLiteral("digits.caffemodel")));
}

}  // namespace

class TestUiProject : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() { isolateSettings(); }

    void roundTripWithAMovedModel() {
        QTemporaryDir dir;
        const QDir root(dir.path());
        const QDir models(root.filePath(QStringLiteral("models")));
        copySample(models);
        const QString project = root.filePath(QStringLiteral("work.qfproj"));
        {
            RecordingWindow window;
            QVERIFY(
                openAndWait(window, {models.filePath(QStringLiteral("digits_deploy.prototxt"))}));
            auto& document = window.document();
            QVERIFY(document.fold(QStringLiteral("conv1_bn")));
            QVERIFY(document.fold(QStringLiteral("conv3_bn")));
            document.settings().imageFolder = qsample("images");
            document.settings().preprocessing.scale = 0.5f;
            document.settings().preprocessing.mean = {1, 2, 3};
            document.settings().preprocessing.rgb = false;
            document.settings().maxImages = 7;
            document.saveProject(project);
            QVERIFY(window.errors.empty());
        }
        // The file: format version, model paths relative to the project.
        const auto json = nlohmann::json::parse(fileBytes(project).toStdString());
        QCOMPARE(json.at("format_version").get<int>(), 1);
        QCOMPARE(QString::fromStdString(json.at("model").get<std::string>()),
                 QStringLiteral("models/digits_deploy.prototxt"));
        QCOMPARE(QString::fromStdString(json.at("weights").get<std::string>()),
                 QStringLiteral("models/digits.caffemodel"));
        QCOMPARE(json.at("folds").size(), size_t(2));

        const auto check = [&](RecordingWindow& window) {
            auto& document = window.document();
            QCOMPARE(document.state().folded.size(), size_t(2));
            QCOMPARE(document.state().folded[0].affine, std::string("conv1_bn"));
            QCOMPARE(document.state().folded[1].affine, std::string("conv3_bn"));
            QCOMPARE(document.state().graph->nodeIndex("conv1_bn"), -1);
            QCOMPARE(document.settings().imageFolder,
                     QFileInfo(qsample("images")).absoluteFilePath());
            QCOMPARE(document.settings().preprocessing.scale, 0.5f);
            QCOMPARE(document.settings().preprocessing.mean[2], 3.0f);
            QCOMPARE(document.settings().preprocessing.rgb, false);
            QCOMPARE(document.settings().maxImages, 7);
            QVERIFY(!document.isModified());
            QCOMPARE(window->graphView()->graphScene()->nodeItemCount(),
                     static_cast<int>(document.state().graph->nodes.size()));
        };
        {
            RecordingWindow window;
            QVERIFY(openAndWait(window, {project}));
            QVERIFY(window.errors.empty());
            QVERIFY(window.askedMissing.isEmpty());
            check(window);
            QCOMPARE(window.document().projectPath(), QFileInfo(project).absoluteFilePath());
            // Recent files remember the project.
            QVERIFY(window->recentFiles().value(0).endsWith(QStringLiteral("work.qfproj")));
        }
        // The whole folder moves: relative paths still resolve.
        const QString movedRoot = dir.filePath(QStringLiteral("elsewhere"));
        QVERIFY(QDir().rename(root.filePath(QStringLiteral("models")),
                              movedRoot + QStringLiteral("_models")));
        {
            // The model moved away from the project: the window asks where it is now.
            RecordingWindow window;
            window.missingAnswer = movedRoot + QStringLiteral("_models/digits_deploy.prototxt");
            QVERIFY(openAndWait(window, {project}));
            QCOMPARE(window.askedMissing.size(),
                     1);  // the weights are found beside the moved model
            QVERIFY(
                window.askedMissing[0].endsWith(QStringLiteral("models/digits_deploy.prototxt")));
            QVERIFY(window.errors.empty());
            check(window);
        }
        {
            // Giving up leaves the window as it was, with an error naming the missing model.
            RecordingWindow window;
            QVERIFY(openAndWait(window, {qsample("digits.onnx")}));
            window->openFiles({project});
            QVERIFY(waitIdle(window.document()));
            QCOMPARE(window.errors.size(), size_t(1));
            QVERIFY(window.errors[0].message.contains(QStringLiteral("digits_deploy.prototxt")));
            QVERIFY(window.document().modelPath().endsWith(QStringLiteral("digits.onnx")));
        }
    }

    // Model > Input Shape on a TensorFlow graph of unknown batch, height and width whose
    // Reshape target comes from Shape(x): the model reopens with the shape (no warnings left,
    // the IR input NCHW), a bad answer is an error that changes nothing, and the project keeps
    // the shape for the app and the CLI.
    void inputShapeOfATensorflowGraph() {
        const qf_tf::GraphDef def = unknownDimensionsGraph();
        QTemporaryDir dir;
        const QString model = QString::fromStdString(writeGraph(def, dir, "unknown_dims.pb"));

        RecordingWindow window;
        QVERIFY(openAndWait(window, {model}));
        auto& document = window.document();
        QVERIFY(!document.warnings().empty());  // the Shape node cannot be evaluated
        QCOMPARE(document.state().graph->inputs[0].shape, (qf::Shape{-1, 3, -1, -1}));

        window.inputShapeAnswer = QStringLiteral("1,x,6,3");
        window->setInputShape();
        QCOMPARE(window.askedInputShape, QStringList{QStringLiteral("-1,-1,-1,3")});
        QCOMPARE(window.errors.size(), size_t{1});
        QVERIFY(waitIdle(document));
        QCOMPARE(document.state().graph->inputs[0].shape, (qf::Shape{-1, 3, -1, -1}));

        window.inputShapeAnswer = QStringLiteral("1,8,6,3");
        window->setInputShape();
        QVERIFY(waitIdle(document) && document.picture());
        QCOMPARE(window.errors.size(), size_t{1});
        QCOMPARE(document.state().graph->inputs[0].shape, (qf::Shape{1, 3, 8, 6}));
        QCOMPARE(document.inputShape(), (qf::Shape{1, 8, 6, 3}));
        QVERIFY(document.warnings().empty());
        QVERIFY(document.facts().unsupported.empty());
        window.inputShapeAnswer = QString();  // cancelled: nothing happens
        window->setInputShape();
        QCOMPARE(window.askedInputShape.last(), QStringLiteral("1,8,6,3"));
        QCOMPARE(document.inputShape(), (qf::Shape{1, 8, 6, 3}));

        const QString project = dir.filePath(QStringLiteral("shape.qfproj"));
        document.saveProject(project);
        const auto json = nlohmann::json::parse(fileBytes(project).toStdString());
        QCOMPARE(json.at("input_shape").get<std::vector<int64_t>>(),
                 (std::vector<int64_t>{1, 8, 6, 3}));
        RecordingWindow reopened;
        QVERIFY(openAndWait(reopened, {project}));
        QCOMPARE(reopened.document().state().graph->inputs[0].shape, (qf::Shape{1, 3, 8, 6}));
        QVERIFY(reopened.document().warnings().empty());
        // The CLI works on the project's graph: calibrating needs the known shape.
        const CliRun calibrate =
            runCli({QStringLiteral("calibrate"), QStringLiteral("--project"), project,
                    QStringLiteral("--images"), qsample("images"), QStringLiteral("--max-images"),
                    QStringLiteral("3"), QStringLiteral("--method"), QStringLiteral("minmax"),
                    QStringLiteral("-o"), dir.filePath("table.json")});
        QVERIFY2(calibrate.exitCode == 0, calibrate.err.constData());
    }

    void badProjectFiles() {
        QTemporaryDir dir;
        const auto write = [&](const QString& name, const QByteArray& text) {
            QFile file(dir.filePath(name));
            file.open(QIODevice::WriteOnly);
            file.write(text);
            return dir.filePath(name);
        };
        const auto error = [](const QString& path) {
            return QString::fromStdString(errorOf([&] { qf::ui::readProject(path); }));
        };
        const QString broken =
            write(QStringLiteral("broken.qfproj"), "{\"format_version\": 1, \"model\": ");
        QVERIFY(error(broken).contains(QStringLiteral("broken.qfproj")));
        const QString future = write(QStringLiteral("future.qfproj"),
                                     "{\"format_version\": 7, \"model\": \"a.onnx\"}");
        QVERIFY(error(future).contains(QStringLiteral("newer")));
        const QString noModel = write(QStringLiteral("nomodel.qfproj"), "{\"format_version\": 1}");
        QVERIFY(error(noModel).contains(QStringLiteral("model")));
        const QString notProject = write(QStringLiteral("other.qfproj"), "{\"something\": 1}");
        QVERIFY(error(notProject).contains(QStringLiteral("format_version")));
    }

    void recentFilesSurviveRestarts() {
        QSettings().remove(QStringLiteral("recentFiles"));
        {
            RecordingWindow window;
            QVERIFY(openAndWait(window, {qsample("digits.onnx")}));
            QVERIFY(openAndWait(window, {qsample("digits_deploy.prototxt")}));
            window->close();
        }
        RecordingWindow window;
        const QStringList recent = window->recentFiles();
        QCOMPARE(recent.size(), 2);
        QVERIFY(
            recent[0].startsWith(QFileInfo(qsample("digits_deploy.prototxt")).absoluteFilePath()));
        QVERIFY(recent[0].endsWith(QStringLiteral("digits.caffemodel")));
        QVERIFY(recent[1].endsWith(QStringLiteral("digits.onnx")));
    }
};

QTEST_MAIN(TestUiProject)
#include "test_ui_project.moc"

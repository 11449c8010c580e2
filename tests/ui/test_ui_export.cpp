// File > Export… against the CLI: the dialog's files (folded model, JSON / ncnn / TensorRT
// tables, QDQ ONNX) equal, byte for byte, what `quantfold-cli fold` and `quantfold-cli export`
// write for the same model and table, on the bundled sample and on ResNet-20; one question
// lists the files that exist (answered here), no answer writes nothing, the inputs are never
// written over. Then the desktop session as a CI step: a project saved with a manual threshold
// and an FP32 keep gives, through `compare --project` and `export --project`, the GUI's numbers
// and files; reopening it restores every int8 choice and compares again without calibrating.
// Weight granularity and bias correction are undoable steps.
#include <QCheckBox>
#include <QDirIterator>
#include <QLineEdit>
#include <QPushButton>
#include <QTemporaryDir>
#include <QUndoStack>

#include "calibration_test_support.h"
#include "quantize/int8_edit.h"
#include "ui/calibration/calibration_panel.h"
#include "ui/calibration/int8_workbench.h"
#include "ui/export_dialog.h"
#include "workflows/project_file.h"

using namespace qftest;
using namespace calibtest;

namespace {

struct Model {
    QStringList files;
    QString images;
    int maxImages = 0;
    qf::Preprocessing pre;
    QStringList preprocessing;  // the same as CLI flags
};

Model sampleCaffe() {
    Model model{{qsample("digits_deploy.prototxt"), qsample("digits.caffemodel")},
                qsample("images"),
                24,
                {},
                {"--size", "16x16", "--scale", "0.00392156862745098", "--mean", "0.5,0.5,0.5",
                 "--std", "0.5,0.5,0.5", "--rgb"}};
    model.pre.width = model.pre.height = 16;
    model.pre.scale = 0.00392156862745098f;
    model.pre.mean = {0.5f, 0.5f, 0.5f};
    model.pre.std = {0.5f, 0.5f, 0.5f};
    return model;
}

Model resnet20(const std::string& onnx, const std::string& images) {
    Model model{{QString::fromStdString(onnx)},
                QString::fromStdString(images),
                24,
                {},
                {"--size", "32x32", "--scale", "0.00392156862745098", "--mean", "0.485,0.456,0.406",
                 "--std", "0.229,0.224,0.225", "--rgb"}};
    model.pre.width = model.pre.height = 32;
    model.pre.scale = 0.00392156862745098f;
    model.pre.mean = {0.485f, 0.456f, 0.406f};
    model.pre.std = {0.229f, 0.224f, 0.225f};
    return model;
}

// Opens the model, folds what folds, calibrates in the background and waits for the numbers.
bool openFoldAndCalibrate(RecordingWindow& window, const Model& model) {
    if (!openAndWait(window, model.files)) return false;
    window.document().foldAll();
    if (!waitIdle(window.document())) return false;
    qf::ui::QuantSession& session = *window->int8()->session();
    session.settings().imageFolder = QFileInfo(model.images).absoluteFilePath();
    session.settings().pre = model.pre;
    session.settings().maxImages = model.maxImages;
    window->int8()->calibrationPanel()->loadSettings();
    QSignalSpy finished(&session, &qf::ui::QuantSession::calibrationFinished);
    session.calibrate();
    if (!finished.wait(600000) || !finished.first().first().toBool()) return false;
    return waitComparison(session);
}

// Runs the dialog's export into `folder` and waits for it; false when it did not start.
bool exportAll(qf::ui::ExportDialog& dialog, const QString& folder, bool* succeeded = nullptr) {
    dialog.prepare();
    dialog.folderEdit()->setText(folder);
    QSignalSpy finished(&dialog, &qf::ui::ExportDialog::exportFinished);
    if (!dialog.startExport()) return false;
    if (!finished.wait(600000)) return false;
    if (succeeded) *succeeded = finished.first().first().toBool();
    return true;
}

QStringList filesIn(const QString& folder) {
    QStringList names = QDir(folder).entryList(QDir::Files, QDir::Name);
    return names;
}

void compareFolders(const QString& gui, const QString& cli) {
    const QStringList names = filesIn(gui);
    QCOMPARE(names, filesIn(cli));
    QVERIFY(!names.isEmpty());
    for (const auto& name : names) {
        const QByteArray a = fileBytes(QDir(gui).filePath(name));
        const QByteArray b = fileBytes(QDir(cli).filePath(name));
        QVERIFY2(!a.isEmpty(), qPrintable(name));
        QVERIFY2(a == b, qPrintable(name + QStringLiteral(" differs from the CLI's")));
    }
}

QStringList cliArgs(const QStringList& head, const QStringList& tail) { return head + tail; }

}  // namespace

class TestUiExport : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() { isolateSettings(); }

    void sampleExportsEqualTheCli() { exportsEqualTheCli(sampleCaffe(), 6); }

    void resnet20ExportsEqualTheCli() {
        QF_SHARED(onnx, "cifar10/resnet20/resnet20_cifar10.onnx");
        QF_SHARED(images, "cifar10/images/calib");
        exportsEqualTheCli(resnet20(onnx, images), 5);
    }

    void retinaFaceExportsEqualTheCli() {
        QF_SHARED(prototxt, "faces/retinaface_mnet25/mnet25.prototxt");
        QF_SHARED(weights, "faces/retinaface_mnet25/mnet25.caffemodel");
        QF_SHARED(images, "faces/images");
        Model model{{QString::fromStdString(prototxt), QString::fromStdString(weights)},
                    QString::fromStdString(images),
                    0,
                    {},
                    {"--size", "288x416"}};
        model.pre.width = 288;
        model.pre.height = 416;
        exportsEqualTheCli(model, 6, QStringLiteral("retinaface"));
    }

    // Stop during the QDQ export: the export ends unfinished and the file that was there is
    // left as it was (the core's cancelled write).
    void stoppingKeepsTheOldFile() {
        QF_SHARED(prototxt, "faces/retinaface_mnet25/mnet25.prototxt");
        QF_SHARED(weights, "faces/retinaface_mnet25/mnet25.caffemodel");
        QF_SHARED(images, "faces/images");
        Model model{{QString::fromStdString(prototxt), QString::fromStdString(weights)},
                    QString::fromStdString(images),
                    3,
                    {},
                    {}};
        model.pre.width = 288;
        model.pre.height = 416;
        RecordingWindow window;
        QVERIFY(openFoldAndCalibrate(window, model));
        qf::ui::ExportDialog& dialog = *window->exportDialog();
        dialog.prepare();
        for (const auto artifact : qf::kExportArtifacts)
            dialog.checkBox(artifact)->setChecked(artifact == qf::ExportArtifact::QdqOnnx);
        QTemporaryDir dir;
        dialog.folderEdit()->setText(dir.path());
        const QString qdq = dir.filePath(dialog.nameEdit(qf::ExportArtifact::QdqOnnx)->text());
        {
            QFile file(qdq);
            QVERIFY(file.open(QIODevice::WriteOnly));
            file.write("old");
        }
        dialog.setConfirmOverwrite([](const QStringList&) { return true; });
        QSignalSpy finished(&dialog, &qf::ui::ExportDialog::exportFinished);
        QVERIFY(dialog.startExport());
        QVERIFY(dialog.isExporting());
        QVERIFY(!dialog.stopButton()->isHidden());
        dialog.stopButton()->click();
        QVERIFY(finished.wait(600000));
        QCOMPARE(finished.first().first().toBool(), false);
        QVERIFY(finished.first().at(1).toStringList().isEmpty());
        QCOMPARE(fileBytes(qdq), QByteArray("old"));
        QVERIFY(!dialog.isExporting());
        QVERIFY(window.errors.empty());
    }

    void overwriteIsAskedOnceAndInputsAreSafe() {
        const Model model = sampleCaffe();
        RecordingWindow window;
        QVERIFY(openFoldAndCalibrate(window, model));
        qf::ui::ExportDialog& dialog = *window->exportDialog();
        QStringList asked;
        bool answer = false;
        int questions = 0;
        dialog.setConfirmOverwrite([&](const QStringList& files) {
            ++questions;
            asked = files;
            return answer;
        });
        QTemporaryDir dir;
        QVERIFY(exportAll(dialog, dir.path()));
        QCOMPARE(questions, 0);
        const QStringList planned = dialog.plannedFiles();
        QCOMPARE(planned.size(), 6);
        // Mark one file to see whether it is written over.
        const QString ncnn = dir.filePath(dialog.nameEdit(qf::ExportArtifact::NcnnTable)->text());
        {
            QFile file(ncnn);
            QVERIFY(file.open(QIODevice::WriteOnly));
            file.write("mine");
        }
        // Every file exists: one question lists them all; "no" writes nothing.
        QVERIFY(!exportAll(dialog, dir.path()));
        QCOMPARE(questions, 1);
        QCOMPARE(asked, planned);
        QCOMPARE(fileBytes(ncnn), QByteArray("mine"));
        // "Yes" writes them all.
        answer = true;
        bool ok = false;
        QVERIFY(exportAll(dialog, dir.path(), &ok));
        QVERIFY(ok);
        QCOMPARE(questions, 2);
        QVERIFY(fileBytes(ncnn) != QByteArray("mine"));
        // Only the file that exists is asked about.
        QVERIFY(QFile::remove(ncnn));
        const QString json = dir.filePath(dialog.nameEdit(qf::ExportArtifact::JsonTable)->text());
        for (const auto artifact : qf::kExportArtifacts)
            dialog.checkBox(artifact)->setChecked(artifact == qf::ExportArtifact::NcnnTable ||
                                                  artifact == qf::ExportArtifact::JsonTable);
        QVERIFY(exportAll(dialog, dir.path()));
        QCOMPARE(questions, 3);
        QCOMPARE(asked, QStringList{json});
        // The model's own files are never written over, whatever the answer: an error names
        // the file and nothing is asked.
        const QString sampleFolder = QFileInfo(model.files[0]).absolutePath();
        const QByteArray before = fileBytes(model.files[1]);
        dialog.nameEdit(qf::ExportArtifact::JsonTable)
            ->setText(QStringLiteral("digits.caffemodel"));
        window.errors.clear();
        QVERIFY(!exportAll(dialog, sampleFolder));
        QCOMPARE(questions, 3);
        QCOMPARE(window.errors.size(), size_t(1));
        QVERIFY(window.errors[0].message.contains(QStringLiteral("digits.caffemodel")));
        QCOMPARE(fileBytes(model.files[1]), before);
        // Without a calibration only the folded model can be written.
        RecordingWindow fresh;
        QVERIFY(openAndWait(fresh, model.files));
        qf::ui::ExportDialog& plain = *fresh->exportDialog();
        plain.prepare();
        QVERIFY(plain.checkBox(qf::ExportArtifact::FoldedModel)->isEnabled());
        QVERIFY(!plain.checkBox(qf::ExportArtifact::QdqOnnx)->isEnabled());
        QCOMPARE(plain.nameEdit(qf::ExportArtifact::FoldedModel)->text(),
                 QStringLiteral("digits_deploy_folded.prototxt"));
        QCOMPARE(plain.weightsNameEdit()->text(),
                 QStringLiteral("digits_deploy_folded.caffemodel"));
    }

    void sampleProjectIsACiStep() {
        Model model = sampleCaffe();
        model.files = QStringList{qsample("digits.onnx")};
        projectIsACiStep(model);
    }

    void resnet20ProjectIsACiStep() {
        QF_SHARED(onnx, "cifar10/resnet20/resnet20_cifar10.onnx");
        QF_SHARED(images, "cifar10/images/calib");
        projectIsACiStep(resnet20(onnx, images));
    }

    // Calibration settings saved before any calibration: the CLI calibrates with them, as the
    // GUI then does (the same table, byte for byte).
    void calibrationSettingsBeforeCalibrating() {
        QTemporaryDir dir;
        const Model model = sampleCaffe();
        RecordingWindow window;
        QVERIFY(openAndWait(window, {qsample("digits.onnx")}));
        qf::ui::QuantSession& session = *window->int8()->session();
        session.settings().imageFolder = QFileInfo(model.images).absoluteFilePath();
        session.settings().pre = model.pre;
        session.settings().maxImages = model.maxImages;
        session.settings().method = qf::ThresholdMethod::MinMax;
        const QString project = dir.filePath(QStringLiteral("setup.qfproj"));
        window.document().saveProject(project);
        QVERIFY(window.errors.empty());
        const QString cliTable = dir.filePath(QStringLiteral("cli.json"));
        const CliRun run = runCli({"calibrate", "--project", project, "-o", cliTable, "--json"});
        QVERIFY2(run.exitCode == 0, run.err.constData());
        QCOMPARE(run.json().value("images").toInt(), model.maxImages);
        QCOMPARE(run.json().value("method").toString(), QStringLiteral("minmax"));
        QSignalSpy finished(&session, &qf::ui::QuantSession::calibrationFinished);
        session.calibrate();
        QVERIFY(finished.wait(600000));
        const QString guiTable = dir.filePath(QStringLiteral("gui.json"));
        qf::writeCalibrationTable(*window.document().state().graph, session.table(),
                                  qf::TableFormat::Json, guiTable.toStdString());
        QVERIFY(fileBytes(cliTable) == fileBytes(guiTable));
        // Reopened, the settings are back and nothing is calibrated or compared.
        RecordingWindow reopened;
        QVERIFY(openAndWait(reopened, {project}));
        QTest::qWait(50);
        qf::ui::QuantSession& again = *reopened->int8()->session();
        QCOMPARE(again.settings().method, qf::ThresholdMethod::MinMax);
        QCOMPARE(again.settings().maxImages, model.maxImages);
        QVERIFY(!again.hasTable());
        QVERIFY(reopened.errors.empty());
    }

    // A bad --project is an error naming the file and the problem.
    void cliProjectErrors() {
        QTemporaryDir dir;
        const QString missing = dir.filePath(QStringLiteral("missing.qfproj"));
        CliRun run = runCli({"compare", "--project", missing});
        QCOMPARE(run.exitCode, 1);
        QVERIFY2(run.err.contains("missing.qfproj"), run.err.constData());
        // A project saved before any calibration has no table for compare or export.
        const QString plain = dir.filePath(QStringLiteral("plain.qfproj"));
        qf::Project project;
        project.model = qsample("digits.onnx").toStdString();
        project.images.folder = qsample("images").toStdString();
        qf::writeProject(plain.toStdString(), project);
        run = runCli({"compare", "--project", plain});
        QCOMPARE(run.exitCode, 1);
        QVERIFY2(run.err.contains("plain.qfproj") && run.err.contains("no calibration table"),
                 run.err.constData());
        // ... but the folded model exports, and a fold the model lacks is named.
        run = runCli({"export", "--project", plain, "--format", "model", "--output-dir",
                      dir.filePath(QStringLiteral("out"))});
        QVERIFY2(run.exitCode == 0, run.err.constData());
        QVERIFY(QFileInfo::exists(dir.filePath(QStringLiteral("out/digits_folded.onnx"))));
        project.folds = {"no_such_bn"};
        qf::writeProject(plain.toStdString(), project);
        run = runCli({"calibrate", "--project", plain, "-o", dir.filePath("t.json")});
        QCOMPARE(run.exitCode, 1);
        QVERIFY2(run.err.contains("no_such_bn") && run.err.contains("plain.qfproj"),
                 run.err.constData());
    }

    void granularityAndBiasCorrectionAreUndoable() {
        const Model model = sampleCaffe();
        RecordingWindow window;
        QVERIFY(openFoldAndCalibrate(window, model));
        qf::ui::QuantSession& session = *window->int8()->session();
        auto* panel = window->int8()->calibrationPanel();
        QUndoStack& stack = *window.document().undoStack();
        const int start = stack.count();
        const double cosine = session.comparison()->report.outputs.front().cosine;
        QVERIFY(session.options().perChannelWeights);
        QVERIFY(session.options().biasCorrection);

        panel->perChannelBox()->setChecked(false);  // as a click does
        QCOMPARE(stack.count(), start + 1);
        QVERIFY(!session.options().perChannelWeights);
        QVERIFY(session.isStale());
        QVERIFY(waitComparison(session));
        QVERIFY(!session.comparison()->plan.options.perChannelWeights);
        const double perTensor = session.comparison()->report.outputs.front().cosine;
        QVERIFY(perTensor != cosine);

        panel->biasCorrectionBox()->setChecked(false);
        QCOMPARE(stack.count(), start + 2);
        QVERIFY(!session.options().biasCorrection);
        QVERIFY(waitComparison(session));
        QVERIFY(!session.comparison()->plan.options.biasCorrection);

        stack.undo();
        QVERIFY(session.options().biasCorrection);
        QVERIFY(panel->biasCorrectionBox()->isChecked());
        QVERIFY(!session.options().perChannelWeights);
        stack.undo();
        QVERIFY(session.options().perChannelWeights);
        QVERIFY(panel->perChannelBox()->isChecked());
        QVERIFY(session.settings().perChannelWeights);
        QVERIFY(waitComparison(session));
        QCOMPARE(session.comparison()->report.outputs.front().cosine, cosine);
        QCOMPARE(stack.count(), start + 2);  // both steps can be redone

        stack.redo();
        QVERIFY(!session.options().perChannelWeights);
        QVERIFY(!panel->perChannelBox()->isChecked());
        QVERIFY(waitComparison(session));
        QCOMPARE(session.comparison()->report.outputs.front().cosine, perTensor);
        stack.redo();
        QVERIFY(!session.options().biasCorrection);
        QVERIFY(!panel->biasCorrectionBox()->isChecked());
        // Setting the value in use is no step.
        panel->biasCorrectionBox()->setChecked(false);
        QCOMPARE(stack.count(), start + 2);

        // Both choices survive a project round trip.
        QVERIFY(waitComparison(session));
        QTemporaryDir dir;
        const QString project = dir.filePath(QStringLiteral("choices.qfproj"));
        window.document().saveProject(project);
        QVERIFY(window.errors.empty());
        RecordingWindow reopened;
        QVERIFY(openAndWait(reopened, {project}));
        qf::ui::QuantSession& again = *reopened->int8()->session();
        QVERIFY(waitComparison(again));
        QVERIFY(!again.options().perChannelWeights);
        QVERIFY(!again.options().biasCorrection);
        QVERIFY(!reopened->int8()->calibrationPanel()->perChannelBox()->isChecked());
        QVERIFY(!reopened->int8()->calibrationPanel()->biasCorrectionBox()->isChecked());
        QCOMPARE(again.comparison()->report.outputs.front().cosine,
                 session.comparison()->report.outputs.front().cosine);
    }

private:
    void exportsEqualTheCli(const Model& model, int expectedFiles, const QString& shotName = {}) {
        RecordingWindow window;
        const bool shots = !shotName.isEmpty() && !qEnvironmentVariableIsEmpty("QF_SHOTS_DIR");
        if (shots) {
            window->resize(1600, 1000);
            window->show();
            QVERIFY(QTest::qWaitForWindowExposed(window.window.get()));
        }
        QVERIFY(openFoldAndCalibrate(window, model));
        QVERIFY(window.document().state().folded.size() > 0);
        QTemporaryDir dir;
        const QString gui = dir.filePath(QStringLiteral("gui"));
        const QString cli = dir.filePath(QStringLiteral("cli"));
        if (shots) {
            window->showExportDialog();  // as File > Export… shows it
            QVERIFY(QTest::qWaitForWindowExposed(window->exportDialog()));
        }
        bool ok = false;
        QVERIFY(exportAll(*window->exportDialog(), gui, &ok));
        QVERIFY(ok);
        QCOMPARE(filesIn(gui).size(), expectedFiles);
        QVERIFY(window.errors.empty());
        if (shots) {  // the dialog after the export, saying what it wrote
            shot(*window->exportDialog(), QStringLiteral("export-") + shotName + "-dialog");
            shot(*window.window, QStringLiteral("export-") + shotName);
            window->exportDialog()->hide();
        }

        // The CLI: fold writes the folded model, export the rest from the GUI's JSON table.
        qf::ui::ExportDialog& dialog = *window->exportDialog();
        const QString folded =
            QDir(cli).filePath(dialog.nameEdit(qf::ExportArtifact::FoldedModel)->text());
        QDir().mkpath(cli);
        const CliRun fold = runCli(cliArgs({"fold"}, model.files) << "-o" << folded);
        QVERIFY2(fold.exitCode == 0, fold.err.constData());
        const QString table =
            QDir(gui).filePath(dialog.nameEdit(qf::ExportArtifact::JsonTable)->text());
        const CliRun exported =
            runCli(cliArgs({"export"}, model.files) << "--table" << table << "--format"
                                                    << "json,ncnn,tensorrt,onnx-qdq"
                                                    << "--output-dir" << cli);
        QVERIFY2(exported.exitCode == 0, exported.err.constData());
        compareFolders(gui, cli);
    }

    void projectIsACiStep(const Model& model) {
        QTemporaryDir dir;
        const QString project = dir.filePath(QStringLiteral("tuned.qfproj"));
        qf::Int8ComparisonReport tuned;
        std::string manualTensor, keptNode;
        double manual = 0;
        {
            RecordingWindow window;
            QVERIFY(openFoldAndCalibrate(window, model));
            qf::ui::QuantSession& session = *window->int8()->session();
            const QString guiCalibrated = dir.filePath(QStringLiteral("gui_calibrated.json"));
            qf::writeCalibrationTable(*window.document().state().graph, session.table(),
                                      qf::TableFormat::Json, guiCalibrated.toStdString());
            const qf::Int8Plan plan = session.comparison()->plan;
            const std::vector<std::string> quantized = plan.quantizedNodes();
            QVERIFY(quantized.size() >= 3);
            // A manual threshold on the input of a middle layer, a per-tensor method on another
            // and the last layer kept in FP32, through the session's undoable edits.
            const qf::NodePlan* middle = plan.find(quantized[quantized.size() / 2]);
            manualTensor = middle->inputs.front().tensor;
            manual = middle->inputs.front().threshold * 0.6;
            QVERIFY(session.edit(qf::Int8Edit::setManualThreshold(manualTensor, manual)));
            const std::string methodTensor = plan.find(quantized.front())->inputs.front().tensor;
            QVERIFY(session.edit(
                qf::Int8Edit::setMethod(methodTensor, qf::ThresholdMethod::Percentile)));
            keptNode = quantized.back();
            QVERIFY(session.edit(qf::Int8Edit::setKeepFp32(keptNode, true)));
            QVERIFY(waitComparison(session));
            QVERIFY(session.comparison()->plan.fp32Nodes().count(keptNode));
            // The manual threshold made the middle layer's bias correction stale: measured again
            // on the calibration images, not dropped (compare --project does the same below).
            QVERIFY(session.comparison()->plan.droppedBiasCorrections().empty());
            QCOMPARE(session.comparison()->plan.find(middle->name)->bias.state,
                     qf::BiasCorrectionState::Applied);
            tuned = session.comparison()->report;
            window.document().saveProject(project);
            QVERIFY(window.errors.empty());

            // calibrate --project: the GUI's calibration (same graph, images and settings).
            const QString cliCalibrated = dir.filePath(QStringLiteral("cli_calibrated.json"));
            const CliRun calibrated =
                runCli({"calibrate", "--project", project, "-o", cliCalibrated});
            QVERIFY2(calibrated.exitCode == 0, calibrated.err.constData());
            QVERIFY(fileBytes(cliCalibrated) == fileBytes(guiCalibrated));
            // compare --project: the GUI's numbers.
            compareWithCli(tuned, runCli({"compare", "--project", project, "--json"}).json());
            // An explicit option overrides the project's choice.
            const QJsonObject unkept =
                runCli({"compare", "--project", project, "--keep-fp32", "", "--json"}).json();
            QVERIFY(unkept.value("outputs").toArray().first().toObject().value("cosine") !=
                    QJsonValue(tuned.outputs.front().cosine));

            // export --project: the GUI's files.
            const QString gui = dir.filePath(QStringLiteral("gui"));
            const QString cli = dir.filePath(QStringLiteral("cli"));
            bool ok = false;
            QVERIFY(exportAll(*window->exportDialog(), gui, &ok));
            QVERIFY(ok);
            const CliRun exported =
                runCli({"export", "--project", project, "--format",
                        "model,json,ncnn,tensorrt,onnx-qdq", "--output-dir", cli});
            QVERIFY2(exported.exitCode == 0, exported.err.constData());
            compareFolders(gui, cli);
            // The ncnn table carries the keep (the layer's line is absent or marked).
            const QString ncnn = QDir(gui).filePath(
                window->exportDialog()->nameEdit(qf::ExportArtifact::NcnnTable)->text());
            QVERIFY(!fileBytes(ncnn).isEmpty());
        }
        // Reopening restores the int8 choices and compares again, without calibrating.
        RecordingWindow window;
        qf::ui::QuantSession& session = *window->int8()->session();
        QSignalSpy calibrations(&session, &qf::ui::QuantSession::calibrationStarted);
        QVERIFY(openAndWait(window, {project}));
        QVERIFY(waitComparison(session));
        QVERIFY(window.errors.empty());
        QCOMPARE(calibrations.count(), 0);
        QVERIFY(session.hasTable());
        QCOMPARE(*session.table().find(manualTensor)->manualThreshold, manual);
        QVERIFY(session.options().keepFp32.count(keptNode));
        QCOMPARE(session.settings().imageFolder, QFileInfo(model.images).absoluteFilePath());
        QCOMPARE(session.settings().maxImages, model.maxImages);
        QCOMPARE(session.settings().pre.width, model.pre.width);
        QCOMPARE(session.settings().pre.mean, model.pre.mean);
        QCOMPARE(session.settings().method, qf::ThresholdMethod::Auto);
        QVERIFY(session.options().perChannelWeights);
        QVERIFY(session.options().biasCorrection);
        bool percentile = false;
        for (const auto& [tensor, calibration] : session.table().tensors)
            percentile = percentile || calibration.method == qf::ThresholdMethod::Percentile;
        QVERIFY(percentile);
        const auto& again = session.comparison()->report;
        QCOMPARE(again.outputs.front().cosine, tuned.outputs.front().cosine);
        QCOMPARE(again.outputs.front().sqnrDb, tuned.outputs.front().sqnrDb);
        QCOMPARE(again.layers.size(), tuned.layers.size());
    }
};

QTEST_MAIN(TestUiExport)
#include "test_ui_export.moc"

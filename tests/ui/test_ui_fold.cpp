// Folding in the GUI: Fold all is one undo step of one command per fold; Undo all gives back a
// model that exports byte-identical to the original; Redo all equals the CLI's `fold` output;
// Fold/Unfold on one pair; the fold verification against the CLI's; Save As never writes over
// the opened files without asking; save -> reopen; the modified mark and the close prompt.
#include <QJsonArray>
#include <QTableWidget>
#include <QUndoStack>

#include "formats/model_io.h"
#include "ui/fold_report_panel.h"
#include "ui/graph_items.h"
#include "ui_test_support.h"

using namespace qftest;

namespace {

struct Model {
    QStringList files;
    bool caffe() const { return files.size() == 2; }
};

Model sampleCaffe() { return {{qsample("digits_deploy.prototxt"), qsample("digits.caffemodel")}}; }

// Output paths in the format of `model` (its files as opened).
QStringList savePaths(const QTemporaryDir& dir, const QString& stem, const QStringList& model) {
    if (model.size() == 2)
        return {dir.filePath(stem + QStringLiteral(".prototxt")),
                dir.filePath(stem + QStringLiteral(".caffemodel"))};
    return {dir.filePath(stem + QStringLiteral(".") + QFileInfo(model[0]).suffix())};
}

bool saveAndWait(RecordingWindow& window, const QStringList& paths) {
    window.savePaths = {paths[0], paths.size() > 1 ? paths[1] : QString()};
    if (!window->saveAs()) return false;
    return waitIdle(window.document());
}

void compareFiles(const QStringList& a, const QStringList& b) {
    QCOMPARE(a.size(), b.size());
    for (int k = 0; k < a.size(); ++k) {
        const QByteArray left = fileBytes(a[k]);
        QVERIFY2(!left.isEmpty(), qPrintable(a[k]));
        QVERIFY2(left == fileBytes(b[k]), qPrintable(a[k] + " differs from " + b[k]));
    }
}

}  // namespace

class TestUiFold : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() { isolateSettings(); }

    void foldAllUndoRedo_data() {
        QTest::addColumn<QStringList>("files");
        QTest::newRow("sample caffe") << sampleCaffe().files;
        QTest::newRow("sample onnx") << QStringList{qsample("digits.onnx")};
        const QString data = QString::fromStdString(sharedDataRoot());
        QTest::newRow("retinaface caffe")
            << QStringList{data + "/faces/retinaface_mnet25/mnet25.prototxt",
                           data + "/faces/retinaface_mnet25/mnet25.caffemodel"};
        QTest::newRow("ultraface onnx")
            << QStringList{data + "/faces/ultraface/version-RFB-320.onnx"};
        QTest::newRow("resnet20 tensorflow FusedBatchNormV3")
            << QStringList{data + "/cifar10/resnet20/resnet20_cifar10_frozen.pb"};
        QTest::newRow("resnet20 tensorflow Mul/Add")
            << QStringList{data + "/cifar10/resnet20/resnet20_cifar10_frozen_muladd.pb"};
    }
    void foldAllUndoRedo() {
        QFETCH(QStringList, files);
        for (const auto& file : files)
            if (!QFileInfo::exists(file)) {
                if (underCi()) QFAIL(qPrintable("missing shared data under CI: " + file));
                QSKIP("shared data not present");
            }
        const bool caffe = files.size() == 2;
        RecordingWindow window;
        QVERIFY(openAndWait(window, files));
        auto& document = window.document();
        QTemporaryDir dir;

        // The reference exports: the model as loaded, and the CLI's fold.
        const QStringList original = savePaths(dir, QStringLiteral("original"), files);
        qf::saveModel(*document.original(), original[0].toStdString(),
                      caffe ? original[1].toStdString() : std::string());
        const QStringList cliFolded = savePaths(dir, QStringLiteral("cli_folded"), files);
        QStringList cliArguments = QStringList{QStringLiteral("fold")} + files;
        if (caffe) cliArguments << cliFolded[1];
        cliArguments << QStringLiteral("-o") << cliFolded[0] << QStringLiteral("--json");
        const CliRun fold = runCli(cliArguments);
        QVERIFY2(fold.exitCode == 0, fold.err.constData());
        const int cliFolds = fold.json().value(QStringLiteral("folded")).toInt(-1);

        const int foldable = document.facts().foldableCount();
        QVERIFY(foldable > 0);
        QCOMPARE(window->windowTitle().contains(QStringLiteral("[*]")), true);
        QVERIFY(!window->isWindowModified());
        const int folds = document.foldAll();  // computed in the background
        QVERIFY(waitIdle(document));
        QCOMPARE(folds, cliFolds);
        QCOMPARE(document.undoStack()->count(), 1);  // one undo step ...
        QCOMPARE(document.undoStack()->command(0)->childCount(),
                 folds);  // ... of one command per fold
        QCOMPARE(document.facts().foldableCount(), 0);
        QCOMPARE(static_cast<int>(document.state().folded.size()), folds);
        QVERIFY(window->isWindowModified());
        QVERIFY(waitIdle(document));
        // The view updated in place: the folded affine nodes are gone, targets carry a badge.
        auto* scene = window->graphView()->graphScene();
        QCOMPARE(scene->nodeItemCount(), static_cast<int>(document.state().graph->nodes.size()));
        QCOMPARE(scene->badgeCount(qf::ui::BadgeItem::Kind::Fold), 0);
        QVERIFY(scene->badgeCount(qf::ui::BadgeItem::Kind::Folded) > 0);

        // Undo all: byte-identical to the original's export.
        document.undoStack()->setIndex(0);
        QVERIFY(!window->isWindowModified());
        QCOMPARE(document.facts().foldableCount(), foldable);
        const QStringList undone = savePaths(dir, QStringLiteral("undone"), files);
        QVERIFY(saveAndWait(window, undone));
        QVERIFY(window.errors.empty());
        compareFiles(undone, original);

        // Redo all: equal to the CLI's fold.
        document.undoStack()->setIndex(document.undoStack()->count());
        const QStringList redone = savePaths(dir, QStringLiteral("redone"), files);
        QVERIFY(saveAndWait(window, redone));
        compareFiles(redone, cliFolded);
        QVERIFY(!window->isWindowModified());  // saved

        // Save -> reopen: the saved folded model opens with nothing left to fold.
        RecordingWindow reopened;
        QVERIFY(openAndWait(reopened, redone));
        QCOMPARE(reopened.document().state().graph->nodes.size(),
                 document.state().graph->nodes.size());
        QCOMPARE(reopened.document().facts().foldableCount(), 0);
    }

    void foldAndUnfoldOnePair() {
        RecordingWindow window;
        QVERIFY(openAndWait(window, sampleCaffe().files));
        auto& document = window.document();
        const auto original = document.state().graph;
        QVERIFY(document.fold(QStringLiteral("conv2_bn")));
        QVERIFY(document.fold(QStringLiteral("conv2_scale")));
        QVERIFY(document.fold(QStringLiteral("conv1_bn")));
        QCOMPARE(document.undoStack()->count(), 3);
        QCOMPARE(document.state().graph->nodeIndex("conv2_bn"), -1);
        // A node that cannot fold (not affine) reports why, changes nothing.
        QVERIFY(!document.fold(QStringLiteral("conv1_relu")));
        QCOMPARE(window.errors.size(), size_t(1));
        QVERIFY(window.errors[0].message.contains(QStringLiteral("conv1_relu")));
        QCOMPARE(document.undoStack()->count(), 3);
        // Unfold conv2: both its folds go, conv1's stays.
        QVERIFY(document.unfoldTarget(QStringLiteral("conv2")));
        QCOMPARE(document.state().folded.size(), size_t(1));
        QCOMPARE(document.state().folded[0].affine, std::string("conv1_bn"));
        QVERIFY(document.state().graph->nodeIndex("conv2_bn") >= 0);
        QVERIFY(document.facts().candidate("conv2_scale")->foldable());
        document.undoStack()->undo();  // the unfold
        QCOMPARE(document.state().folded.size(), size_t(3));
        document.undoStack()->setIndex(0);
        QVERIFY(waitIdle(document));
        // Undone through the core's inverse edits: the same model as loaded.
        QTemporaryDir dir;
        const QStringList a{dir.filePath("a.prototxt"), dir.filePath("a.caffemodel")};
        const QStringList b{dir.filePath("b.prototxt"), dir.filePath("b.caffemodel")};
        qf::saveModel(*original, a[0].toStdString(), a[1].toStdString());
        qf::saveModel(*document.state().graph, b[0].toStdString(), b[1].toStdString());
        compareFiles(a, b);
        QCOMPARE(document.state().folded.size(), size_t(0));
        QCOMPARE(document.facts().foldableCount(), 6);
    }

    void verificationMatchesTheCli() {
        RecordingWindow window;
        QVERIFY(openAndWait(window, sampleCaffe().files));
        auto& document = window.document();
        document.foldAll();
        QVERIFY(waitIdle(document));
        auto& settings = document.settings();
        settings.imageFolder = qsample("images");
        settings.preprocessing.scale = 1.0f / 255.0f;
        settings.preprocessing.mean = {0.5f, 0.5f, 0.5f};
        settings.preprocessing.std = {0.5f, 0.5f, 0.5f};
        settings.maxImages = 40;
        QSignalSpy finished(&document, &qf::ui::Document::verificationFinished);
        document.verifyFolds();
        QVERIFY(waitIdle(document));
        QCOMPARE(finished.size(), 1);
        const auto report = finished[0][0].value<qf::ComparisonReport>();
        QCOMPARE(report.images, 40);
        QCOMPARE(report.outputs.size(), size_t(1));
        QVERIFY(report.outputs[0].maxAbsDiff < 1e-3);
        QVERIFY(report.outputs[0].maxAbsValue > 1.0);
        // The Fold report panel shows it.
        QCOMPARE(window->foldReportPanel()->proof()->rowCount(), 1);

        QTemporaryDir dir;
        const CliRun cli =
            runCli(QStringList{QStringLiteral("fold")} + sampleCaffe().files +
                   QStringList{dir.filePath("f.caffemodel"), "-o", dir.filePath("f.prototxt"),
                               "--verify-images", qsample("images"), "--max-images", "40",
                               "--scale", "0.00392156862745098", "--mean", "0.5,0.5,0.5", "--std",
                               "0.5,0.5,0.5", "--json"});
        QVERIFY2(cli.exitCode == 0, cli.err.constData());
        const double cliDiff = cli.json()
                                   .value("max_abs_diff")
                                   .toObject()
                                   .value(QString::fromStdString(report.outputs[0].output))
                                   .toDouble(-1);
        QVERIFY(cliDiff >= 0);
        QVERIFY(std::abs(cliDiff - report.outputs[0].maxAbsDiff) <= 1e-6 + 1e-3 * cliDiff);
    }

    void cancelledVerificationReportsNothing() {
        RecordingWindow window;
        QVERIFY(openAndWait(window, sampleCaffe().files));
        auto& document = window.document();
        document.foldAll();
        QVERIFY(waitIdle(document));
        document.settings().imageFolder = qsample("images");
        QSignalSpy finished(&document, &qf::ui::Document::verificationFinished);
        document.verifyFolds();
        QVERIFY(document.isBusy());
        document.cancelJobs();
        QVERIFY(!document.isBusy());
        QTest::qWait(300);
        QVERIFY(waitIdle(document));
        QCOMPARE(finished.size(), 0);
        QVERIFY(window.errors.empty());
    }

    void saveNeverOverwritesTheOpenedFilesWithoutAsking() {
        QTemporaryDir dir;
        const QString model = dir.filePath(QStringLiteral("m.prototxt"));
        const QString weights = dir.filePath(QStringLiteral("m.caffemodel"));
        QFile::copy(qsample("digits_deploy.prototxt"), model);
        QFile::copy(qsample("digits.caffemodel"), weights);
        const QByteArray before = fileBytes(weights);
        RecordingWindow window;
        QVERIFY(openAndWait(window, {model}));  // finds m.caffemodel beside it
        QCOMPARE(window.document().weightsPath(), QFileInfo(weights).absoluteFilePath());
        window.document().foldAll();
        QVERIFY(waitIdle(window.document()));
        window.allowOverwrite = false;
        window.savePaths = {model, weights};
        QVERIFY(!window->saveAs());
        QCOMPARE(window.overwriteQuestions, 1);
        QVERIFY(waitIdle(window.document()));
        QCOMPARE(fileBytes(weights), before);
        // Asked and allowed: written (atomically, by the core).
        window.allowOverwrite = true;
        QVERIFY(window->saveAs());
        QVERIFY(waitIdle(window.document()));
        QVERIFY(window.errors.empty());
        QVERIFY(fileBytes(weights) != before);
    }

    void closePromptsOnUnsavedChanges() {
        RecordingWindow window;
        QVERIFY(openAndWait(window, sampleCaffe().files));
        window->show();
        QVERIFY(window->close());  // nothing changed: closes without asking
        QCOMPARE(window.saveChangesQuestions, 0);
        window->show();
        window.document().fold(QStringLiteral("conv1_bn"));
        QVERIFY(window->isWindowModified());
        window.saveChangesAnswer = QMessageBox::Cancel;
        QVERIFY(!window->close());
        QCOMPARE(window.saveChangesQuestions, 1);
        QVERIFY(window->isVisible());
        window.saveChangesAnswer = QMessageBox::Discard;
        QVERIFY(window->close());
        QVERIFY(waitIdle(window.document()));
    }
};

QTEST_MAIN(TestUiFold)
#include "test_ui_fold.moc"

#pragma once
// Helpers of the GUI tests: a main window whose prompts record instead of opening dialogs,
// waiting for background jobs, and the CLI's JSON answers to compare against.
#include <QElapsedTimer>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QtTest>
#include <memory>

#include "test_support.h"
#include "ui/graph_view.h"
#include "ui/main_window.h"
#include "ui/model_document.h"

namespace qftest {

inline QString qsample(const QString& file) {
    return QString::fromStdString(sourcePath("resources/sample/" + file.toStdString()));
}

// Every test gets its own QSettings (recent files, geometry) away from the user's and away
// from the other test programs, which ctest -j runs at the same time.
inline void isolateSettings() {
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(QStringLiteral("QuantFoldTest"));
    const QString program = QCoreApplication::instance()
                                ? QFileInfo(QCoreApplication::applicationFilePath()).baseName()
                                : QStringLiteral("unknown");
    QCoreApplication::setApplicationName(QStringLiteral("quantfold-test-") + program);
}

struct RecordingWindow {
    std::unique_ptr<qf::ui::MainWindow> window = std::make_unique<qf::ui::MainWindow>();
    std::vector<qf::ui::ErrorReport> errors;
    QStringList askedWeights, askedMissing;
    QString missingAnswer;
    std::pair<QString, QString> savePaths;
    bool allowOverwrite = false;
    int overwriteQuestions = 0;
    QMessageBox::StandardButton saveChangesAnswer = QMessageBox::Cancel;
    int saveChangesQuestions = 0;
    QStringList askedInputShape;  // the text each Input Shape prompt started from
    QString inputShapeAnswer;     // null: cancel

    RecordingWindow() {
        qf::ui::WindowPrompts prompts;
        prompts.showError = [this](const qf::ui::ErrorReport& error) { errors.push_back(error); };
        prompts.askWeights = [this](const QString& prototxt) {
            askedWeights << prototxt;
            return QString();
        };
        prompts.locateMissingFile = [this](const QString& path) {
            askedMissing << path;
            return missingAnswer;
        };
        prompts.confirmOverwrite = [this](const QStringList&) {
            ++overwriteQuestions;
            return allowOverwrite;
        };
        prompts.askSaveChanges = [this] {
            ++saveChangesQuestions;
            return saveChangesAnswer;
        };
        prompts.askSavePaths = [this] { return savePaths; };
        prompts.askInputShape = [this](const QString& current) {
            askedInputShape << current;
            return inputShapeAnswer;
        };
        window->setPrompts(prompts);
        window->resize(1400, 900);
    }
    qf::ui::MainWindow& operator*() { return *window; }
    qf::ui::MainWindow* operator->() { return window.get(); }
    qf::ui::Document& document() { return *window->document(); }
};

// Waits until the document is idle (no job running) and has nothing scheduled.
inline bool waitIdle(qf::ui::Document& document, int timeoutMs = 600000) {
    QElapsedTimer timer;
    timer.start();
    do {
        QCoreApplication::processEvents(QEventLoop::AllEvents, 20);
        QTest::qWait(5);
        if (!document.isBusy()) {
            QTest::qWait(20);  // let a scheduled layout start
            if (!document.isBusy()) return true;
        }
    } while (timer.elapsed() < timeoutMs);
    return false;
}

// Opens files in the window and waits for the laid-out picture.
inline bool openAndWait(RecordingWindow& window, const QStringList& files) {
    if (!window->openFiles(files)) return false;
    return waitIdle(window.document()) && window.document().picture() != nullptr;
}

struct CliRun {
    int exitCode = -1;
    QByteArray out, err;
    QJsonObject json() const { return QJsonDocument::fromJson(out).object(); }
};

inline CliRun runCli(const QStringList& arguments) {
    QProcess process;
    process.start(QStringLiteral(QF_CLI_PATH), arguments);
    process.waitForFinished(600000);
    return {process.exitCode(), process.readAllStandardOutput(), process.readAllStandardError()};
}

inline QByteArray fileBytes(const QString& path) {
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) return {};
    return file.readAll();
}

}  // namespace qftest

#pragma once
// File > Export…: the folded model, the calibration table (JSON, ncnn, TensorRT) and the QDQ
// ONNX int8 model, each with a tick box and a file name proposed from the model's name, into
// one folder. It writes through the core's workflows/exports.h (what the CLI's fold and export
// commands call), in the background, asks once before writing over existing files and never
// writes over the files the model, the project or its table were read from.
#include <QDialog>
#include <QFutureWatcher>
#include <QStringList>
#include <atomic>
#include <functional>
#include <map>
#include <memory>

#include "ui/model_document.h"
#include "workflows/exports.h"

class QCheckBox;
class QDialogButtonBox;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;

namespace qf::ui {

class QuantSession;

class ExportDialog : public QDialog {
    Q_OBJECT
public:
    ExportDialog(Document& document, QuantSession& session, QWidget* parent = nullptr);
    ~ExportDialog() override;

    // Proposes names and a folder for the model now open (keeping the user's edits while it is
    // the same model) and enables the artefacts that can be written (a table needs a
    // calibration).
    void prepare();

    QCheckBox* checkBox(qf::ExportArtifact artifact) const { return rows_.at(artifact).box; }
    QLineEdit* nameEdit(qf::ExportArtifact artifact) const { return rows_.at(artifact).name; }
    QLineEdit* weightsNameEdit() const { return weightsName_; }
    QLineEdit* folderEdit() const { return folder_; }
    QPushButton* exportButton() const { return export_; }
    QPushButton* stopButton() const { return cancel_; }  // shown while exporting
    bool isExporting() const { return running_; }

    // The question before writing over existing files (all of them in one list); true writes.
    // The default asks with a message box; tests answer it themselves.
    void setConfirmOverwrite(std::function<bool(const QStringList& files)> confirm) {
        confirmOverwrite_ = std::move(confirm);
    }
    // Where errors go (the window's error prompt and log).
    void setShowError(std::function<void(const ErrorReport&)> show) {
        showError_ = std::move(show);
    }

    // The files the ticked artefacts would write, in order (a Caffe model's weights after it).
    QStringList plannedFiles() const;
    // Checks and starts the export (the Export button). False when nothing starts: nothing
    // ticked, a problem (reported), or the overwrite question answered no.
    bool startExport();

signals:
    void exportFinished(bool succeeded, const QStringList& written);

private:
    struct Row {
        QCheckBox* box = nullptr;
        QLineEdit* name = nullptr;
    };
    struct Job;
    struct Outcome;
    void browse();
    void updateButtons();
    void reportError(const QString& file, const QString& message);
    void onFinished();

    Document& document_;
    QuantSession& session_;
    std::map<qf::ExportArtifact, Row> rows_;
    std::map<qf::ExportArtifact, bool> available_;  // at the last prepare()
    QLineEdit* weightsName_;
    QLabel* weightsLabel_;
    QLineEdit* folder_;
    QLabel* status_;
    QProgressBar* progress_;
    QPushButton* export_;
    QPushButton* cancel_;
    QDialogButtonBox* buttons_;
    QString preparedFor_;  // the model the names were proposed for
    std::function<bool(const QStringList&)> confirmOverwrite_;
    std::function<void(const ErrorReport&)> showError_;
    QFutureWatcher<std::shared_ptr<Outcome>> watcher_;
    std::shared_ptr<std::atomic_bool> cancelFlag_;
    bool running_ = false;
};

}  // namespace qf::ui

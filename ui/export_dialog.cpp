#include "ui/export_dialog.h"

#include <QCheckBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QProgressBar>
#include <QPushButton>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>
#include <set>

#include "ui/calibration/quant_session.h"
#include "util/atomic_file.h"
#include "util/error.h"

namespace qf::ui {
namespace {

QString fromStd(const std::string& text) { return QString::fromStdString(text); }

constexpr int kStepsPerFile = 1000;  // the progress bar's resolution within one file

QString artifactLabel(qf::ExportArtifact artifact, bool caffe) {
    switch (artifact) {
        case qf::ExportArtifact::FoldedModel:
            return caffe ? ExportDialog::tr("Folded model (Caffe prototxt + caffemodel)")
                         : ExportDialog::tr("Folded model (ONNX)");
        case qf::ExportArtifact::JsonTable:
            return ExportDialog::tr(
                "Calibration table, JSON (every method, manual thresholds, "
                "bias corrections)");
        case qf::ExportArtifact::NcnnTable:
            return ExportDialog::tr("Calibration table, ncnn / caffe-int8-convert-tools");
        case qf::ExportArtifact::TensorRtCache:
            return ExportDialog::tr("TensorRT calibration cache");
        case qf::ExportArtifact::QdqOnnx:
            return ExportDialog::tr("Int8 model, QDQ ONNX (ONNX Runtime)");
        case qf::ExportArtifact::TfQuantizedWeights:  // not offered by the dialog
            break;
    }
    return {};
}

bool samePath(const QString& a, const QString& b) {
    return QFileInfo(a).absoluteFilePath() == QFileInfo(b).absoluteFilePath();
}

}  // namespace

// One export: what to write where, with the snapshots it writes from (the GUI may edit on).
struct ExportDialog::Job {
    struct Item {
        qf::ExportArtifact artifact;
        QString path, weightsPath;
    };
    std::vector<Item> items;
    std::shared_ptr<const qf::Graph> graph;
    std::shared_ptr<const qf::CalibrationTable> table;
    qf::Int8Options options;
    std::vector<std::string> inputs;
};

struct ExportDialog::Outcome {
    QStringList written;
    QString errorFile, error;
    bool cancelled = false;
};

ExportDialog::ExportDialog(Document& document, QuantSession& session, QWidget* parent)
    : QDialog(parent), document_(document), session_(session) {
    setObjectName(QStringLiteral("ExportDialog"));
    setWindowTitle(tr("Export"));
    auto* layout = new QVBoxLayout(this);
    auto* intro = new QLabel(tr("Write the folded model and the int8 results for deployment. "
                                "The files are written as the CLI's fold and export commands "
                                "write them."),
                             this);
    intro->setWordWrap(true);
    layout->addWidget(intro);

    auto* grid = new QGridLayout;
    grid->setColumnStretch(1, 1);
    int row = 0;
    for (const qf::ExportArtifact artifact : qf::kExportArtifacts) {
        Row entry;
        entry.box = new QCheckBox(artifactLabel(artifact, false), this);
        entry.name = new QLineEdit(this);
        entry.name->setMinimumWidth(260);
        grid->addWidget(entry.box, row, 0);
        grid->addWidget(entry.name, row, 1);
        connect(entry.box, &QCheckBox::toggled, this, [this] { updateButtons(); });
        connect(entry.box, &QCheckBox::toggled, entry.name, &QWidget::setEnabled);
        rows_[artifact] = entry;
        ++row;
        if (artifact == qf::ExportArtifact::FoldedModel) {
            weightsLabel_ = new QLabel(tr("Weights:"), this);
            weightsLabel_->setAlignment(Qt::AlignRight | Qt::AlignVCenter);
            weightsName_ = new QLineEdit(this);
            grid->addWidget(weightsLabel_, row, 0);
            grid->addWidget(weightsName_, row, 1);
            connect(entry.box, &QCheckBox::toggled, weightsName_, &QWidget::setEnabled);
            ++row;
        }
    }
    layout->addLayout(grid);

    auto* folderRow = new QHBoxLayout;
    folderRow->addWidget(new QLabel(tr("Folder:"), this));
    folder_ = new QLineEdit(this);
    folderRow->addWidget(folder_, 1);
    auto* browse = new QPushButton(tr("Browse…"), this);
    folderRow->addWidget(browse);
    connect(browse, &QPushButton::clicked, this, &ExportDialog::browse);
    connect(folder_, &QLineEdit::textChanged, this, [this] { updateButtons(); });
    layout->addLayout(folderRow);

    status_ = new QLabel(this);
    status_->setWordWrap(true);
    layout->addWidget(status_);
    progress_ = new QProgressBar(this);
    progress_->hide();
    layout->addWidget(progress_);

    buttons_ = new QDialogButtonBox(this);
    export_ = buttons_->addButton(tr("Export"), QDialogButtonBox::AcceptRole);
    cancel_ = buttons_->addButton(tr("Stop"), QDialogButtonBox::ActionRole);
    cancel_->hide();
    buttons_->addButton(QDialogButtonBox::Close);
    connect(export_, &QPushButton::clicked, this, [this] { startExport(); });
    connect(cancel_, &QPushButton::clicked, this, [this] {
        if (cancelFlag_) cancelFlag_->store(true);
    });
    connect(buttons_, &QDialogButtonBox::rejected, this, &QDialog::reject);
    layout->addWidget(buttons_);

    confirmOverwrite_ = [this](const QStringList& files) {
        return QMessageBox::question(this, tr("Replace existing files?"),
                                     tr("These files exist already:\n%1\n\nReplace them?")
                                         .arg(files.join(QLatin1Char('\n'))),
                                     QMessageBox::Yes | QMessageBox::No,
                                     QMessageBox::No) == QMessageBox::Yes;
    };
    connect(&watcher_, &QFutureWatcherBase::finished, this, &ExportDialog::onFinished);
    // A new model or a new table changes what can be written and the names proposed.
    connect(&document_, &Document::modelOpened, this, &ExportDialog::prepare);
    connect(&session_, &QuantSession::tableChanged, this, &ExportDialog::prepare);
    prepare();
}

ExportDialog::~ExportDialog() {
    if (cancelFlag_) cancelFlag_->store(true);
    watcher_.waitForFinished();
}

void ExportDialog::prepare() {
    const bool model = document_.hasModel();
    const bool caffe = model && document_.state().graph->format == "caffe";
    const QString modelPath = document_.modelPath();
    if (model && preparedFor_ != modelPath) {
        preparedFor_ = modelPath;
        const std::string format = document_.state().graph->format;
        for (auto& [artifact, row] : rows_) {
            const auto names = qf::proposedExportNames(artifact, modelPath.toStdString(), format);
            row.name->setText(fromStd(names.at(0)));
            if (names.size() > 1) weightsName_->setText(fromStd(names[1]));
            row.box->setText(artifactLabel(artifact, caffe));
        }
        const QString project = document_.projectPath();
        folder_->setText(QFileInfo(project.isEmpty() ? modelPath : project).absolutePath());
    }
    weightsLabel_->setVisible(caffe);
    weightsName_->setVisible(caffe);
    const bool table = session_.hasTable();
    for (auto& [artifact, row] : rows_) {
        const bool available = model && (!qf::needsTable(artifact) || table);
        // What becomes possible (a first calibration) is ticked; what is not, unticked.
        if (available != available_[artifact]) row.box->setChecked(available);
        available_[artifact] = available;
        row.box->setEnabled(available && !running_);
        row.box->setToolTip(available ? QString() : tr("Calibrate first (Int8 > Calibrate…)."));
        row.name->setEnabled(available && row.box->isChecked());
    }
    weightsName_->setEnabled(rows_.at(qf::ExportArtifact::FoldedModel).box->isChecked());
    status_->setText(table ? QString()
                           : tr("No calibration yet: only the folded model can be exported."));
    updateButtons();
}

void ExportDialog::browse() {
    const QString dir =
        QFileDialog::getExistingDirectory(this, tr("Export into folder"), folder_->text());
    if (!dir.isEmpty()) folder_->setText(dir);
}

void ExportDialog::updateButtons() {
    bool any = false;
    for (const auto& entry : rows_) any = any || entry.second.box->isChecked();
    export_->setEnabled(any && !running_ && !folder_->text().trimmed().isEmpty());
}

QStringList ExportDialog::plannedFiles() const {
    const QDir dir(folder_->text().trimmed());
    QStringList files;
    for (const auto& [artifact, row] : rows_) {
        if (!row.box->isChecked()) continue;
        files << QDir::cleanPath(dir.absoluteFilePath(row.name->text().trimmed()));
        if (artifact == qf::ExportArtifact::FoldedModel && document_.hasModel() &&
            document_.state().graph->format == "caffe")
            files << QDir::cleanPath(dir.absoluteFilePath(weightsName_->text().trimmed()));
    }
    return files;
}

void ExportDialog::reportError(const QString& file, const QString& message) {
    ErrorReport error;
    error.title = tr("Export failed");
    error.file = file;
    error.message = message.contains(file) || file.isEmpty()
                        ? message
                        : QStringLiteral("%1: %2").arg(file, message);
    status_->setText(error.message);
    if (showError_) showError_(error);
}

bool ExportDialog::startExport() {
    if (running_ || !document_.hasModel()) return false;
    const QString folder = folder_->text().trimmed();
    if (folder.isEmpty()) return false;
    auto job = std::make_shared<Job>();
    // The graph the table describes (equalized when it was calibrated so), for every file: a
    // table exported beside a folded model must match that model's tensors.
    job->graph = session_.hasTable() ? session_.quantizedGraph() : document_.state().graph;
    const bool caffe = job->graph->format == "caffe";
    const QDir dir(folder);
    for (const auto& [artifact, row] : rows_) {
        if (!row.box->isChecked()) continue;
        const QString name = row.name->text().trimmed();
        if (name.isEmpty()) {
            reportError(QString(), tr("Give a file name for: %1").arg(row.box->text()));
            return false;
        }
        Job::Item item{artifact, QDir::cleanPath(dir.absoluteFilePath(name)), QString()};
        if (artifact == qf::ExportArtifact::FoldedModel && caffe) {
            const QString weights = weightsName_->text().trimmed();
            if (weights.isEmpty()) {
                reportError(QString(), tr("Give a file name for the folded model's weights."));
                return false;
            }
            item.weightsPath = QDir::cleanPath(dir.absoluteFilePath(weights));
        }
        job->items.push_back(item);
    }
    if (job->items.empty()) return false;
    // The files read: the model, the project and its table are never written over.
    QStringList inputs = document_.openedFiles();
    if (!document_.projectPath().isEmpty())
        inputs << document_.projectPath() << QuantSession::tablePathFor(document_.projectPath());
    for (const auto& input : inputs) job->inputs.push_back(input.toStdString());
    QStringList targets, existing;
    for (const auto& item : job->items)
        for (const QString& path : {item.path, item.weightsPath}) {
            if (path.isEmpty()) continue;
            for (const auto& other : targets)
                if (samePath(other, path)) {
                    reportError(path, tr("%1: two exports would write this file").arg(path));
                    return false;
                }
            try {
                qf::refuseToOverwriteInputs(path.toStdString(), job->inputs);
            } catch (const std::exception& error) {
                reportError(path, QString::fromUtf8(error.what()));
                return false;
            }
            targets << path;
            if (QFileInfo::exists(path)) existing << path;
        }
    if (!QFileInfo(folder).isDir() && !QDir().mkpath(folder)) {
        reportError(folder, tr("%1: the folder cannot be created").arg(folder));
        return false;
    }
    if (!existing.isEmpty() && !(confirmOverwrite_ && confirmOverwrite_(existing))) {
        status_->setText(tr("Nothing written."));
        return false;
    }
    if (session_.hasTable())
        job->table = std::make_shared<const qf::CalibrationTable>(session_.table());
    job->options = session_.options();

    auto cancel = std::make_shared<std::atomic_bool>(false);
    cancelFlag_ = cancel;
    running_ = true;
    progress_->setRange(0, static_cast<int>(job->items.size()) * kStepsPerFile);
    progress_->setValue(0);
    progress_->show();
    cancel_->show();
    updateButtons();
    status_->setText(tr("Exporting…"));
    QPointer<ExportDialog> self(this);
    watcher_.setFuture(QtConcurrent::run([job, cancel, self] {
        auto outcome = std::make_shared<Outcome>();
        qf::ExportRequest request;
        request.graph = job->graph.get();
        request.table = job->table.get();
        request.options = job->options;
        request.inputs = job->inputs;
        // One count over all files: each file is a phase of kStepsPerFile steps.
        qf::Progress progress;
        progress.cancel = cancel.get();
        const long total = static_cast<long>(job->items.size()) * kStepsPerFile;
        progress.report = [self](long done, long, const std::string&) {
            QMetaObject::invokeMethod(
                self,
                [self, done] {
                    if (self) self->progress_->setValue(static_cast<int>(done));
                },
                Qt::QueuedConnection);
        };
        long offset = 0;
        for (const auto& item : job->items) {
            const QString name = QFileInfo(item.path).fileName();
            QMetaObject::invokeMethod(
                self,
                [self, name] {
                    if (self) self->status_->setText(tr("Writing %1…").arg(name));
                },
                Qt::QueuedConnection);
            try {
                qf::writeExport(item.artifact, request, item.path.toStdString(),
                                item.weightsPath.toStdString(),
                                progress.phase(offset, kStepsPerFile, total));
            } catch (const qf::Cancelled&) {
                outcome->cancelled = true;
                break;
            } catch (const std::exception& error) {
                outcome->errorFile = item.path;
                outcome->error = QString::fromUtf8(error.what());
                break;
            }
            outcome->written << item.path;
            if (!item.weightsPath.isEmpty()) outcome->written << item.weightsPath;
            offset += kStepsPerFile;
            progress.step(offset, total, "written");
        }
        return outcome;
    }));
    return true;
}

void ExportDialog::onFinished() {
    running_ = false;
    progress_->hide();
    cancel_->hide();
    const std::shared_ptr<Outcome> outcome = watcher_.result();
    prepare();
    if (!outcome->error.isEmpty()) {
        reportError(outcome->errorFile, outcome->error);
        emit exportFinished(false, outcome->written);
        return;
    }
    status_->setText(
        outcome->cancelled
            ? tr("Stopped after %n file(s).", nullptr, static_cast<int>(outcome->written.size()))
            : tr("Wrote %n file(s) into %1.", nullptr, static_cast<int>(outcome->written.size()))
                  .arg(QDir::toNativeSeparators(folder_->text().trimmed())));
    emit exportFinished(!outcome->cancelled, outcome->written);
}

}  // namespace qf::ui

#include "ui/calibration/quant_session.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QUndoCommand>
#include <QtConcurrent/QtConcurrentRun>
#include <functional>

#include "calibration/table_files.h"
#include "images/image_folder.h"
#include "ui/limits_dialog.h"
#include "ui/model_document.h"
#include "util/atomic_file.h"
#include "util/error.h"
#include "workflows/project_file.h"

namespace qf::ui {
namespace {

QString fromStd(const std::string& text) { return QString::fromStdString(text); }

bool samePreprocessing(const qf::Preprocessing& a, const qf::Preprocessing& b) {
    return a.width == b.width && a.height == b.height && a.scale == b.scale && a.mean == b.mean &&
           a.std == b.std && a.rgb == b.rgb && a.resizeShorter == b.resizeShorter &&
           a.centerCrop == b.centerCrop;
}

// One edit of the int8 set-up on the document's undo stack. It holds the edit its next undo or
// redo applies; applying one returns the opposite, so the command swaps it each time.
class Int8EditCommand : public QUndoCommand {
public:
    Int8EditCommand(QuantSession& session, const qf::Int8Edit& done, qf::Int8Edit inverse)
        : QUndoCommand(fromStd(done.description())), session_(session), next_(std::move(inverse)) {}
    void undo() override { swap(); }
    void redo() override {
        if (first_) {  // performed before it was pushed
            first_ = false;
            return;
        }
        swap();
    }

private:
    void swap() {
        try {
            next_ = session_.perform(next_);
        } catch (const std::exception& error) {
            emit session_.errorOccurred(QObject::tr("The edit no longer applies"),
                                        QString::fromUtf8(error.what()));
        }
    }
    QuantSession& session_;
    qf::Int8Edit next_;
    bool first_ = true;
};

// A switch of the int8 options (weight granularity, bias correction) on the undo stack: undo
// applies the value before, redo the value after.
class OptionCommand : public QUndoCommand {
public:
    OptionCommand(const QString& text, std::function<void(bool)> apply, bool before, bool after)
        : QUndoCommand(text), apply_(std::move(apply)), before_(before), after_(after) {}
    void undo() override { apply_(before_); }
    void redo() override { apply_(after_); }

private:
    std::function<void(bool)> apply_;
    bool before_, after_;
};

}  // namespace

struct CalibrationOutcome {
    std::shared_ptr<qf::CalibrationTable> table;
    bool cancelled = false;
    QString error;
};

// The comparison session and what it was built for: a change of graph, images or
// preprocessing needs a new one (an edit of the table or the options does not).
struct QuantSession::Engine {
    std::shared_ptr<const qf::Graph> graph;
    QString folder;
    qf::Preprocessing pre;
    int maxImages = 0;
    std::unique_ptr<qf::ComparisonSession> session;
};

struct QuantSession::Equalized {
    std::shared_ptr<const qf::Graph> source;  // the document state it was made from
    std::shared_ptr<const qf::Graph> graph;
    qf::EqualizeReport report;
};

struct QuantSession::Job {
    std::unique_ptr<ComparisonResult> result;
    bool cancelled = false;
    QString error;
};

QuantSession::QuantSession(Document& document) : QObject(&document), document_(document) {
    debounce_.setSingleShot(true);
    debounce_.setInterval(150);
    connect(&debounce_, &QTimer::timeout, this, [this] {
        if (comparing_) {
            // A newer change: stop the running update; it starts again when that one returns.
            pending_ = true;
            if (comparisonCancel_) comparisonCancel_->store(true);
        } else {
            startComparison();
        }
    });
    connect(&comparisonWatcher_, &QFutureWatcher<std::shared_ptr<Job>>::finished, this,
            &QuantSession::onComparisonDone);
    connect(&calibration_, &QFutureWatcherBase::finished, this, [this] {
        calibrating_ = false;
        const auto outcome = calibration_.result();
        if (outcome && outcome->table) {
            setTable(std::move(*outcome->table));
            emit calibrationFinished(true);
            return;
        }
        if (outcome && !outcome->error.isEmpty())
            emit errorOccurred(tr("Calibration failed"), outcome->error);
        emit calibrationFinished(false);  // the previous table stays
    });
    connect(&document_, &Document::modelOpened, this, [this] {
        reset();
        if (settings_.imageFolder.isEmpty()) {
            settings_.imageFolder = document_.settings().imageFolder;
            settings_.pre = document_.settings().preprocessing;
            settings_.maxImages = document_.settings().maxImages;
        }
    });
    connect(&document_, &Document::modelChanged, this, &QuantSession::scheduleComparison);
    connect(&document_, &Document::projectSaved, this, &QuantSession::saveIntoProject);
    connect(&document_, &Document::modelOpened, this, [this] {
        // After the document has applied the project's folds (it does so right after this
        // signal), so the table is read against the graph it was made for.
        if (!document_.projectPath().isEmpty())
            QTimer::singleShot(0, this, [this, path = document_.projectPath()] {
                if (document_.projectPath() == path) loadFromProject(path);
            });
    });
}

QString QuantSession::tablePathFor(const QString& projectPath) {
    return QString::fromStdString(qf::projectTablePath(projectPath.toStdString()));
}

void QuantSession::saveIntoProject(const QString& projectPath) {
    if (!document_.hasModel()) return;
    try {
        qf::Project project = qf::readProject(projectPath.toStdString());
        // The calibration settings are kept even before a calibration (so `quantfold-cli
        // calibrate --project` can run them); the table and keeps once there is one.
        if (!table_ && settings_.imageFolder.isEmpty()) {
            project.int8.reset();
        } else {
            qf::ProjectInt8 int8;
            int8.images.folder = settings_.imageFolder.toStdString();
            int8.images.preprocessing = settings_.pre;
            int8.images.maxImages = settings_.maxImages;
            int8.method = settings_.method;
            int8.perChannelWeights = options_.perChannelWeights;
            int8.biasCorrection = options_.biasCorrection;
            // With a table, the table's: the CLI's --project must rebuild the graph it describes.
            int8.equalize = usesEqualization();
            if (table_) {
                const QString tablePath = tablePathFor(projectPath);
                qf::writeCalibrationTable(*quantizedGraph(), *table_, qf::TableFormat::Json,
                                          tablePath.toStdString(), !options_.perChannelWeights);
                int8.table = tablePath.toStdString();
                int8.keepFp32.assign(options_.keepFp32.begin(), options_.keepFp32.end());
            }
            project.int8 = std::move(int8);
        }
        qf::writeProject(projectPath.toStdString(), project);
    } catch (const std::exception& error) {
        emit errorOccurred(tr("Cannot save the int8 settings"), QString::fromUtf8(error.what()));
    }
}

void QuantSession::loadFromProject(const QString& projectPath) {
    try {
        const qf::Project project = qf::readProject(projectPath.toStdString());
        if (!project.int8) return;
        const qf::ProjectInt8& int8 = *project.int8;
        settings_.imageFolder = QString::fromStdString(int8.images.folder);
        settings_.maxImages = int8.images.maxImages;
        settings_.pre = int8.images.preprocessing;
        settings_.method = int8.method;
        settings_.perChannelWeights = int8.perChannelWeights;
        settings_.biasCorrection = int8.biasCorrection;
        settings_.equalize = int8.equalize;
        options_.perChannelWeights = settings_.perChannelWeights;
        options_.biasCorrection = settings_.biasCorrection;
        options_.keepFp32 = std::set<std::string>(int8.keepFp32.begin(), int8.keepFp32.end());
        emit optionsChanged();
        emit settingsLoaded();
        if (!int8.table.empty()) {
            qf::LoadedTable loaded = qf::readCalibrationTable(int8.table, *document_.state().graph);
            options_.keepFp32.insert(loaded.keepFp32.begin(), loaded.keepFp32.end());
            setTable(std::move(loaded.table));
        }
    } catch (const std::exception& error) {
        emit errorOccurred(tr("Cannot read the project's int8 settings"),
                           projectPath + QStringLiteral(": ") + QString::fromUtf8(error.what()));
    }
}

QuantSession::~QuantSession() {
    if (calibrationCancel_) calibrationCancel_->store(true);
    if (comparisonCancel_) comparisonCancel_->store(true);
    calibration_.waitForFinished();
    comparisonWatcher_.waitForFinished();
}

void QuantSession::reset() {
    cancelCalibration();
    if (comparisonCancel_) comparisonCancel_->store(true);
    pending_ = false;
    debounce_.stop();
    table_.reset();
    comparison_.reset();
    engine_.reset();
    options_ = qf::Int8Options{};
    options_.perChannelWeights = settings_.perChannelWeights;
    options_.biasCorrection = settings_.biasCorrection;
    if (stale_) {
        stale_ = false;
        emit staleChanged(false);
    }
    emit tableChanged();
    emit comparisonUpdated();
}

void QuantSession::setTable(qf::CalibrationTable table) {
    table_ = std::make_shared<qf::CalibrationTable>(std::move(table));
    emit tableChanged();
    scheduleComparison();
}

void QuantSession::calibrate() {
    if (calibrating_) return;
    if (!document_.hasModel()) {
        emit errorOccurred(tr("Calibration"), tr("Open a model first."));
        return;
    }
    if (settings_.imageFolder.isEmpty()) {
        emit errorOccurred(tr("Calibration"), tr("Choose a folder of calibration images first."));
        return;
    }
    const bool equalize = settings_.equalize;
    const std::shared_ptr<const qf::Graph> graph =
        equalize ? equalizedGraph() : document_.state().graph;
    const bool equalized = equalize && !equalized_->report.pairs.empty();
    qf::CalibrationOptions options;
    options.pre = withCurrentLimits(settings_.pre);
    options.maxImages = settings_.maxImages;
    options.method = settings_.method;
    options.perChannelWeights = settings_.perChannelWeights;
    const std::string folder = settings_.imageFolder.toStdString();
    auto cancel = std::make_shared<std::atomic_bool>(false);
    calibrationCancel_ = cancel;
    calibrating_ = true;
    emit calibrationStarted(tr("Calibrating"));
    calibration_.setFuture(QtConcurrent::run([this, graph, options, folder, cancel, equalized] {
        auto outcome = std::make_shared<CalibrationOutcome>();
        qf::Progress progress;
        progress.cancel = cancel.get();
        progress.report = [this](long done, long total, const std::string& what) {
            const QString text = fromStd(what);
            QMetaObject::invokeMethod(
                this, [this, done, total, text] { emit calibrationProgress(done, total, text); },
                Qt::QueuedConnection);
        };
        try {
            const qf::ImageFolder images = qf::openImageFolder(folder);
            outcome->table = std::make_shared<qf::CalibrationTable>(
                qf::calibrate(*graph, images, options, progress));
            outcome->table->equalized = equalized;
        } catch (const qf::Cancelled&) {
            outcome->cancelled = true;
        } catch (const std::exception& error) {
            outcome->error = QString::fromUtf8(error.what());
        }
        return outcome;
    }));
}

void QuantSession::cancelCalibration() {
    if (calibrationCancel_) calibrationCancel_->store(true);
}

bool QuantSession::edit(const qf::Int8Edit& edit) {
    if (!table_) {
        emit errorOccurred(tr("Int8 edit"), tr("Calibrate first."));
        return false;
    }
    try {
        qf::Int8Edit inverse = perform(edit);
        document_.undoStack()->push(new Int8EditCommand(*this, edit, std::move(inverse)));
        return true;
    } catch (const std::exception& error) {
        emit errorOccurred(tr("The edit does not apply"), QString::fromUtf8(error.what()));
        return false;
    }
}

qf::Int8Edit QuantSession::perform(const qf::Int8Edit& edit) {
    if (!table_ || !document_.hasModel()) throw qf::Error("no calibration table");
    // Copy on write: a running comparison reads its own copy, so editing in place is safe.
    qf::Int8Edit inverse = edit.apply(*document_.state().graph, *table_, options_);
    emit tableEdited(fromStd(edit.target()));
    scheduleComparison();
    return inverse;
}

void QuantSession::setPerChannelWeights(bool perChannel) {
    if (options_.perChannelWeights == perChannel) {
        settings_.perChannelWeights = perChannel;
        return;
    }
    const bool before = options_.perChannelWeights;
    document_.undoStack()->push(new OptionCommand(
        perChannel ? tr("Per-channel weight scales") : tr("Per-tensor weight scales"),
        [this](bool on) { applyPerChannelWeights(on); }, before, perChannel));
}

void QuantSession::setBiasCorrection(bool on) {
    if (options_.biasCorrection == on) {
        settings_.biasCorrection = on;
        return;
    }
    const bool before = options_.biasCorrection;
    document_.undoStack()->push(new OptionCommand(
        on ? tr("Bias correction on") : tr("Bias correction off"),
        [this](bool value) { applyBiasCorrection(value); }, before, on));
}

void QuantSession::applyPerChannelWeights(bool perChannel) {
    settings_.perChannelWeights = perChannel;
    if (options_.perChannelWeights == perChannel) return;
    options_.perChannelWeights = perChannel;
    emit optionsChanged();
    scheduleComparison();
}

void QuantSession::applyBiasCorrection(bool on) {
    settings_.biasCorrection = on;
    if (options_.biasCorrection == on) return;
    options_.biasCorrection = on;
    emit optionsChanged();
    scheduleComparison();
}

void QuantSession::scheduleComparison() {
    if (!table_ || !document_.hasModel() || settings_.imageFolder.isEmpty()) return;
    if (!stale_) {
        stale_ = true;
        emit staleChanged(true);
    }
    debounce_.start();
}

void QuantSession::startComparison() {
    if (!table_ || !document_.hasModel()) return;
    const std::shared_ptr<const qf::Graph> graph = quantizedGraph();
    if (!engine_ || engine_->graph != graph || engine_->folder != settings_.imageFolder ||
        !samePreprocessing(engine_->pre, settings_.pre) ||
        engine_->maxImages != settings_.maxImages) {
        engine_ = std::make_shared<Engine>();
        engine_->graph = graph;
        engine_->folder = settings_.imageFolder;
        engine_->pre = settings_.pre;
        engine_->maxImages = settings_.maxImages;
    }
    auto cancel = std::make_shared<std::atomic_bool>(false);
    comparisonCancel_ = cancel;
    comparing_ = true;
    const qf::CalibrationTable table = *table_;  // the update's own copy
    const qf::Int8Options options = options_;
    comparisonWatcher_.setFuture(QtConcurrent::run([engine = engine_, table, options, cancel] {
        auto job = std::make_shared<Job>();
        qf::Progress progress;
        progress.cancel = cancel.get();
        QElapsedTimer timer;
        timer.start();
        try {
            if (!engine->session) {
                const qf::ImageFolder images = qf::openImageFolder(engine->folder.toStdString());
                qf::ComparisonSessionOptions sessionOptions;
                sessionOptions.comparison.pre = withCurrentLimits(engine->pre);
                sessionOptions.comparison.maxImages = engine->maxImages;
                // The comparison images are the calibration images: bias corrections an edit
                // makes stale (a threshold, the weight granularity) are measured again on them,
                // not dropped.
                sessionOptions.calibrationImages = images;
                engine->session = std::make_unique<qf::ComparisonSession>(engine->graph, images,
                                                                          sessionOptions, progress);
            }
            job->result = std::make_unique<ComparisonResult>();
            job->result->report = engine->session->update(table, options, progress);
            job->result->plan = engine->session->plan();
            job->result->table = engine->session->table();
            job->result->stats = engine->session->lastUpdate();
            job->result->seconds = static_cast<double>(timer.nsecsElapsed()) * 1e-9;
        } catch (const qf::Cancelled&) {
            job->result.reset();
            job->cancelled = true;
        } catch (const std::exception& error) {
            job->result.reset();
            job->error = QString::fromUtf8(error.what());
        }
        return job;
    }));
}

void QuantSession::onComparisonDone() {
    comparing_ = false;
    const std::shared_ptr<Job> job = comparisonWatcher_.result();
    if (pending_) {
        pending_ = false;
        startComparison();
        return;
    }
    if (!job || job->cancelled) return;
    if (!job->error.isEmpty()) {
        emit errorOccurred(tr("The int8 comparison failed"), job->error);
        return;
    }
    comparison_ = std::move(job->result);
    if (stale_ && !debounce_.isActive()) {
        stale_ = false;
        emit staleChanged(false);
    }
    emit comparisonUpdated();
}

bool QuantSession::usesEqualization() const {
    return table_ ? table_->equalized : settings_.equalize;
}

std::shared_ptr<const qf::Graph> QuantSession::equalizedGraph() const {
    const std::shared_ptr<const qf::Graph>& source = document_.state().graph;
    if (!equalized_ || equalized_->source != source) {
        auto made = std::make_shared<Equalized>();
        auto copy = std::make_shared<qf::Graph>(*source);
        made->report = qf::equalizeConvPairs(*copy);
        made->report.undo = qf::GraphEdit();  // the document's own state is the way back
        made->source = source;
        made->graph = std::move(copy);
        equalized_ = std::move(made);
    }
    return equalized_->graph;
}

std::shared_ptr<const qf::Graph> QuantSession::quantizedGraph() const {
    if (!document_.hasModel()) return nullptr;
    return usesEqualization() ? equalizedGraph() : document_.state().graph;
}

const qf::EqualizeReport* QuantSession::equalization() const {
    if (!document_.hasModel() || !usesEqualization()) return nullptr;
    equalizedGraph();
    return &equalized_->report;
}

QString QuantSession::tensorOfNode(const QString& node) const {
    const std::string name = node.toStdString();
    if (comparison_)
        if (const qf::NodePlan* plan = comparison_->plan.find(name); plan && !plan->inputs.empty())
            return fromStd(plan->inputs.front().tensor);
    if (!table_ || !document_.hasModel()) return {};
    for (const auto& candidate : document_.state().graph->nodes)
        if (candidate.name == name)
            for (const auto& input : candidate.inputs)
                if (table_->find(input)) return fromStd(input);
    return {};
}

}  // namespace qf::ui

#include "ui/model_document.h"

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QMetaObject>
#include <QRunnable>
#include <QTimer>

#include "formats/model_io.h"
#include "images/image_folder.h"
#include "runtime/executor.h"
#include "runtime/shape_inference.h"
#include "ui/fold_edit.h"
#include "ui/graph_items.h"
#include "ui/limits_dialog.h"
#include "ui/undo_commands.h"
#include "util/error.h"

namespace qf::ui {

int ModelFacts::foldableCount() const {
    int count = 0;
    for (const auto& candidate : candidates) count += candidate.foldable() ? 1 : 0;
    return count;
}

const qf::FoldCandidate* ModelFacts::candidate(const std::string& affine) const {
    for (const auto& candidate : candidates)
        if (candidate.affine == affine) return &candidate;
    return nullptr;
}

ModelFacts factsOf(const qf::Graph& graph) {
    ModelFacts facts;
    facts.candidates = findFoldCandidates(graph);
    // Executor names unsupported nodes as "name (Op)".
    const qf::Executor executor(std::make_shared<const qf::Graph>(graph));
    for (const auto& described : executor.unsupportedNodes()) {
        const auto cut = described.rfind(" (");
        facts.unsupported.insert(cut == std::string::npos ? described : described.substr(0, cut));
    }
    return facts;
}

struct Document::Loaded {
    std::shared_ptr<const qf::Graph> graph;
    std::shared_ptr<const ModelFacts> facts;
    std::shared_ptr<const ShapeMap> shapes;
    std::vector<ErrorReport> warnings;
};

namespace {

QString fromStd(const std::string& text) { return QString::fromStdString(text); }

}  // namespace

Document::Document(QObject* parent) : QObject(parent) {
    qRegisterMetaType<qf::ui::ErrorReport>();
    qRegisterMetaType<qf::ComparisonReport>();
    auto empty = std::make_shared<ModelFacts>();
    facts_ = empty;
    shapes_ = std::make_shared<const ShapeMap>();
    pool_.setMaxThreadCount(2);
    connect(&undoStack_, &QUndoStack::cleanChanged, this,
            [this](bool clean) { emit modifiedChanged(!clean); });
}

Document::~Document() {
    for (auto& [kind, cancel] : cancels_) cancel->store(true);
    pool_.waitForDone();
    // The undo stack goes after this body and signals that it is clean again: by then the
    // listeners (the window owning this document) are half destroyed.
    disconnect(&undoStack_, nullptr, this, nullptr);
    blockSignals(true);
}

QStringList Document::openedFiles() const { return opened_; }

template <class Result>
void Document::runJob(JobKind kind, const QString& title,
                      std::function<Result(const qf::Progress&)> work,
                      std::function<void(Result&)> done) {
    if (auto previous = cancels_.find(kind); previous != cancels_.end())
        previous->second->store(true);
    const int id = ++jobIds_[kind];
    auto cancel = std::make_shared<std::atomic_bool>(false);
    cancels_[kind] = cancel;
    running_.insert(kind);
    emit jobStarted(title);

    // Progress reaches the GUI thread by queued calls, at most every 50 ms. The document
    // outlives every job (its destructor waits), and queued calls to a deleted object are dropped.
    auto lastReport = std::make_shared<QElapsedTimer>();
    lastReport->start();
    qf::Progress progress;
    progress.cancel = cancel.get();
    progress.report = [this, lastReport](long stepDone, long total, const std::string& what) {
        if (stepDone != total && lastReport->elapsed() < 50) return;
        lastReport->restart();
        QMetaObject::invokeMethod(
            this,
            [this, stepDone, total, what = fromStd(what)] {
                emit jobProgress(stepDone, total, what);
            },
            Qt::QueuedConnection);
    };
    auto task = [this, kind, id, title, cancel, progress, work = std::move(work),
                 done = std::move(done)] {
        std::shared_ptr<Result> result;
        std::shared_ptr<std::exception_ptr> failure;
        try {
            result = std::make_shared<Result>(work(progress));
        } catch (...) {
            failure = std::make_shared<std::exception_ptr>(std::current_exception());
        }
        QMetaObject::invokeMethod(
            this,
            [this, kind, id, title, cancel, result, failure, done] {
                const bool current = jobIds_[kind] == id && running_.count(kind);
                if (current) finishJob(kind, id);
                if (!current || cancel->load()) return;  // superseded or cancelled: drop it
                if (failure) {
                    try {
                        std::rethrow_exception(*failure);
                    } catch (const qf::Cancelled&) {
                    } catch (const std::exception& error) {
                        reportError(title, error, QString());
                    }
                    return;
                }
                done(*result);
            },
            Qt::QueuedConnection);
    };
    pool_.start(std::function<void()>(std::move(task)));
}

void Document::finishJob(JobKind kind, int) {
    running_.erase(kind);
    cancels_.erase(kind);
    emit jobFinished();
}

void Document::cancelJobs() {
    for (auto& [kind, cancel] : cancels_) cancel->store(true);
    // The jobs drop their results when they end; the window is idle from now on.
    const auto kinds = running_;
    for (const auto kind : kinds) {
        ++jobIds_[kind];
        finishJob(kind, jobIds_[kind]);
    }
}

ErrorReport errorReport(const qf::Diagnostic& diagnostic, const QString& message) {
    ErrorReport report;
    report.file = fromStd(diagnostic.file);
    report.line = diagnostic.line;
    report.node = fromStd(diagnostic.node);
    report.message = message.isEmpty() ? fromStd(diagnostic.text()) : message;
    return report;
}

void Document::reportError(const QString& title, const std::exception& error, const QString& file) {
    // The core's qf::Error carries its facts as a Diagnostic (file, line, node); its what()
    // already says them in words.
    ErrorReport report;
    if (const auto* coreError = dynamic_cast<const qf::Error*>(&error))
        report = errorReport(coreError->diagnostic(), fromStd(error.what()));
    else
        report.message = fromStd(error.what());
    report.title = title;
    if (report.file.isEmpty()) report.file = file;
    emit errorOccurred(report);
}

void Document::open(const QString& modelPath, const QString& weightsPath,
                    const qf::Shape& inputShape) {
    openModel(modelPath, weightsPath, nullptr, inputShape);
}

void Document::openModel(const QString& modelPath, const QString& weightsPath,
                         std::shared_ptr<const ProjectOpening> project,
                         const qf::Shape& inputShape) {
    const std::string model = modelPath.toStdString();
    const std::string weights = weightsPath.toStdString();
    runJob<Loaded>(
        JobKind::Load, tr("Loading %1").arg(QFileInfo(modelPath).fileName()),
        [model, weights, inputShape](const qf::Progress& progress) {
            // Steps out of 100: the load itself, then the facts and shapes the views need.
            Loaded loaded;
            qf::Diagnostics diagnostics;
            auto graph = std::make_shared<const qf::Graph>(qf::loadModel(
                model, weights, &diagnostics, progress.phase(0, 90, 100), inputShape));
            for (const auto& diagnostic : diagnostics)
                loaded.warnings.push_back(errorReport(diagnostic));
            progress.throwIfCancelled();
            progress.step(90, 100, "checking");
            auto facts = std::make_shared<const ModelFacts>(factsOf(*graph));
            auto shapes = std::make_shared<ShapeMap>();
            progress.throwIfCancelled();
            progress.step(95, 100, "shapes");
            if (facts->unsupported.empty()) {
                try {
                    *shapes = qf::inferShapes(*graph);
                } catch (const std::exception& error) {
                    ErrorReport warning;
                    warning.file = QString::fromStdString(model);
                    warning.message =
                        fromStd(std::string("shape inference failed: ") + error.what());
                    loaded.warnings.push_back(warning);
                }
            }
            for (const auto& input : graph->inputs)
                if (!shapes->count(input.name)) (*shapes)[input.name] = input.shape;
            loaded.graph = std::move(graph);
            loaded.facts = std::move(facts);
            loaded.shapes = std::move(shapes);
            progress.step(100, 100, "done");
            return loaded;
        },
        [this, modelPath, weightsPath, project, inputShape](Loaded& loaded) {
            adopt(loaded, modelPath, weightsPath, project.get(), inputShape);
        });
}

void Document::adopt(Loaded& loaded, const QString& modelPath, const QString& weightsPath,
                     const ProjectOpening* project, const qf::Shape& inputShape) {
    undoStack_.clear();
    state_ = ModelState{loaded.graph, {}, loaded.facts};
    original_ = loaded.graph;
    facts_ = loaded.facts;
    shapes_ = loaded.shapes;
    warnings_ = std::move(loaded.warnings);
    modelPath_ = QFileInfo(modelPath).absoluteFilePath();
    weightsPath_ = weightsPath.isEmpty() ? QString() : QFileInfo(weightsPath).absoluteFilePath();
    opened_ = QStringList{modelPath_};
    if (!weightsPath_.isEmpty()) opened_ << weightsPath_;
    projectPath_ = project ? project->path : QString();
    inputShape_ = inputShape;
    if (project) settings_ = project->settings;
    picture_.reset();
    emit pathsChanged();
    emit modelOpened();
    // A project's fold choices come back as the state it was saved in (the clean state).
    if (project && !project->folds.isEmpty()) {
        ModelState folded = state_;
        for (const auto& name : project->folds) {
            try {
                folded = foldedState(folded, name.toStdString()).state;
            } catch (const std::exception& error) {
                reportError(tr("A fold of the project does not apply"), error, project->path);
            }
        }
        setState(std::move(folded));
    }
    scheduleLayout();
}

void Document::openProject(const QString& projectPath) {
    ProjectFile project;
    try {
        project = readProject(projectPath);
    } catch (const std::exception& error) {
        reportError(tr("Cannot open the project"), error, projectPath);
        return;
    }
    // A model that moved: ask where it is now instead of failing.
    const auto locate = [this](QString& path) {
        if (path.isEmpty() || QFileInfo::exists(path)) return true;
        const QString found =
            prompts_.locateMissingFile ? prompts_.locateMissingFile(path) : QString();
        if (found.isEmpty()) return false;
        path = found;
        return true;
    };
    if (!locate(project.model)) {
        ErrorReport report;
        report.title = tr("Cannot open the project");
        report.file = projectPath;
        report.message = tr("%1: the model %2 does not exist").arg(projectPath, project.model);
        emit errorOccurred(report);
        return;
    }
    if (!project.weights.isEmpty() && !QFileInfo::exists(project.weights)) {
        // Weights usually moved with the model: look beside it first.
        const QString beside =
            QFileInfo(project.model).absoluteDir().filePath(QFileInfo(project.weights).fileName());
        if (QFileInfo::exists(beside)) project.weights = beside;
    }
    if (!locate(project.weights)) {
        ErrorReport report;
        report.title = tr("Cannot open the project");
        report.file = projectPath;
        report.message = tr("%1: the weights %2 do not exist").arg(projectPath, project.weights);
        emit errorOccurred(report);
        return;
    }
    auto opening = std::make_shared<ProjectOpening>();
    opening->path = QFileInfo(projectPath).absoluteFilePath();
    opening->settings = project.settings;
    opening->folds = project.folds;
    openModel(project.model, project.weights, std::move(opening), project.inputShape);
}

void Document::saveProject(const QString& projectPath) {
    ProjectFile project;
    project.model = modelPath_;
    project.weights = weightsPath_;
    project.settings = settings_;
    project.inputShape = inputShape_;
    for (const auto& record : state_.folded) project.folds << fromStd(record.affine);
    try {
        writeProject(projectPath, project);
    } catch (const std::exception& error) {
        reportError(tr("Cannot save the project"), error, projectPath);
        return;
    }
    projectPath_ = QFileInfo(projectPath).absoluteFilePath();
    emit pathsChanged();
    emit projectSaved(projectPath_);
}

void Document::saveAs(const QString& modelPath, const QString& weightsPath,
                      bool allowOverwriteInputs) {
    if (!hasModel()) return;
    const auto graph = state_.graph;
    const std::string model = modelPath.toStdString();
    const std::string weights = weightsPath.toStdString();
    std::vector<std::string> protectedPaths;
    if (!allowOverwriteInputs)
        for (const auto& path : opened_) protectedPaths.push_back(path.toStdString());
    runJob<bool>(
        JobKind::Save, tr("Saving %1").arg(QFileInfo(modelPath).fileName()),
        [graph, model, weights, protectedPaths](const qf::Progress& progress) {
            qf::saveModel(*graph, model, weights, protectedPaths, progress);
            return true;
        },
        [this, modelPath, weightsPath](bool&) {
            modelPath_ = QFileInfo(modelPath).absoluteFilePath();
            weightsPath_ =
                weightsPath.isEmpty() ? QString() : QFileInfo(weightsPath).absoluteFilePath();
            undoStack_.setClean();
            emit pathsChanged();
            emit saved(modelPath_);
        });
}

void Document::verifyFolds() {
    if (!hasModel()) return;
    const auto original = original_;
    const auto current = state_.graph;
    const ProjectSettings settings = settings_;
    runJob<qf::ComparisonReport>(
        JobKind::Verify, tr("Verifying the folds"),
        [original, current, settings](const qf::Progress& progress) {
            const qf::ImageFolder folder = qf::openImageFolder(settings.imageFolder.toStdString());
            qf::RunOptions options;
            options.pre = withCurrentLimits(settings.preprocessing);
            options.maxImages = settings.maxImages;
            return qf::compareModelOutputs(*original, *current, folder, options, progress);
        },
        [this](qf::ComparisonReport& report) { emit verificationFinished(report); });
}

namespace {

// Facts after a fold or unfold: folding changes which affine nodes can fold, never which
// nodes can execute.
std::shared_ptr<const ModelFacts> factsAfterEdit(const qf::Graph& graph, const ModelFacts& before) {
    auto facts = std::make_shared<ModelFacts>();
    facts->candidates = findFoldCandidates(graph);
    facts->unsupported = before.unsupported;
    return facts;
}

}  // namespace

Document::Folded Document::foldedState(const ModelState& from, const std::string& affine) {
    auto graph = std::make_shared<qf::Graph>(*from.graph);  // weights shared, not copied
    Folded next;
    FoldStep step = foldOneNode(*graph, affine, from.facts->candidates);
    next.state.folded = from.folded;
    next.state.folded.push_back(std::move(step.record));
    next.state.facts = factsAfterEdit(*graph, *from.facts);
    next.state.graph = std::move(graph);
    next.undo = std::move(step.undo);
    return next;
}

ModelState Document::unfoldedState(const ModelState& from, const std::string& target) const {
    // Replays the remaining folds on the graph as loaded: folds into other targets do not
    // depend on this one, and a chain into `target` (BatchNorm then Scale) goes as a whole.
    auto graph = std::make_shared<qf::Graph>(*original_);
    ModelState next;
    for (const auto& record : from.folded)
        if (record.target != target) {
            qf::foldOne(*graph, record.affine);
            next.folded.push_back(record);
        }
    if (next.folded.size() == from.folded.size())
        throw Error("nothing is folded into '" + target + "'");
    next.facts = factsAfterEdit(*graph, *from.facts);
    next.graph = std::move(graph);
    return next;
}

qf::GraphEdit Document::applyEdit(const qf::GraphEdit& edit, std::vector<qf::FoldRecord> folded) {
    try {
        auto graph = std::make_shared<qf::Graph>(*state_.graph);
        qf::GraphEdit inverse = edit.apply(*graph);
        ModelState next;
        next.facts = factsAfterEdit(*graph, *facts_);
        next.graph = std::move(graph);
        next.folded = std::move(folded);
        setState(std::move(next));
        return inverse;
    } catch (const std::exception& error) {
        reportError(tr("Cannot apply the edit"), error, QString());
        return edit;
    }
}

QString Document::foldText(const qf::FoldRecord& record) {
    return tr("Fold %1 '%2' into %3 '%4'")
        .arg(fromStd(record.affineOp), fromStd(record.affine), fromStd(record.targetOp),
             fromStd(record.target));
}

bool Document::fold(const QString& affine) {
    if (!hasModel()) return false;
    try {
        Folded after = foldedState(state_, affine.toStdString());
        const QString text = foldText(after.state.folded.back());
        undoStack_.push(std::make_unique<FoldCommand>(*this, text, std::move(after.state),
                                                      std::move(after.undo))
                            .release());  // the stack owns its commands
        return true;
    } catch (const std::exception& error) {
        reportError(tr("Cannot fold"), error, QString());
        return false;
    }
}

int Document::foldAll() {
    if (!hasModel()) return 0;
    const int foldable = facts_->foldableCount();
    if (foldable == 0) return 0;
    struct Folds {
        std::vector<ModelState> states;
        std::vector<qf::GraphEdit> undos;
    };
    const ModelState start = state_;
    runJob<Folds>(
        JobKind::Fold, tr("Folding"),
        [start](const qf::Progress& progress) {
            // One fold can make the next of a chain foldable (BatchNorm, then its Scale):
            // repeat until nothing more folds. Every state is computed here, off the GUI thread.
            Folds folds;
            folds.states.push_back(start);
            const long total = start.facts->foldableCount();
            for (bool progressed = true; progressed;) {
                progressed = false;
                for (const auto& candidate : folds.states.back().facts->candidates) {
                    if (!candidate.foldable()) continue;
                    progress.throwIfCancelled();
                    Folded next = foldedState(folds.states.back(), candidate.affine);
                    folds.states.push_back(std::move(next.state));
                    folds.undos.push_back(std::move(next.undo));
                    const long done = static_cast<long>(folds.undos.size());
                    progress.step(done, std::max(total, done), candidate.affine);
                    progressed = true;
                    break;  // candidates of the new state next
                }
            }
            return folds;
        },
        [this](Folds& folds) {
            if (folds.states.front().graph != state_.graph) return;  // edited meanwhile
            const int count = static_cast<int>(folds.undos.size());
            if (count == 0) return;
            auto macro =
                std::make_unique<QUndoCommand>(tr("Fold all (%n layer(s))", nullptr, count));
            for (int k = 0; k < count; ++k) {
                const QString text = foldText(folds.states[k + 1].folded.back());
                new FoldCommand(*this, text, std::move(folds.states[k + 1]),
                                std::move(folds.undos[k]),
                                macro.get());  // owned by the macro
            }
            undoStack_.push(macro.release());  // the stack owns its commands
        });
    return foldable;
}

bool Document::unfoldTarget(const QString& target) {
    if (!hasModel()) return false;
    try {
        ModelState after = unfoldedState(state_, target.toStdString());
        undoStack_.push(std::make_unique<StateCommand>(*this, tr("Unfold into '%1'").arg(target),
                                                       state_, std::move(after))
                            .release());  // the stack owns its commands
        return true;
    } catch (const std::exception& error) {
        reportError(tr("Cannot unfold"), error, QString());
        return false;
    }
}

void Document::setState(ModelState state) {
    state_ = std::move(state);
    if (!state_.facts) state_.facts = std::make_shared<const ModelFacts>(factsOf(*state_.graph));
    facts_ = state_.facts;
    emit modelChanged();
    scheduleLayout();
}

void Document::scheduleLayout() {
    // Several edits in one go (a macro, a project's folds) lay out once.
    if (layoutScheduled_) return;
    layoutScheduled_ = true;
    QTimer::singleShot(0, this, [this] {
        layoutScheduled_ = false;
        startLayout();
    });
}

void Document::startLayout() {
    if (!hasModel()) return;
    auto picture = std::make_shared<GraphPicture>();
    picture->state = state_;
    picture->facts = facts_;
    picture->shapes = shapes_;
    picture->topology = topologyOf(*state_.graph);
    LayoutRequest request = layoutRequestFor(*picture);
    runJob<std::shared_ptr<GraphPicture>>(
        JobKind::Layout, tr("Laying out the graph"),
        [picture, request = std::move(request)](const qf::Progress& progress) {
            picture->layout = layoutGraph(request, progress);
            return picture;
        },
        [this](std::shared_ptr<GraphPicture>& laidOut) {
            if (laidOut->state.graph != state_.graph) return;  // an edit came in meanwhile
            picture_ = laidOut;
            emit pictureReady();
        });
}

}  // namespace qf::ui

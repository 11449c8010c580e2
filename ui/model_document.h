#pragma once
#include <QObject>
#include <QPointer>
#include <QString>
#include <QStringList>
#include <QThreadPool>
#include <QUndoStack>
#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "evaluate/inference_run.h"
#include "graph/graph.h"
#include "images/preprocessing.h"
#include "passes/fold_batchnorm.h"
#include "passes/graph_edit.h"
#include "ui/graph_layout.h"
#include "ui/graph_topology.h"
#include "ui/project_file.h"
#include "util/diagnostic.h"
#include "util/progress.h"

namespace qf::ui {

using ShapeMap = std::map<std::string, qf::Shape>;

// What the views show about a state, derived once per state.
struct ModelFacts {
    std::vector<qf::FoldCandidate> candidates;  // every affine node, foldable or not
    std::set<std::string> unsupported;          // nodes this runtime cannot execute
    int foldableCount() const;
    const qf::FoldCandidate* candidate(const std::string& affine) const;
};
ModelFacts factsOf(const qf::Graph& graph);

// The model being edited, as one immutable snapshot: views and background jobs share it
// without locks, an edit produces a new one (and undo/redo only switch snapshots).
struct ModelState {
    std::shared_ptr<const qf::Graph> graph;
    std::vector<qf::FoldRecord> folded;  // folds applied since loading, in order
    std::shared_ptr<const ModelFacts> facts;
};

// A problem to show the user: where (file, line, node) and what.
struct ErrorReport {
    QString title;
    QString file;
    int line = 0;
    QString node;
    QString message;  // the core's message as is (it names file, layer and problem)
};

// A diagnostic of the core as a report; `message` replaces its text when given.
ErrorReport errorReport(const qf::Diagnostic& diagnostic, const QString& message = QString());

// A laid-out picture of one state: the view builds its scene from this.
struct GraphPicture {
    ModelState state;
    std::shared_ptr<const ModelFacts> facts;
    std::shared_ptr<const ShapeMap> shapes;
    GraphTopology topology;
    LayoutResult layout;
};

// Decisions a dialog would ask for; injectable so tests never enter a modal loop.
struct DocumentPrompts {
    // The new location of a file a project names but that is missing; "" gives up.
    std::function<QString(const QString& missingPath)> locateMissingFile;
};

// Owns the model being edited (Tiled's Document): the current state, the file paths, the undo
// stack, the project settings and the background jobs (load, layout, save, fold verification).
// Views listen to its signals and never edit the graph themselves.
class Document : public QObject {
    Q_OBJECT
public:
    enum class JobKind { Load, Layout, Save, Verify, Fold };

    explicit Document(QObject* parent = nullptr);
    ~Document() override;

    bool hasModel() const { return static_cast<bool>(state_.graph); }
    const ModelState& state() const { return state_; }
    const ModelFacts& facts() const { return *facts_; }
    std::shared_ptr<const ModelFacts> factsSnapshot() const { return facts_; }
    const ShapeMap& shapes() const { return *shapes_; }
    // The graph as it was loaded (the reference of the fold verification).
    std::shared_ptr<const qf::Graph> original() const { return original_; }
    const QString& modelPath() const { return modelPath_; }
    const QString& weightsPath() const { return weightsPath_; }
    QStringList openedFiles() const;
    const QString& projectPath() const { return projectPath_; }
    // The input shape the model was opened with (a TensorFlow graph's unknown dimensions, in
    // TensorFlow's order); empty when none was given.
    const qf::Shape& inputShape() const { return inputShape_; }
    // Warnings of the last load (unsupported layers, shape inference failures, ...).
    const std::vector<ErrorReport>& warnings() const { return warnings_; }
    QUndoStack* undoStack() { return &undoStack_; }
    bool isModified() const { return !undoStack_.isClean(); }
    const std::shared_ptr<const GraphPicture>& picture() const { return picture_; }

    ProjectSettings& settings() { return settings_; }
    void setPrompts(DocumentPrompts prompts) { prompts_ = std::move(prompts); }

    // Background jobs. Each reports through the signals below; a newer job of a kind cancels
    // the older one.
    void open(const QString& modelPath, const QString& weightsPath = QString(),
              const qf::Shape& inputShape = {});
    void openProject(const QString& projectPath);
    void saveAs(const QString& modelPath, const QString& weightsPath, bool allowOverwriteInputs);
    void saveProject(const QString& projectPath);  // synchronous (small JSON, atomic)
    void verifyFolds();  // with settings().imageFolder and settings().preprocessing
    void cancelJobs();
    bool isBusy() const { return !running_.empty(); }

    // Edits: each fold is one undo command; foldAll is one macro of them, computed in the
    // background (it returns how many layers it is folding; the macro lands when done).
    bool fold(const QString& affine);
    int foldAll();
    bool unfoldTarget(const QString& target);  // unfolds every fold into `target`

    // For the undo commands: replaces the current state (and re-lays the view out).
    void setState(ModelState state);
    // Applies a core edit to a copy of the current graph (weights stay shared) and makes that
    // current with `folded` as its fold list; returns the inverse edit. When the edit does not
    // apply (it should not, in a linear history) it reports the error, changes nothing and
    // returns `edit` itself.
    qf::GraphEdit applyEdit(const qf::GraphEdit& edit, std::vector<qf::FoldRecord> folded);
    // The state after folding `affine` into its target with the edit that undoes it, or after
    // unfolding `target`; both throw qf::Error (the core's FoldError) when they cannot.
    struct Folded {
        ModelState state;
        qf::GraphEdit undo;
    };
    static Folded foldedState(const ModelState& from, const std::string& affine);
    ModelState unfoldedState(const ModelState& from, const std::string& target) const;

signals:
    void modelOpened();   // a newly loaded model replaced the previous one
    void modelChanged();  // an edit or undo replaced the state
    void pictureReady();  // picture() is laid out for the current state
    void errorOccurred(const qf::ui::ErrorReport& error);
    void saved(const QString& modelPath);
    void projectSaved(const QString& projectPath);
    void verificationFinished(const qf::ComparisonReport& report);
    void jobStarted(const QString& title);
    void jobProgress(long done, long total, const QString& what);
    void jobFinished();
    void modifiedChanged(bool modified);
    void pathsChanged();

private:
    struct Loaded;
    struct ProjectOpening {
        QString path;
        ProjectSettings settings;
        QStringList folds;
    };
    void openModel(const QString& modelPath, const QString& weightsPath,
                   std::shared_ptr<const ProjectOpening> project, const qf::Shape& inputShape);
    template <class Result>
    void runJob(JobKind kind, const QString& title, std::function<Result(const qf::Progress&)> work,
                std::function<void(Result&)> done);
    void finishJob(JobKind kind, int id);
    void reportError(const QString& title, const std::exception& error, const QString& file);
    void adopt(Loaded& loaded, const QString& modelPath, const QString& weightsPath,
               const ProjectOpening* project, const qf::Shape& inputShape);
    void scheduleLayout();
    static QString foldText(const qf::FoldRecord& record);
    void startLayout();

    QThreadPool pool_;
    QUndoStack undoStack_;
    ModelState state_;
    std::shared_ptr<const ModelFacts> facts_;
    std::shared_ptr<const ShapeMap> shapes_;
    std::shared_ptr<const qf::Graph> original_;
    std::shared_ptr<const GraphPicture> picture_;
    std::vector<ErrorReport> warnings_;
    QString modelPath_, weightsPath_, projectPath_;
    qf::Shape inputShape_;
    QStringList opened_;
    ProjectSettings settings_;
    DocumentPrompts prompts_;
    std::map<JobKind, int> jobIds_;
    std::map<JobKind, std::shared_ptr<std::atomic_bool>> cancels_;
    std::set<JobKind> running_;
    bool layoutScheduled_ = false;
};

}  // namespace qf::ui

Q_DECLARE_METATYPE(qf::ui::ErrorReport)
Q_DECLARE_METATYPE(qf::ComparisonReport)

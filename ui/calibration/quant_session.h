#pragma once
// The int8 side of the document: the calibration settings, the calibration table, the int8
// options (FP32 keeps, weight granularity, bias correction) and the live int8-vs-FP32
// comparison that follows every edit of them through the core's ComparisonSession.
#include <QFutureWatcher>
#include <QObject>
#include <QString>
#include <QTimer>
#include <atomic>
#include <memory>
#include <optional>

#include "calibration/calibrator.h"
#include "evaluate/comparison_session.h"
#include "passes/equalize.h"
#include "quantize/int8_edit.h"
#include "quantize/int8_plan.h"
#include "thresholds/calibration_table.h"

namespace qf::ui {

class Document;
struct CalibrationOutcome;

struct CalibrationSettings {
    QString imageFolder;  // absolute; also the comparison's images
    qf::Preprocessing pre;
    qf::ThresholdMethod method = qf::ThresholdMethod::Auto;
    int maxImages = 0;  // 0: all
    bool perChannelWeights = true;
    bool biasCorrection = true;
    // Cross-layer equalization of the (folded) model before calibrating (passes/equalize.h).
    // Takes effect at the next calibration: a table describes the graph it was calibrated on.
    bool equalize = false;
};

// What the comparison views show: one update's report with the plan and table it measured.
struct ComparisonResult {
    qf::Int8ComparisonReport report;
    qf::Int8Plan plan;
    qf::CalibrationTable table;    // with the bias corrections the session measured again
    double seconds = 0.0;          // how long the update took
    qf::SessionUpdateStats stats;  // what the update re-ran
};

class QuantSession : public QObject {
    Q_OBJECT
public:
    explicit QuantSession(Document& document);
    ~QuantSession() override;

    Document& document() { return document_; }
    CalibrationSettings& settings() { return settings_; }
    const CalibrationSettings& settings() const { return settings_; }

    bool hasTable() const { return static_cast<bool>(table_); }
    const qf::CalibrationTable& table() const { return *table_; }
    const qf::Int8Options& options() const { return options_; }
    // Replaces the table (a calibration or a loaded file) and compares again.
    void setTable(qf::CalibrationTable table);

    // Calibrates with settings() in the background. A cancelled or failed run keeps the table.
    void calibrate();
    void cancelCalibration();
    bool isCalibrating() const { return calibrating_; }

    // An edit of the table or the keep set, pushed on the document's undo stack. Returns false
    // (after errorOccurred) when it does not apply.
    bool edit(const qf::Int8Edit& edit);
    // For the undo command: performs the edit and returns its inverse (throws qf::Error).
    qf::Int8Edit perform(const qf::Int8Edit& edit);
    // Weight granularity and bias correction: each change is a step on the document's undo
    // stack (setting the value in use does nothing).
    void setPerChannelWeights(bool perChannel);
    void setBiasCorrection(bool on);

    // The live comparison: the last result (nullptr before the first) and whether an edit made
    // after it is still being measured.
    const ComparisonResult* comparison() const { return comparison_.get(); }
    bool isStale() const { return stale_; }
    bool isComparing() const { return comparing_; }
    void setDebounceMs(int ms) { debounce_.setInterval(ms); }

    // The graph the int8 side calibrates, compares and exports: the document's, equalized when
    // the table was calibrated equalized (before any table: when the settings ask for it).
    // Equalized copies are made once per document state (weights shared, the rescaled copied).
    std::shared_ptr<const qf::Graph> quantizedGraph() const;
    // What equalizing the current document graph did; nullptr when it was not equalized.
    const qf::EqualizeReport* equalization() const;

    // The tensor a node's int8 input reads (the first quantized input), or the node's first
    // input when the table calibrates it; "" otherwise.
    QString tensorOfNode(const QString& node) const;

    // The project file's optional "int8" object (format_version stays 1, written and read by
    // the core's workflows/project_file.h, which the CLI's --project reads too): the
    // calibration settings (saved even before a calibration), the weight granularity and bias
    // correction, the table (a JSON table beside the project, with its manual thresholds and
    // per-tensor methods) and the FP32 keeps. Written after the document saves the project,
    // read after it opens one; reopening compares again in the background, without calibrating.
    static QString tablePathFor(const QString& projectPath);

signals:
    void calibrationStarted(const QString& title);
    void calibrationProgress(long done, long total, const QString& what);
    void calibrationFinished(bool succeeded);
    void tableChanged();                      // a new table
    void tableEdited(const QString& target);  // a threshold, method or keep changed
    void optionsChanged();
    void settingsLoaded();  // settings() replaced (from a project)
    void staleChanged(bool stale);
    void comparisonUpdated();
    void errorOccurred(const QString& title, const QString& message);

private:
    struct Engine;  // the ComparisonSession and what it was built for
    struct Equalized;
    bool usesEqualization() const;
    std::shared_ptr<const qf::Graph> equalizedGraph() const;
    struct Job;
    void applyPerChannelWeights(bool perChannel);
    void applyBiasCorrection(bool on);
    void scheduleComparison();
    void startComparison();
    void onComparisonDone();
    void reset();
    void saveIntoProject(const QString& projectPath);
    void loadFromProject(const QString& projectPath);

    Document& document_;
    CalibrationSettings settings_;
    std::shared_ptr<qf::CalibrationTable> table_;
    qf::Int8Options options_;

    QFutureWatcher<std::shared_ptr<CalibrationOutcome>> calibration_;
    std::shared_ptr<std::atomic_bool> calibrationCancel_;
    bool calibrating_ = false;
    QString calibrationError_;

    QTimer debounce_;
    std::shared_ptr<Engine> engine_;
    QFutureWatcher<std::shared_ptr<Job>> comparisonWatcher_;
    std::shared_ptr<std::atomic_bool> comparisonCancel_;
    bool comparing_ = false, pending_ = false, stale_ = false;
    std::unique_ptr<ComparisonResult> comparison_;
    mutable std::shared_ptr<const Equalized> equalized_;  // cache of equalizedGraph()
};

}  // namespace qf::ui

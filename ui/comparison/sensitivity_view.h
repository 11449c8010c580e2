#pragma once
#include <QFutureWatcher>
#include <QThreadPool>
#include <QWidget>
#include <atomic>
#include <memory>
#include <vector>

#include "evaluate/int8_comparison.h"

class QLabel;
class QProgressBar;
class QPushButton;
class QSpinBox;
class QTableWidget;

namespace qf::ui {

class QuantSession;

// The layer-sensitivity ranking on demand: quantizes one layer at a time (the rest FP32) and
// sorts the layers by the output error each causes alone, worst first, with the core's
// rankLayerSensitivity in the background (progress, Cancel; a cancelled run keeps the previous
// ranking). An edit of the model, the table or the int8 options made after a run marks it stale.
class SensitivityView : public QWidget {
    Q_OBJECT
public:
    enum Column { Rank, Layer, OutputSqnr, OutputCosine, ColumnCount };
    explicit SensitivityView(QuantSession& session, QWidget* parent = nullptr);
    ~SensitivityView() override;

    // Runs on the session's current table and options, over the first imagesBox() images of its
    // folder (preprocessed as the comparison's).
    void run();
    void cancel();
    void showLayer(const QString& layer);  // selects its row (the graph's selection)
    bool isRunning() const { return running_; }
    bool isStale() const { return stale_; }
    const std::vector<qf::LayerSensitivity>& ranking() const { return ranking_; }

    QPushButton* runButton() const { return run_; }
    QPushButton* cancelButton() const { return cancel_; }
    QSpinBox* imagesBox() const { return images_; }
    QProgressBar* progressBar() const { return progress_; }
    QTableWidget* table() const { return table_; }
    QLabel* statusLabel() const { return status_; }
    // The ranking's own thread: a long ranking leaves the shared pool to the live comparison.
    QThreadPool* threadPool() { return &pool_; }

signals:
    void nodeActivated(const QString& name);
    void finished(bool succeeded);  // false: cancelled or failed (the previous ranking stays)

private:
    struct Outcome;
    void onFinished();
    void markChanged();
    void clear();
    void fill();
    void showStatus();

    QuantSession& session_;
    QPushButton* run_;
    QPushButton* cancel_;
    QSpinBox* images_;
    QProgressBar* progress_;
    QLabel* status_;
    QTableWidget* table_;
    QThreadPool pool_;
    QFutureWatcher<std::shared_ptr<Outcome>> watcher_;
    std::shared_ptr<std::atomic_bool> cancelFlag_;
    std::vector<qf::LayerSensitivity> ranking_;
    int rankedImages_ = 0;
    bool running_ = false, stale_ = false, hasRanking_ = false;
    // Bumped by every change of what a ranking measures; a run remembers the one it started on.
    int generation_ = 0, runGeneration_ = 0;
    QString message_;
};

}  // namespace qf::ui

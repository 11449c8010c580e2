#pragma once
#include <QFutureWatcher>
#include <QThreadPool>
#include <QWidget>
#include <atomic>
#include <memory>
#include <optional>
#include <set>
#include <string>

#include "evaluate/precision_budget.h"

class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QProgressBar;
class QPushButton;
class QSpinBox;
class QTableWidget;

namespace qf::ui {

class QuantSession;

// Automatic mixed precision in the app: the user sets a bar (worst output cosine on the worst
// image, or a classifier's top-1 agreement with FP32) and the core's searchPrecisionBudget finds,
// in the background (progress, Cancel), the few layers to keep in FP32 that meet it, guided by a
// sensitivity ranking it computes first. The steps are listed; Apply replaces the keep set with
// the one found in a single undo step. An edit made after a search marks it stale (Apply is
// then refused until it runs again).
class BudgetView : public QWidget {
    Q_OBJECT
public:
    enum Column { Step, Layer, Action, Value, ColumnCount };
    explicit BudgetView(QuantSession& session, QWidget* parent = nullptr);
    ~BudgetView() override;

    void search();
    void cancel();
    // Makes the keep set found the session's, as one undo step; false when there is nothing
    // (fresh) to apply.
    bool apply();
    bool isRunning() const { return running_; }
    bool isStale() const { return stale_; }
    const std::optional<qf::BudgetSearchResult>& result() const { return result_; }

    QComboBox* metricBox() const { return metric_; }
    QDoubleSpinBox* targetBox() const { return target_; }
    QSpinBox* imagesBox() const { return images_; }
    QSpinBox* maxKeepBox() const { return maxKeep_; }
    QPushButton* searchButton() const { return search_; }
    QPushButton* cancelButton() const { return cancel_; }
    QPushButton* applyButton() const { return apply_; }
    QProgressBar* progressBar() const { return progress_; }
    QLabel* statusLabel() const { return status_; }
    QTableWidget* table() const { return table_; }
    QThreadPool* threadPool() { return &pool_; }

signals:
    void nodeActivated(const QString& name);
    void finished(bool succeeded);  // false: cancelled or failed (the previous result stays)

private:
    struct Outcome;
    void onFinished();
    void markChanged();
    void clear();
    void fill();
    void showStatus();

    QuantSession& session_;
    QComboBox* metric_;
    QDoubleSpinBox* target_;
    QSpinBox* images_;
    QSpinBox* maxKeep_;
    QPushButton* search_;
    QPushButton* cancel_;
    QPushButton* apply_;
    QProgressBar* progress_;
    QLabel* status_;
    QTableWidget* table_;
    QThreadPool pool_;
    QFutureWatcher<std::shared_ptr<Outcome>> watcher_;
    std::shared_ptr<std::atomic_bool> cancelFlag_;
    std::optional<qf::BudgetSearchResult> result_;
    std::set<std::string> baseKeeps_;  // the keeps the search started from
    int searchedImages_ = 0;
    bool running_ = false, stale_ = false;
    bool applying_ = false;  // inside apply(): the edit it makes does not make the result stale
    bool applied_ = false;   // the result is the session's keep set now
    int generation_ = 0, runGeneration_ = 0;
    QString message_;
};

}  // namespace qf::ui

#include "ui/comparison/budget_view.h"

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QSpinBox>
#include <QTableWidget>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

#include "images/image_folder.h"
#include "ui/calibration/quant_session.h"
#include "ui/comparison/background_run.h"
#include "util/error.h"

namespace qf::ui {
namespace {

QTableWidgetItem* cell(const QString& text) {
    auto* item = new QTableWidgetItem(text);
    item->setFlags(Qt::ItemIsEnabled | Qt::ItemIsSelectable);
    return item;
}

}  // namespace

struct BudgetView::Outcome {
    std::optional<qf::BudgetSearchResult> result;
    int images = 0;
    bool cancelled = false;
    QString error;
};

BudgetView::BudgetView(QuantSession& session, QWidget* parent)
    : QWidget(parent), session_(session) {
    setObjectName(QStringLiteral("BudgetView"));
    pool_.setMaxThreadCount(1);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);

    auto* bar = new QHBoxLayout;
    metric_ = new QComboBox(this);
    metric_->addItem(tr("Worst output cosine (worst image)"),
                     static_cast<int>(qf::BudgetMetric::WorstCosine));
    metric_->addItem(tr("Top-1 agreement with FP32"),
                     static_cast<int>(qf::BudgetMetric::Top1Agreement));
    metric_->setToolTip(
        tr("What int8 must reach: the lowest cosine over every output on its worst image, or "
           "(classifiers) the share of images whose top class is FP32's"));
    target_ = new QDoubleSpinBox(this);
    target_->setRange(0.5, 1.0);
    target_->setDecimals(4);
    target_->setSingleStep(0.001);
    target_->setValue(0.995);
    images_ = new QSpinBox(this);
    images_->setRange(1, 100000);
    images_->setValue(100);
    images_->setToolTip(tr("Images to measure on (the first of the calibration folder)"));
    maxKeep_ = new QSpinBox(this);
    maxKeep_->setRange(0, 10000);
    // Prefix and suffix read as one phrase; the special text replaces both at 0.
    maxKeep_->setPrefix(tr("at most "));
    maxKeep_->setSuffix(tr(" layer(s) in FP32"));
    maxKeep_->setSpecialValueText(tr("any number of layers"));
    maxKeep_->setToolTip(tr("The most layers the search may keep in FP32"));
    bar->addWidget(new QLabel(tr("Keep layers in FP32 until"), this));
    bar->addWidget(metric_);
    bar->addWidget(new QLabel(QStringLiteral("≥"), this));
    bar->addWidget(target_);
    bar->addWidget(new QLabel(tr("on"), this));
    bar->addWidget(images_);
    bar->addWidget(new QLabel(tr("image(s),"), this));
    bar->addWidget(maxKeep_);
    bar->addStretch(1);
    layout->addLayout(bar);

    auto* actions = new QHBoxLayout;
    search_ = new QPushButton(tr("Find FP32 Layers"), this);
    search_->setToolTip(
        tr("Ranks the layers by sensitivity, then keeps the most sensitive ones in FP32 one at a "
           "time until the bar is met, and gives back to int8 those it does not need"));
    cancel_ = new QPushButton(tr("Cancel"), this);
    cancel_->setEnabled(false);
    apply_ = new QPushButton(tr("Apply"), this);
    apply_->setObjectName(QStringLiteral("ApplyBudget"));
    apply_->setEnabled(false);
    apply_->setToolTip(tr("Keep exactly the layers found in FP32 (one undo step)"));
    progress_ = makeRunProgressBar(this);
    actions->addWidget(search_);
    actions->addWidget(progress_, 1);
    actions->addWidget(cancel_);
    actions->addWidget(apply_);
    actions->addStretch(0);
    layout->addLayout(actions);

    status_ = new QLabel(this);
    status_->setObjectName(QStringLiteral("BudgetStatus"));
    status_->setWordWrap(true);
    layout->addWidget(status_);

    table_ = makeResultTable(this, QStringLiteral("BudgetSteps"),
                             {tr("Step"), tr("Layer"), tr("Action"), tr("Value after the step")});
    layout->addWidget(table_, 1);

    connect(search_, &QPushButton::clicked, this, &BudgetView::search);
    connect(cancel_, &QPushButton::clicked, this, &BudgetView::cancel);
    connect(apply_, &QPushButton::clicked, this, &BudgetView::apply);
    connect(table_, &QTableWidget::cellClicked, this, [this](int row, int) {
        if (QTableWidgetItem* layer = table_->item(row, Layer)) emit nodeActivated(layer->text());
    });
    connect(&watcher_, &QFutureWatcher<std::shared_ptr<Outcome>>::finished, this,
            &BudgetView::onFinished);
    connectStaleness(
        session_, this, [this] { markChanged(); }, [this] { clear(); });
    showStatus();
}

BudgetView::~BudgetView() {
    if (cancelFlag_) cancelFlag_->store(true);
    watcher_.waitForFinished();
}

void BudgetView::search() {
    if (running_) return;
    if (!readyToRun(session_)) {
        message_ = tr("Calibrate first: the search uses the calibration table and its images.");
        showStatus();
        return;
    }
    const std::shared_ptr<const qf::Graph> graph = session_.quantizedGraph();
    const qf::CalibrationTable table = session_.table();
    const qf::Int8Options options = session_.options();
    qf::PrecisionBudget budget;
    budget.metric = static_cast<qf::BudgetMetric>(metric_->currentData().toInt());
    budget.target = target_->value();
    budget.maxKeep = maxKeep_->value();
    const qf::ComparisonOptions comparison = outputComparison(session_, images_->value());
    const std::string folder = session_.settings().imageFolder.toStdString();
    auto cancel = std::make_shared<std::atomic_bool>(false);
    cancelFlag_ = cancel;
    running_ = true;
    runGeneration_ = generation_;
    baseKeeps_ = options.keepFp32;
    message_.clear();
    search_->setEnabled(false);
    apply_->setEnabled(false);
    cancel_->setEnabled(true);
    progress_->setValue(0);
    progress_->setFormat(tr("Preparing…"));
    progress_->show();
    showStatus();
    watcher_.setFuture(QtConcurrent::run(
        &pool_, [this, graph, table, options, budget, comparison, folder, cancel] {
            auto outcome = std::make_shared<Outcome>();
            // Three phases on one bar: the ranking, the session's first run, the search's updates.
            const auto reporter = [this, cancel](int phase, const QString& name) {
                return queuedProgress(
                    this, cancel.get(),
                    [this, phase, name](long done, long total, const QString& detail) {
                        if (!running_ || total <= 0) return;
                        const double within = static_cast<double>(done) / total;
                        progress_->setValue(static_cast<int>(1000.0 * (phase + within) / 3.0));
                        progress_->setFormat(
                            detail.isEmpty()
                                ? QStringLiteral("%1: %2 / %3").arg(name).arg(done).arg(total)
                                : QStringLiteral("%1: %2").arg(name, detail));
                    });
            };
            try {
                const qf::ImageFolder images = qf::openImageFolder(folder);
                outcome->images =
                    std::min<int>(comparison.maxImages, static_cast<int>(images.images.size()));
                const std::vector<std::string> order = qf::budgetOrder(
                    qf::rankLayerSensitivity(*graph, table, options, images, comparison,
                                             reporter(0, tr("ranking"))),
                    budget.metric);
                qf::ComparisonSessionOptions sessionOptions;
                sessionOptions.comparison = comparison;
                // Stale bias corrections measured again, as the live comparison measures them.
                sessionOptions.calibrationImages = images;
                qf::ComparisonSession session(graph, images, sessionOptions,
                                              reporter(1, tr("comparing")));
                outcome->result = qf::searchPrecisionBudget(session, table, options, order, budget,
                                                            reporter(2, tr("searching")));
            } catch (const qf::Cancelled&) {
                outcome->cancelled = true;
            } catch (const std::exception& error) {
                outcome->error = QString::fromUtf8(error.what());
            }
            return outcome;
        }));
}

void BudgetView::cancel() {
    if (cancelFlag_) cancelFlag_->store(true);
}

bool BudgetView::apply() {
    if (!result_ || stale_ || running_ || !result_->met) return false;
    std::set<std::string> keeps = baseKeeps_;
    keeps.insert(result_->keepFp32.begin(), result_->keepFp32.end());
    applying_ = true;
    const bool applied = session_.edit(
        qf::Int8Edit::setKeepSet(keeps, tr("apply the precision budget").toStdString()));
    applying_ = false;
    if (!applied) return false;
    applied_ = true;
    showStatus();
    return true;
}

void BudgetView::onFinished() {
    running_ = false;
    search_->setEnabled(true);
    cancel_->setEnabled(false);
    progress_->hide();
    const std::shared_ptr<Outcome> outcome = watcher_.result();
    bool succeeded = false;
    if (!outcome || outcome->cancelled) {
        message_ = tr("Cancelled; the previous result stays.");
    } else if (!outcome->error.isEmpty()) {
        message_ = tr("The search failed: %1").arg(outcome->error);
    } else {
        result_ = std::move(outcome->result);
        searchedImages_ = outcome->images;
        stale_ = generation_ != runGeneration_;
        applied_ = false;
        succeeded = true;
        fill();
    }
    showStatus();
    emit finished(succeeded);
}

void BudgetView::markChanged() {
    ++generation_;
    if (applying_) {
        runGeneration_ = generation_;  // its own Apply: the result still describes the set
        return;
    }
    if (result_ && !stale_) {
        stale_ = true;
        showStatus();
    }
}

void BudgetView::clear() {
    cancel();
    ++generation_;
    result_.reset();
    stale_ = false;
    applied_ = false;
    message_.clear();
    table_->setRowCount(0);
    showStatus();
}

void BudgetView::fill() {
    table_->setRowCount(0);
    if (!result_) return;
    const std::vector<qf::BudgetStep>& steps = result_->steps;
    table_->setRowCount(static_cast<int>(steps.size()));
    for (int row = 0; row < static_cast<int>(steps.size()); ++row) {
        const qf::BudgetStep& step = steps[static_cast<size_t>(row)];
        QString action;
        if (step.kept)
            action =
                step.accepted ? tr("kept in FP32") : tr("tried in FP32: no gain, back to int8");
        else
            action = step.accepted ? tr("given back to int8: not needed")
                                   : tr("tried in int8: breaks the bar, stays FP32");
        table_->setItem(row, Step, cell(QString::number(row + 1)));
        table_->setItem(row, Layer, cell(QString::fromStdString(step.node)));
        table_->setItem(row, Action, cell(action));
        table_->setItem(row, Value, cell(QString::number(step.value, 'f', 5)));
    }
}

void BudgetView::showStatus() {
    QString text;
    bool warn = false;
    if (running_) {
        text = tr("Searching for the layers to keep in FP32…");
    } else if (!result_) {
        text = tr("Not searched yet: set the bar and find the layers int8 cannot take.");
    } else {
        const qf::BudgetSearchResult& r = *result_;
        const QString names = [&] {
            QStringList list;
            for (const std::string& node : r.keepFp32) list << QString::fromStdString(node);
            return list.join(QStringLiteral(", "));
        }();
        if (r.met)
            text = tr("Met on %1 image(s) with %n layer(s) of %2 in FP32 (%3 → %4, %5 "
                      "comparisons): %6",
                      nullptr, static_cast<int>(r.keepFp32.size()))
                       .arg(searchedImages_)
                       .arg(r.quantizedLayers)
                       .arg(r.initialValue, 0, 'f', 5)
                       .arg(r.finalValue, 0, 'f', 5)
                       .arg(r.updates)
                       .arg(r.keepFp32.empty() ? tr("int8 alone meets it") : names);
        else
            text = tr("Not met on %1 image(s): %2")
                       .arg(searchedImages_)
                       .arg(QString::fromStdString(r.message));
        warn = !r.met;
        if (applied_) text += QStringLiteral(" ") + tr("✓ applied.");
    }
    if (!message_.isEmpty()) text += QStringLiteral(" ") + message_;
    if (result_ && stale_) {
        text += QStringLiteral(" ") + tr("⟳ stale: the model, the table or the int8 options "
                                         "changed since; search again.");
        warn = true;
    }
    status_->setText(text);
    status_->setStyleSheet(warn ? QStringLiteral("color: #b35c00; font-weight: bold") : QString());
    apply_->setEnabled(result_ && result_->met && !stale_ && !running_ && !applied_);
}

}  // namespace qf::ui

#include "ui/comparison/sensitivity_view.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QSpinBox>
#include <QTableWidget>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>
#include <cmath>

#include "images/image_folder.h"
#include "ui/calibration/quant_session.h"
#include "ui/comparison/background_run.h"
#include "util/error.h"

namespace qf::ui {
namespace {

QString number(double value, int precision) {
    if (std::isinf(value)) return value > 0 ? QStringLiteral("∞") : QStringLiteral("−∞");
    return QString::number(value, 'g', precision);
}

QTableWidgetItem* item(const QString& text, double sortValue) {
    auto* cell = new QTableWidgetItem(text);
    cell->setData(Qt::UserRole, sortValue);
    cell->setFlags(Qt::ItemIsEnabled | Qt::ItemIsSelectable);
    return cell;
}

}  // namespace

struct SensitivityView::Outcome {
    std::vector<qf::LayerSensitivity> ranking;
    int images = 0;
    bool cancelled = false;
    QString error;
};

SensitivityView::SensitivityView(QuantSession& session, QWidget* parent)
    : QWidget(parent), session_(session) {
    setObjectName(QStringLiteral("SensitivityView"));
    pool_.setMaxThreadCount(1);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    auto* top = new QHBoxLayout;
    run_ = new QPushButton(tr("Rank Layer Sensitivity"), this);
    run_->setToolTip(
        tr("Quantizes one layer at a time, the rest in FP32, and ranks the layers by the output "
           "SQNR each gives alone (worst first)"));
    cancel_ = new QPushButton(tr("Cancel"), this);
    cancel_->setEnabled(false);
    images_ = new QSpinBox(this);
    images_->setRange(1, 100000);
    images_->setValue(20);
    images_->setToolTip(tr("Images to measure on (each layer runs the int8 model over them)"));
    progress_ = makeRunProgressBar(this);
    top->addWidget(run_);
    top->addWidget(new QLabel(tr("on"), this));
    top->addWidget(images_);
    top->addWidget(new QLabel(tr("image(s)"), this));
    top->addWidget(progress_, 1);
    top->addWidget(cancel_);
    top->addStretch(0);
    layout->addLayout(top);
    status_ = new QLabel(this);
    status_->setObjectName(QStringLiteral("SensitivityStatus"));
    status_->setWordWrap(true);
    layout->addWidget(status_);

    table_ =
        makeResultTable(this, QStringLiteral("SensitivityRanking"),
                        {tr("Rank"), tr("Layer"), tr("Output SQNR (dB)"), tr("Output cosine")});
    layout->addWidget(table_, 1);

    connect(run_, &QPushButton::clicked, this, &SensitivityView::run);
    connect(cancel_, &QPushButton::clicked, this, &SensitivityView::cancel);
    connect(table_, &QTableWidget::cellClicked, this, [this](int row, int) {
        if (QTableWidgetItem* layer = table_->item(row, Layer)) emit nodeActivated(layer->text());
    });
    connect(&watcher_, &QFutureWatcher<std::shared_ptr<Outcome>>::finished, this,
            &SensitivityView::onFinished);
    connectStaleness(
        session_, this, [this] { markChanged(); }, [this] { clear(); });
    showStatus();
}

SensitivityView::~SensitivityView() {
    if (cancelFlag_) cancelFlag_->store(true);
    watcher_.waitForFinished();
}

void SensitivityView::run() {
    if (running_) return;
    if (!readyToRun(session_)) {
        message_ = tr("Calibrate first: the ranking uses the calibration table and its images.");
        showStatus();
        return;
    }
    const std::shared_ptr<const qf::Graph> graph = session_.quantizedGraph();
    const qf::CalibrationTable table = session_.table();
    const qf::Int8Options options = session_.options();
    const qf::ComparisonOptions comparison = outputComparison(session_, images_->value());
    const std::string folder = session_.settings().imageFolder.toStdString();
    auto cancel = std::make_shared<std::atomic_bool>(false);
    cancelFlag_ = cancel;
    running_ = true;
    runGeneration_ = generation_;
    message_.clear();
    run_->setEnabled(false);
    cancel_->setEnabled(true);
    progress_->setValue(0);
    progress_->setFormat(tr("Preparing…"));
    progress_->show();
    showStatus();
    watcher_.setFuture(
        QtConcurrent::run(&pool_, [this, graph, table, options, comparison, folder, cancel] {
            auto outcome = std::make_shared<Outcome>();
            const qf::Progress progress = queuedProgress(
                this, cancel.get(), [this](long done, long total, const QString& layer) {
                    if (!running_ || total <= 0) return;
                    progress_->setValue(static_cast<int>(1000.0 * done / total));
                    progress_->setFormat(layer.isEmpty()
                                             ? tr("%1 of %2").arg(done).arg(total)
                                             : tr("%1 of %2: %3").arg(done).arg(total).arg(layer));
                });
            try {
                const qf::ImageFolder images = qf::openImageFolder(folder);
                outcome->images =
                    std::min<int>(comparison.maxImages, static_cast<int>(images.images.size()));
                outcome->ranking =
                    qf::rankLayerSensitivity(*graph, table, options, images, comparison, progress);
            } catch (const qf::Cancelled&) {
                outcome->cancelled = true;
            } catch (const std::exception& error) {
                outcome->error = QString::fromUtf8(error.what());
            }
            return outcome;
        }));
}

void SensitivityView::cancel() {
    if (cancelFlag_) cancelFlag_->store(true);
}

void SensitivityView::showLayer(const QString& layer) {
    for (int row = 0; row < table_->rowCount(); ++row)
        if (table_->item(row, Layer)->text() == layer) {
            table_->selectRow(row);
            table_->scrollToItem(table_->item(row, Layer));
            return;
        }
    table_->clearSelection();
}

void SensitivityView::onFinished() {
    running_ = false;
    run_->setEnabled(true);
    cancel_->setEnabled(false);
    progress_->hide();
    const std::shared_ptr<Outcome> outcome = watcher_.result();
    bool succeeded = false;
    if (!outcome || outcome->cancelled) {
        message_ = tr("Cancelled; the previous ranking stays.");
    } else if (!outcome->error.isEmpty()) {
        message_ = tr("The ranking failed: %1").arg(outcome->error);
    } else {
        ranking_ = std::move(outcome->ranking);
        rankedImages_ = outcome->images;
        hasRanking_ = true;
        stale_ = generation_ != runGeneration_;
        succeeded = true;
        fill();
    }
    showStatus();
    emit finished(succeeded);
}

void SensitivityView::markChanged() {
    ++generation_;
    if (hasRanking_ && !stale_) {
        stale_ = true;
        showStatus();
    }
}

void SensitivityView::clear() {
    cancel();
    ++generation_;
    ranking_.clear();
    hasRanking_ = false;
    stale_ = false;
    message_.clear();
    table_->setRowCount(0);
    showStatus();
}

void SensitivityView::fill() {
    table_->setSortingEnabled(false);
    table_->setRowCount(static_cast<int>(ranking_.size()));
    for (int row = 0; row < static_cast<int>(ranking_.size()); ++row) {
        const qf::LayerSensitivity& layer = ranking_[static_cast<size_t>(row)];
        table_->setItem(row, Rank, item(QString::number(row + 1), row + 1));
        table_->setItem(row, Layer, item(QString::fromStdString(layer.name), row));
        table_->setItem(row, OutputSqnr, item(number(layer.outputSqnrDb, 5), layer.outputSqnrDb));
        table_->setItem(row, OutputCosine, item(number(layer.outputCosine, 8), layer.outputCosine));
    }
}

void SensitivityView::showStatus() {
    QString text;
    if (running_)
        text = tr("Ranking the layers…");
    else if (!hasRanking_)
        text =
            tr("Not ranked yet: the ranking quantizes one layer at a time and measures the "
               "first output.");
    else
        text = tr("%n layer(s) ranked on %1 image(s), worst first.", nullptr,
                  static_cast<int>(ranking_.size()))
                   .arg(rankedImages_);
    if (!message_.isEmpty()) text += QStringLiteral(" ") + message_;
    if (hasRanking_ && stale_)
        text += QStringLiteral(" ") + tr("⟳ stale: the model, the table or the int8 options "
                                         "changed since; rank again.");
    status_->setText(text);
    status_->setStyleSheet(
        hasRanking_ && stale_ ? QStringLiteral("color: #b35c00; font-weight: bold") : QString());
}

}  // namespace qf::ui

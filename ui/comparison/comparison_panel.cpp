#include "ui/comparison/comparison_panel.h"

#include <QHeaderView>
#include <QLabel>
#include <QSortFilterProxyModel>
#include <QStandardItemModel>
#include <QTabWidget>
#include <QTableView>
#include <QTableWidget>
#include <QVBoxLayout>
#include <cmath>
#include <map>

#include "ui/comparison/budget_view.h"
#include "ui/comparison/image_strip.h"
#include "ui/comparison/layer_sqnr_chart.h"
#include "ui/comparison/sensitivity_view.h"

namespace qf::ui {
namespace {

QString number(double value, int precision = 6) {
    if (std::isinf(value)) return value > 0 ? QStringLiteral("∞") : QStringLiteral("−∞");
    return QString::number(value, 'g', precision);
}

QStandardItem* numberItem(double value, int precision = 6) {
    auto* item = new QStandardItem(number(value, precision));
    // Sorted by the number, not the text (∞ sorts last).
    item->setData(std::isfinite(value) ? value : (value > 0 ? 1e300 : -1e300), Qt::UserRole);
    item->setEditable(false);
    return item;
}

QStandardItem* textItem(const QString& text) {
    auto* item = new QStandardItem(text);
    item->setData(text, Qt::UserRole);
    item->setEditable(false);
    return item;
}

// A number the layer does not have (an FP32 layer's error): sorts after every number.
QStandardItem* missingNumber() {
    auto* item = new QStandardItem;
    item->setData(1e301, Qt::UserRole);
    item->setEditable(false);
    return item;
}

}  // namespace

ComparisonPanel::ComparisonPanel(QuantSession& session, QWidget* parent)
    : QWidget(parent), session_(session) {
    setObjectName(QStringLiteral("ComparisonPanel"));
    auto* layout = new QVBoxLayout(this);
    stale_ = new QLabel(this);
    stale_->setObjectName(QStringLiteral("StaleMark"));
    summary_ = new QLabel(tr("Calibrate to compare int8 with FP32."), this);
    summary_->setWordWrap(true);
    layout->addWidget(stale_);
    layout->addWidget(summary_);

    outputs_ = new QTableWidget(0, 5, this);
    outputs_->setHorizontalHeaderLabels(
        {tr("Output"), tr("Cosine"), tr("Worst-image cosine"), tr("SQNR (dB)"), tr("Max |Δ|")});
    outputs_->verticalHeader()->hide();
    outputs_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    outputs_->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    outputs_->setMaximumHeight(110);
    layout->addWidget(outputs_);

    model_ = new QStandardItemModel(0, ColumnCount, this);
    model_->setHorizontalHeaderLabels(
        {tr("Layer"), tr("Cosine"), tr("SQNR (dB)"), tr("Cosine alone"), tr("SQNR alone (dB)"),
         tr("Threshold"), tr("Method"), tr("Range"), tr("FP32"), tr("Bias correction")});
    proxy_ = new QSortFilterProxyModel(this);
    proxy_->setSourceModel(model_);
    proxy_->setSortRole(Qt::UserRole);
    layers_ = new QTableView(this);
    layers_->setObjectName(QStringLiteral("LayerErrors"));
    layers_->setModel(proxy_);
    layers_->setSortingEnabled(true);
    layers_->sortByColumn(-1, Qt::AscendingOrder);  // graph order until a header is clicked
    layers_->setSelectionBehavior(QAbstractItemView::SelectRows);
    layers_->setSelectionMode(QAbstractItemView::SingleSelection);
    layers_->verticalHeader()->hide();
    layers_->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    tabs_ = new QTabWidget(this);
    tabs_->setObjectName(QStringLiteral("ComparisonTabs"));
    tabs_->addTab(layers_, tr("Layers"));
    chart_ = new LayerSqnrChart(this);
    tabs_->addTab(chart_, tr("SQNR Chart"));
    sensitivity_ = new SensitivityView(session_, this);
    tabs_->addTab(sensitivity_, tr("Sensitivity"));
    budget_ = new BudgetView(session_, this);
    tabs_->addTab(budget_, tr("Budget"));
    strip_ = new ImageStrip(this);
    tabs_->addTab(strip_, tr("Images"));
    layout->addWidget(tabs_, 1);
    connect(chart_, &LayerSqnrChart::layerActivated, this, &ComparisonPanel::nodeActivated);
    connect(sensitivity_, &SensitivityView::nodeActivated, this, &ComparisonPanel::nodeActivated);
    connect(budget_, &BudgetView::nodeActivated, this, &ComparisonPanel::nodeActivated);

    connect(layers_, &QTableView::clicked, this, [this](const QModelIndex& index) {
        const QModelIndex source = proxy_->mapToSource(index);
        if (source.column() == KeepFp32) return;
        emit nodeActivated(model_->item(source.row(), Layer)->text());
    });
    connect(model_, &QStandardItemModel::itemChanged, this, [this](QStandardItem* item) {
        if (filling_ || item->column() != KeepFp32) return;
        const QString layer = model_->item(item->row(), Layer)->text();
        session_.edit(
            qf::Int8Edit::setKeepFp32(layer.toStdString(), item->checkState() == Qt::Checked));
    });
    connect(&session_, &QuantSession::staleChanged, this, [this](bool stale) {
        stale_->setText(stale ? tr("⟳ stale: measuring the last change…") : QString());
        stale_->setStyleSheet(stale ? QStringLiteral("color: #b35c00; font-weight: bold")
                                    : QString());
    });
    connect(&session_, &QuantSession::comparisonUpdated, this, &ComparisonPanel::refresh);
    connect(&session_, &QuantSession::errorOccurred, this,
            [this](const QString& title, const QString& message) {
                stale_->setText(title + QStringLiteral(": ") + message);
            });
    refresh();
}

void ComparisonPanel::showLayer(const QString& layer) {
    chart_->setSelectedLayer(layer);
    sensitivity_->showLayer(layer);
    const int row = rowOf(layer);
    if (row < 0) {
        layers_->clearSelection();
        return;
    }
    const QModelIndex index = proxy_->mapFromSource(model_->index(row, Layer));
    layers_->selectionModel()->select(
        index, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    layers_->scrollTo(index);
}

int ComparisonPanel::rowOf(const QString& layer) const {
    for (int row = 0; row < model_->rowCount(); ++row)
        if (model_->item(row, Layer)->text() == layer) return row;
    return -1;
}

void ComparisonPanel::refresh() {
    filling_ = true;
    const ComparisonResult* result = session_.comparison();
    outputs_->setRowCount(0);
    model_->removeRows(0, model_->rowCount());
    chart_->setReport(result ? &result->report : nullptr);  // keeps the outlined layer
    strip_->setReport(result ? &result->report : nullptr);
    if (!result) {
        summary_->setText(session_.hasTable() ? tr("Comparing…")
                                              : tr("Calibrate to compare int8 with FP32."));
        filling_ = false;
        return;
    }
    const qf::Int8ComparisonReport& report = result->report;
    QString summary = tr("%n image(s), the last update took %1 ms", nullptr, report.images)
                          .arg(result->seconds * 1000.0, 0, 'f', 0);
    if (report.fp32.labeled > 0)
        summary += tr("; top-1 FP32 %1%, int8 %2%")
                       .arg(100.0 * report.fp32.top1Rate(), 0, 'f', 1)
                       .arg(100.0 * report.int8.top1Rate(), 0, 'f', 1);
    // Agreement of the argmax means something for a classifier only (a detector's first output
    // is one map among several).
    if (!report.imageTopK.empty())
        summary += tr("; top-1 agreement %1%").arg(100.0 * report.top1Agreement(), 0, 'f', 1);
    if (!report.skipped.empty())
        summary += tr("; %n image(s) skipped", nullptr, static_cast<int>(report.skipped.size()));
    summary_->setText(summary);
    for (const auto& output : report.outputs) {
        const int row = outputs_->rowCount();
        outputs_->insertRow(row);
        outputs_->setItem(row, 0, new QTableWidgetItem(QString::fromStdString(output.name)));
        outputs_->setItem(row, 1, new QTableWidgetItem(number(output.cosine, 8)));
        outputs_->setItem(row, 2, new QTableWidgetItem(number(output.worstImageCosine, 8)));
        outputs_->setItem(row, 3, new QTableWidgetItem(number(output.sqnrDb, 5)));
        outputs_->setItem(row, 4, new QTableWidgetItem(number(output.maxAbsDiff, 5)));
    }

    // Every quantizable layer in graph order: int8 ones with their errors, FP32 ones with why.
    std::map<std::string, const qf::LayerError*> errors;
    for (const auto& layer : report.layers) errors[layer.name] = &layer;
    const auto fp32 = result->plan.fp32Nodes();
    for (const auto& node : result->plan.nodes) {
        const bool int8 = node.precision == qf::NodePrecision::Int8;
        if (!int8 && !fp32.count(node.name)) continue;
        QList<QStandardItem*> row;
        row << textItem(QString::fromStdString(node.name));
        const auto error = errors.find(node.name);
        if (error != errors.end()) {
            row << numberItem(error->second->cosine, 8) << numberItem(error->second->sqnrDb, 5)
                << numberItem(error->second->aloneCosine, 8)
                << numberItem(error->second->aloneSqnrDb, 5);
        } else {
            for (int k = 0; k < 4; ++k) row << missingNumber();
        }
        if (int8 && !node.inputs.empty()) {
            const qf::QuantizedInput& input = node.inputs.front();
            row << numberItem(input.threshold, 6);
            const qf::TensorCalibration* calibration = result->table.find(input.tensor);
            row << textItem(calibration && calibration->manualThreshold ? tr("manual")
                            : calibration
                                ? QString::fromStdString(qf::methodName(calibration->method))
                                : QString());
            row << textItem(calibration && calibration->nonNegative() &&
                                    session_.options().unsignedActivations
                                ? tr("unsigned")
                                : tr("signed"));
        } else {
            row << missingNumber() << textItem(QString())
                << textItem(
                       QString::fromStdString(fp32.count(node.name) ? fp32.at(node.name) : ""));
        }
        auto* keep = new QStandardItem;
        keep->setCheckable(true);
        keep->setEditable(false);
        const bool kept = node.fp32Reason == qf::Fp32Reason::KeptByRequest;
        keep->setCheckState(kept ? Qt::Checked : Qt::Unchecked);
        keep->setData(kept ? 1 : 0, Qt::UserRole);
        keep->setEnabled(int8 || kept);
        row << keep;
        row << textItem(QString::fromUtf8(qf::biasCorrectionStateName(node.bias.state)));
        if (!node.bias.text.empty()) row.back()->setToolTip(QString::fromStdString(node.bias.text));
        model_->appendRow(row);
    }
    filling_ = false;
}

}  // namespace qf::ui

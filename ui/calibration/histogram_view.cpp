#include "ui/calibration/histogram_view.h"

#include <qcustomplot.h>

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QMouseEvent>
#include <QPushButton>
#include <QStandardItemModel>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>
#include <limits>

#include "thresholds/threshold_methods.h"

namespace qf::ui {
namespace {

constexpr double kGrabPixels = 6.0;
const QString kManual = QStringLiteral("manual");

QColor methodColor(qf::ThresholdMethod method) {
    switch (method) {
        case qf::ThresholdMethod::Kl:
            return QColor(0xd6, 0x27, 0x28);
        case qf::ThresholdMethod::MinMax:
            return QColor(0x1f, 0x77, 0xb4);
        case qf::ThresholdMethod::Percentile:
            return QColor(0x94, 0x67, 0xbd);
        case qf::ThresholdMethod::Mse:
            return QColor(0xff, 0x7f, 0x0e);
        case qf::ThresholdMethod::Aciq:
            return QColor(0x8c, 0x56, 0x4b);
        case qf::ThresholdMethod::Auto:
            return QColor(0x17, 0x9a, 0x3a);
    }
    return Qt::black;
}

QCPItemStraightLine* verticalLine(QCustomPlot* plot, double x, const QPen& pen) {
    auto* line = new QCPItemStraightLine(plot);
    line->point1->setTypeY(QCPItemPosition::ptAxisRectRatio);
    line->point2->setTypeY(QCPItemPosition::ptAxisRectRatio);
    line->point1->setCoords(x, 0.0);
    line->point2->setCoords(x, 1.0);
    line->setPen(pen);
    line->setSelectable(false);
    return line;
}

void placeLine(QCPItemStraightLine* line, double x) {
    line->point1->setCoords(x, 0.0);
    line->point2->setCoords(x, 1.0);
}

}  // namespace

HistogramView::HistogramView(QuantSession& session, QWidget* parent)
    : QWidget(parent), session_(session) {
    setObjectName(QStringLiteral("HistogramView"));
    auto* layout = new QVBoxLayout(this);
    auto* top = new QHBoxLayout;
    tensors_ = new QComboBox(this);
    tensors_->setMinimumContentsLength(18);
    tensors_->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    method_ = new QComboBox(this);
    for (const auto method : qf::selectableMethods())
        method_->addItem(QString::fromStdString(qf::methodName(method)), static_cast<int>(method));
    threshold_ = new QDoubleSpinBox(this);
    threshold_->setDecimals(6);
    threshold_->setRange(1e-9, 1e9);
    threshold_->setKeyboardTracking(false);
    reset_ = new QPushButton(tr("Reset to Method"), this);
    top->addWidget(new QLabel(tr("Tensor:"), this));
    top->addWidget(tensors_, 1);
    top->addWidget(new QLabel(tr("Method:"), this));
    top->addWidget(method_);
    top->addWidget(new QLabel(tr("Threshold:"), this));
    top->addWidget(threshold_);
    top->addWidget(reset_);
    layout->addLayout(top);
    info_ = new QLabel(this);
    info_->setWordWrap(true);
    layout->addWidget(info_);

    plot_ = new QCustomPlot(this);
    plot_->setObjectName(QStringLiteral("HistogramPlot"));
    plot_->setMinimumHeight(150);
    plot_->yAxis->setScaleType(QCPAxis::stLogarithmic);
    plot_->yAxis->setTicker(QSharedPointer<QCPAxisTickerLog>(new QCPAxisTickerLog));
    plot_->yAxis->setNumberFormat(QStringLiteral("eb"));
    plot_->yAxis->setNumberPrecision(0);
    plot_->xAxis->setLabel(tr("|activation|"));
    plot_->yAxis->setLabel(tr("count"));
    layout->addWidget(plot_, 3);

    curves_ = new QCustomPlot(this);
    curves_->setObjectName(QStringLiteral("ThresholdCurvePlot"));
    curves_->setMinimumHeight(100);
    curves_->xAxis->setLabel(tr("candidate threshold"));
    curves_->yAxis->setLabel(tr("KL divergence"));
    curves_->yAxis2->setLabel(tr("MSE · noise/signal"));
    curves_->yAxis2->setVisible(true);
    curves_->yAxis2->setScaleType(QCPAxis::stLogarithmic);
    curves_->yAxis2->setTicker(QSharedPointer<QCPAxisTickerLog>(new QCPAxisTickerLog));
    curves_->yAxis2->setNumberFormat(QStringLiteral("eb"));
    curves_->yAxis2->setNumberPrecision(0);
    curves_->legend->setVisible(true);
    curves_->legend->setFont(QFont(font().family(), 8));
    // Top centre and see-through: the top right is where the largest candidates' marks are.
    curves_->axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignTop | Qt::AlignHCenter);
    curves_->legend->setBrush(QColor(255, 255, 255, 190));
    layout->addWidget(curves_, 2);

    connect(plot_, &QCustomPlot::mousePress, this, &HistogramView::onPress);
    connect(plot_, &QCustomPlot::mouseMove, this, &HistogramView::onMove);
    connect(plot_, &QCustomPlot::mouseRelease, this, &HistogramView::onRelease);
    connect(tensors_, qOverload<int>(&QComboBox::currentIndexChanged), this, [this] {
        if (!filling_) showTensor(tensors_->currentText());
    });
    connect(method_, qOverload<int>(&QComboBox::activated), this, [this] {
        if (tensor_.isEmpty()) return;
        session_.edit(qf::Int8Edit::setMethod(
            tensor_.toStdString(),
            static_cast<qf::ThresholdMethod>(method_->currentData().toInt())));
    });
    connect(threshold_, &QDoubleSpinBox::editingFinished, this, [this] {
        if (tensor_.isEmpty() || filling_) return;
        // The box shows the threshold rounded to its decimals: unchanged text is no edit.
        if (std::abs(threshold_->value() - thresholdInUse()) <=
            0.5 * std::pow(10.0, -threshold_->decimals()))
            return;
        session_.edit(qf::Int8Edit::setManualThreshold(tensor_.toStdString(), threshold_->value()));
    });
    connect(reset_, &QPushButton::clicked, this, [this] {
        if (!tensor_.isEmpty())
            session_.edit(qf::Int8Edit::clearManualThreshold(tensor_.toStdString()));
    });
    connect(&session_, &QuantSession::tableChanged, this, [this] {
        fillTensorList();
        rebuild();
    });
    connect(&session_, &QuantSession::tableEdited, this, [this](const QString& target) {
        if (target == tensor_) rebuild();
    });
    fillTensorList();
    rebuild();
}

void HistogramView::fillTensorList() {
    filling_ = true;
    tensors_->clear();
    if (session_.hasTable())
        for (const auto& entry : session_.table().tensors)
            tensors_->addItem(QString::fromStdString(entry.first));
    const int at = tensors_->findText(tensor_);
    if (at >= 0)
        tensors_->setCurrentIndex(at);
    else
        tensor_ = tensors_->count() > 0 ? tensors_->itemText(0) : QString();
    if (at < 0 && !tensor_.isEmpty()) tensors_->setCurrentIndex(0);
    filling_ = false;
}

void HistogramView::showNode(const QString& node) {
    const QString tensor = session_.tensorOfNode(node);
    if (!tensor.isEmpty()) showTensor(tensor);
}

void HistogramView::showTensor(const QString& tensor) {
    if (tensor == tensor_ && bins_) return;
    tensor_ = tensor;
    filling_ = true;
    const int at = tensors_->findText(tensor);
    if (at >= 0) tensors_->setCurrentIndex(at);
    filling_ = false;
    rebuild();
    emit tensorShown(tensor_);
}

double HistogramView::thresholdInUse() const {
    if (!session_.hasTable()) return 0.0;
    const qf::TensorCalibration* calibration = session_.table().find(tensor_.toStdString());
    return calibration ? calibration->threshold() : 0.0;
}

void HistogramView::rebuild() {
    plot_->clearPlottables();
    plot_->clearItems();
    curves_->clearPlottables();
    curves_->clearItems();
    lines_.clear();
    bins_ = nullptr;
    range_ = nullptr;
    inUse_ = nullptr;
    inUseLabel_ = nullptr;
    curveMark_ = nullptr;
    const qf::TensorCalibration* calibration =
        session_.hasTable() ? session_.table().find(tensor_.toStdString()) : nullptr;
    const bool enabled = calibration != nullptr;
    for (QWidget* widget : std::initializer_list<QWidget*>{method_, threshold_, reset_})
        widget->setEnabled(enabled);
    if (!calibration) {
        info_->setText(session_.hasTable() ? tr("The table does not calibrate this tensor.")
                                           : tr("Calibrate to see the activation histograms."));
        plot_->replot();
        curves_->replot();
        return;
    }
    const qf::AbsHistogram& histogram = calibration->histogram;
    const double threshold = calibration->threshold();
    const bool manual = calibration->manualThreshold.has_value();
    const bool unsignedRange = calibration->nonNegative();

    filling_ = true;
    // Auto exists only where calibration searched (a table from another method has none).
    if (auto* items = qobject_cast<QStandardItemModel*>(method_->model()))
        for (int row = 0; row < method_->count(); ++row) {
            const auto method = static_cast<qf::ThresholdMethod>(method_->itemData(row).toInt());
            items->item(row)->setEnabled(method != qf::ThresholdMethod::Auto ||
                                         calibration->thresholds.count(method) > 0);
        }
    method_->setCurrentIndex(method_->findData(static_cast<int>(calibration->method)));
    threshold_->setValue(threshold);
    filling_ = false;
    info_->setText(tr("%1: %2 values, |x| up to %3, min %4; %5 in use: %6")
                       .arg(tensor_)
                       .arg(histogram.total(), 0, 'g', 6)
                       .arg(histogram.absMax(), 0, 'g', 5)
                       .arg(histogram.min(), 0, 'g', 5)
                       .arg(manual ? tr("manual threshold")
                                   : QString::fromStdString(qf::methodName(calibration->method)))
                       .arg(threshold, 0, 'g', 6));

    // The bins up to the last non-empty one; empty bins are gaps (log axis).
    const auto& counts = histogram.counts();
    const double width = histogram.binWidth();
    size_t last = counts.size();
    while (last > 0 && counts[last - 1] == 0.0) --last;
    QVector<double> keys, values;
    keys.reserve(static_cast<int>(last));
    values.reserve(static_cast<int>(last));
    double peak = 1.0;
    for (size_t k = 0; k < last; ++k) {
        keys << (static_cast<double>(k) + 0.5) * width;
        values << (counts[k] > 0.0 ? counts[k] : std::numeric_limits<double>::quiet_NaN());
        peak = std::max(peak, counts[k]);
    }
    bins_ = plot_->addGraph();
    bins_->setName(tr("histogram"));
    bins_->setLineStyle(QCPGraph::lsStepCenter);
    bins_->setPen(QPen(QColor(0x44, 0x44, 0x44)));
    bins_->setBrush(QColor(0x88, 0x88, 0x88, 90));
    bins_->setData(keys, values, true);

    double right = std::max(histogram.absMax(), threshold);
    for (const auto& entry : calibration->thresholds) right = std::max(right, entry.second);
    right = right > 0.0 ? right * 1.08 : 1.0;
    plot_->xAxis->setRange(0.0, right);
    plot_->yAxis->setRange(0.8, peak * 3.0);

    range_ = new QCPItemRect(plot_);
    range_->topLeft->setTypeY(QCPItemPosition::ptAxisRectRatio);
    range_->bottomRight->setTypeY(QCPItemPosition::ptAxisRectRatio);
    range_->topLeft->setCoords(0.0, 0.0);
    range_->bottomRight->setCoords(threshold, 1.0);
    range_->setPen(Qt::NoPen);
    range_->setBrush(QColor(0x2c, 0xa0, 0x2c, 40));
    range_->setSelectable(false);
    auto* rangeLabel = new QCPItemText(plot_);
    rangeLabel->position->setTypeY(QCPItemPosition::ptAxisRectRatio);
    rangeLabel->position->setCoords(0.0, 0.98);
    rangeLabel->setPositionAlignment(Qt::AlignLeft | Qt::AlignBottom);
    rangeLabel->setText(unsignedRange ? tr(" uint8 range [0, T]") : tr(" int8 range [−T, T]"));
    rangeLabel->setColor(QColor(0x2c, 0x80, 0x2c));

    int row = 0;
    for (const auto& [method, value] : calibration->thresholds) {
        const bool used = !manual && method == calibration->method;
        QPen pen(methodColor(method), used ? 3.0 : 1.2, used ? Qt::SolidLine : Qt::DashLine);
        const QString name = QString::fromStdString(qf::methodName(method));
        QCPItemStraightLine* line = verticalLine(plot_, value, pen);
        lines_.insert(name, line);
        auto* label = new QCPItemText(plot_);
        label->position->setTypeY(QCPItemPosition::ptAxisRectRatio);
        label->position->setCoords(value, 0.04 + 0.075 * row++);
        // Labels of lines near the right edge go to their left, inside the plot.
        const bool nearRight = value > 0.8 * right;
        label->setPositionAlignment((nearRight ? Qt::AlignRight : Qt::AlignLeft) | Qt::AlignTop);
        label->setText(nearRight ? QStringLiteral("%1 %2 ").arg(name).arg(value, 0, 'g', 4)
                                 : QStringLiteral(" %1 %2").arg(name).arg(value, 0, 'g', 4));
        label->setColor(methodColor(method));
        QFont labelFont = font();
        labelFont.setPointSizeF(labelFont.pointSizeF() * 0.85);
        labelFont.setBold(used);
        label->setFont(labelFont);
        if (used) {
            inUse_ = line;
            inUseLabel_ = label;
        }
    }
    if (manual) {
        inUse_ = verticalLine(plot_, threshold, QPen(Qt::black, 3.0));
        lines_.insert(kManual, inUse_);
        inUseLabel_ = new QCPItemText(plot_);
        inUseLabel_->position->setTypeY(QCPItemPosition::ptAxisRectRatio);
        inUseLabel_->position->setCoords(threshold, 0.04 + 0.075 * row);
        inUseLabel_->setPositionAlignment(Qt::AlignLeft | Qt::AlignTop);
        QFont bold = font();
        bold.setBold(true);
        inUseLabel_->setFont(bold);
        inUseLabel_->setText(QStringLiteral(" %1 %2").arg(kManual).arg(threshold, 0, 'g', 4));
    }
    plot_->replot();

    // Why kl and mse chose what they chose.
    const int levels = unsignedRange ? 255 : 127;
    const qf::ThresholdCurve kl = qf::klDivergenceCurve(histogram, levels + 1);
    const qf::ThresholdCurve mse = qf::quantizationMseCurve(histogram, levels);
    auto* klGraph = curves_->addGraph(curves_->xAxis, curves_->yAxis);
    klGraph->setName(tr("KL divergence (kl)"));
    klGraph->setPen(QPen(methodColor(qf::ThresholdMethod::Kl), 1.5));
    klGraph->setData(QVector<double>(kl.thresholds.begin(), kl.thresholds.end()),
                     QVector<double>(kl.values.begin(), kl.values.end()), true);
    auto* mseGraph = curves_->addGraph(curves_->xAxis, curves_->yAxis2);
    mseGraph->setName(tr("expected quantization MSE (mse)"));
    mseGraph->setPen(QPen(methodColor(qf::ThresholdMethod::Mse), 1.5));
    QVector<double> mseValues;
    for (double value : mse.values)
        mseValues << (value > 0.0 ? value : std::numeric_limits<double>::quiet_NaN());
    mseGraph->setData(QVector<double>(mse.thresholds.begin(), mse.thresholds.end()), mseValues,
                      true);
    // What the auto method measured: the noise-to-signal ratio of the int8 layers reading the
    // tensor at each threshold it tried (lower is better), on the MSE axis's side as a ratio.
    QCPGraph* autoGraph = nullptr;
    if (!calibration->candidates.empty()) {
        autoGraph = curves_->addGraph(curves_->xAxis, curves_->yAxis2);
        autoGraph->setName(tr("int8 layer error, noise/signal (auto)"));
        autoGraph->setPen(QPen(methodColor(qf::ThresholdMethod::Auto), 1.5));
        autoGraph->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, 5));
        QVector<double> keys, ratios;
        for (const auto& candidate : calibration->candidates) {
            keys << candidate.threshold;
            ratios << std::pow(10.0, -candidate.sqnrDb / 10.0);
        }
        autoGraph->setData(keys, ratios, true);
    }
    curves_->xAxis->setRange(0.0, right);
    klGraph->rescaleValueAxis(false, true);
    mseGraph->rescaleValueAxis(false, true);
    if (autoGraph) autoGraph->rescaleValueAxis(true, true);
    curveMark_ = verticalLine(curves_, threshold, QPen(Qt::black, 2.0));
    curves_->replot();
}

void HistogramView::moveInUse(double threshold) {
    if (!inUse_) return;
    placeLine(inUse_, threshold);
    if (inUseLabel_) {
        inUseLabel_->position->setCoords(threshold, inUseLabel_->position->coords().y());
        inUseLabel_->setText(QStringLiteral(" %1 %2").arg(kManual).arg(threshold, 0, 'g', 4));
    }
    if (range_) range_->bottomRight->setCoords(threshold, 1.0);
    if (curveMark_) placeLine(curveMark_, threshold);
    filling_ = true;
    threshold_->setValue(threshold);
    filling_ = false;
    plot_->replot(QCustomPlot::rpQueuedReplot);
    curves_->replot(QCustomPlot::rpQueuedReplot);
}

void HistogramView::onPress(QMouseEvent* event) {
    if (!inUse_ || event->button() != Qt::LeftButton) return;
    const double x = plot_->xAxis->coordToPixel(inUse_->point1->coords().x());
    dragging_ = std::abs(event->position().x() - x) <= kGrabPixels;
}

void HistogramView::onMove(QMouseEvent* event) {
    if (inUse_ && !dragging_) {
        const double x = plot_->xAxis->coordToPixel(inUse_->point1->coords().x());
        plot_->setCursor(std::abs(event->position().x() - x) <= kGrabPixels ? Qt::SizeHorCursor
                                                                            : Qt::ArrowCursor);
    }
    if (!dragging_) return;
    const double value = plot_->xAxis->pixelToCoord(event->position().x());
    moveInUse(std::max(value, plot_->xAxis->range().upper * 1e-4));
}

void HistogramView::onRelease(QMouseEvent* event) {
    if (!dragging_) return;
    dragging_ = false;
    const double value = std::max(plot_->xAxis->pixelToCoord(event->position().x()),
                                  plot_->xAxis->range().upper * 1e-4);
    // One undoable edit per drag, made when the line is let go.
    if (!session_.edit(qf::Int8Edit::setManualThreshold(tensor_.toStdString(), value))) rebuild();
}

}  // namespace qf::ui

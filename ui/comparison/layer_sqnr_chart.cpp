#include "ui/comparison/layer_sqnr_chart.h"

#include <qcustomplot.h>

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QMouseEvent>
#include <QSpinBox>
#include <QToolTip>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>
#include <numeric>

namespace qf::ui {
namespace {

const QColor kBarColour(100, 149, 237);
const QColor kWorstColour(211, 47, 47);
constexpr int kLabelChars = 24;  // longer names keep their end on the axis

// Layer names tend to differ at their end ("/layer2/layer2.1/conv1/Conv", "stage3_conv12"),
// so a long one is cut at the front.
QString shortName(const QString& name) {
    if (name.size() <= kLabelChars) return name;
    return QChar(0x2026) + name.right(kLabelChars - 1);
}

QString decibels(double value) {
    if (std::isinf(value)) return value > 0 ? QStringLiteral("∞") : QStringLiteral("−∞");
    return QString::number(value, 'f', 2);
}

}  // namespace

LayerSqnrChart::LayerSqnrChart(QWidget* parent) : QWidget(parent) {
    setObjectName(QStringLiteral("LayerSqnrChart"));
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    auto* top = new QHBoxLayout;
    measureBox_ = new QComboBox(this);
    measureBox_->addItem(tr("Propagated (int8 up to the layer)"));
    measureBox_->addItem(tr("Alone (the layer on FP32 inputs)"));
    worstCount_ = new QSpinBox(this);
    worstCount_->setRange(0, 999);
    worstCount_->setValue(3);
    worstCount_->setToolTip(tr("How many of the worst layers are drawn red"));
    top->addWidget(new QLabel(tr("SQNR:"), this));
    top->addWidget(measureBox_);
    top->addSpacing(12);
    top->addWidget(new QLabel(tr("Mark the worst:"), this));
    top->addWidget(worstCount_);
    top->addStretch(1);
    layout->addLayout(top);

    plot_ = new QCustomPlot(this);
    plot_->setObjectName(QStringLiteral("LayerSqnrPlot"));
    plot_->setMinimumHeight(220);
    plot_->setMouseTracking(true);
    bars_ = new QCPBars(plot_->xAxis, plot_->yAxis);
    bars_->setName(tr("SQNR"));
    bars_->setPen(QPen(kBarColour.darker(130)));
    bars_->setBrush(kBarColour);
    bars_->setWidth(0.7);
    worst_ = new QCPBars(plot_->xAxis, plot_->yAxis);
    worst_->setName(tr("worst"));
    worst_->setPen(QPen(kWorstColour.darker(130)));
    worst_->setBrush(kWorstColour);
    worst_->setWidth(0.7);
    selection_ = new QCPItemRect(plot_);
    selection_->setPen(QPen(QColor(26, 115, 232), 2.5));  // the graph view's selection blue
    selection_->setBrush(Qt::NoBrush);
    selection_->setSelectable(false);
    selection_->setVisible(false);
    plot_->yAxis->setLabel(tr("SQNR (dB)"));
    plot_->xAxis->setTicker(QSharedPointer<QCPAxisTickerText>(new QCPAxisTickerText));
    plot_->xAxis->setTickLabelRotation(-90);  // each name ends at its bar
    plot_->xAxis->setSubTicks(false);
    plot_->xAxis->grid()->setVisible(false);
    QFont small = plot_->xAxis->tickLabelFont();
    small.setPointSizeF(std::max(7.0, small.pointSizeF() - 1.0));
    plot_->xAxis->setTickLabelFont(small);
    layout->addWidget(plot_, 1);

    connect(measureBox_, qOverload<int>(&QComboBox::currentIndexChanged), this, [this](int index) {
        measure_ = index == 1 ? Measure::Alone : Measure::Propagated;
        rebuild();
    });
    connect(worstCount_, qOverload<int>(&QSpinBox::valueChanged), this, [this] { rebuild(); });
    connect(plot_, &QCustomPlot::mouseMove, this, &LayerSqnrChart::onMouseMove);
    connect(plot_, &QCustomPlot::mouseRelease, this, [this](QMouseEvent* event) {
        if (event->button() != Qt::LeftButton) return;
        const int index = barAt(event->pos());
        if (index >= 0) emit layerActivated(layers_[index]);
    });
    plot_->installEventFilter(this);
    rebuild();
}

void LayerSqnrChart::setReport(const qf::Int8ComparisonReport* report) {
    report_ = report;
    rebuild();
}

void LayerSqnrChart::setMeasure(Measure measure) {
    measureBox_->setCurrentIndex(measure == Measure::Alone ? 1 : 0);
}

QStringList LayerSqnrChart::worstLayers() const {
    QStringList worst;
    for (int k = 0; k < layers_.size(); ++k)
        if (worstFlags_[static_cast<size_t>(k)]) worst << layers_[k];
    return worst;
}

void LayerSqnrChart::rebuild() {
    layers_.clear();
    values_.clear();
    if (report_)
        for (const auto& layer : report_->layers) {
            layers_ << QString::fromStdString(layer.name);
            values_.push_back(measure_ == Measure::Alone ? layer.aloneSqnrDb : layer.sqnrDb);
        }
    const size_t count = values_.size();
    // An exact layer (no error: ∞ dB) gets a bar a little above the largest finite one.
    double lowest = 0.0, highest = 0.0;
    for (const double v : values_)
        if (std::isfinite(v)) {
            lowest = std::min(lowest, v);
            highest = std::max(highest, v);
        }
    const double cap = highest + std::max(5.0, 0.1 * (highest - lowest));
    heights_.assign(count, 0.0);
    for (size_t k = 0; k < count; ++k)
        heights_[k] = std::isfinite(values_[k]) ? values_[k] : (values_[k] > 0 ? cap : lowest);
    // The worst: the lowest SQNR, ties by graph order.
    std::vector<size_t> order(count);
    std::iota(order.begin(), order.end(), size_t{0});
    std::stable_sort(order.begin(), order.end(),
                     [this](size_t a, size_t b) { return values_[a] < values_[b]; });
    worstFlags_.assign(count, false);
    const size_t marked = std::min(count, static_cast<size_t>(worstCount_->value()));
    for (size_t k = 0; k < marked; ++k) worstFlags_[order[k]] = true;

    QVector<double> keys, heights, worstKeys, worstHeights;
    for (size_t k = 0; k < count; ++k) {
        (worstFlags_[k] ? worstKeys : keys) << static_cast<double>(k);
        (worstFlags_[k] ? worstHeights : heights) << heights_[k];
    }
    bars_->setData(keys, heights, true);
    worst_->setData(worstKeys, worstHeights, true);
    plot_->xAxis->setRange(-0.7, std::max<double>(static_cast<double>(count) - 0.3, 0.7));
    const double bottom = std::min(0.0, lowest);
    const double top = count ? std::max(cap, 1.0) : 40.0;
    plot_->yAxis->setRange(bottom - (bottom < 0 ? 0.05 * (top - bottom) : 0.0),
                           top + 0.05 * (top - bottom));
    updateTicks();
    placeSelection();
    plot_->replot();
}

void LayerSqnrChart::setSelectedLayer(const QString& layer) {
    if (layer == selected_) return;
    selected_ = layer;
    placeSelection();
    plot_->replot();
}

bool LayerSqnrChart::selectionShown() const { return selection_->visible(); }

void LayerSqnrChart::placeSelection() {
    const int index = static_cast<int>(layers_.indexOf(selected_));
    selection_->setVisible(!selected_.isEmpty() && index >= 0);
    if (index < 0) return;
    const double height = heights_[static_cast<size_t>(index)];
    const double half = bars_->width() / 2 + 0.08;
    selection_->topLeft->setCoords(index - half, std::max(0.0, height));
    selection_->bottomRight->setCoords(index + half, std::min(0.0, height));
}

// One label per bar while they fit, every n-th otherwise (the tooltip names each bar).
void LayerSqnrChart::updateTicks() {
    auto ticker = qSharedPointerDynamicCast<QCPAxisTickerText>(plot_->xAxis->ticker());
    if (!ticker) return;
    ticker->clear();
    const int count = static_cast<int>(layers_.size());
    if (count == 0) return;
    const QFontMetrics metrics(plot_->xAxis->tickLabelFont());
    const QMargins margins = plot_->axisRect()->margins();
    const double width = std::max(plot_->width() - margins.left() - margins.right(), 50);
    const int step =
        std::max(1, static_cast<int>(std::ceil(count * (metrics.height() + 2) / width)));
    for (int k = 0; k < count; k += step) ticker->addTick(k, shortName(layers_[k]));
}

bool LayerSqnrChart::eventFilter(QObject* watched, QEvent* event) {
    if (watched == plot_ && event->type() == QEvent::Resize) {
        updateTicks();
        plot_->replot(QCustomPlot::rpQueuedReplot);
    }
    return QWidget::eventFilter(watched, event);
}

QPoint LayerSqnrChart::barCentre(int index) const {
    if (index < 0 || index >= static_cast<int>(heights_.size())) return {};
    const double x = plot_->xAxis->coordToPixel(index);
    const double y = plot_->yAxis->coordToPixel(heights_[static_cast<size_t>(index)] / 2);
    return QPoint(static_cast<int>(std::lround(x)), static_cast<int>(std::lround(y)));
}

int LayerSqnrChart::barAt(const QPoint& pixel) const {
    if (heights_.empty() || !plot_->axisRect()->rect().contains(pixel)) return -1;
    const double key = plot_->xAxis->pixelToCoord(pixel.x());
    const int index = static_cast<int>(std::lround(key));
    if (index < 0 || index >= static_cast<int>(heights_.size())) return -1;
    if (std::fabs(key - index) > bars_->width() / 2) return -1;
    // Within the bar's height (between the axis' zero and the bar's end).
    const double value = plot_->yAxis->pixelToCoord(pixel.y());
    const double height = heights_[static_cast<size_t>(index)];
    const double low = std::min(0.0, height), high = std::max(0.0, height);
    const double slack = (plot_->yAxis->range().size()) * 0.02;  // thin bars stay clickable
    return value >= low - slack && value <= high + slack ? index : -1;
}

void LayerSqnrChart::onMouseMove(QMouseEvent* event) {
    const int index = barAt(event->pos());
    if (index < 0) {
        QToolTip::hideText();
        return;
    }
    const QString text =
        tr("<b>%1</b><br>SQNR %2 dB (%3)")
            .arg(layers_[index].toHtmlEscaped(), decibels(values_[static_cast<size_t>(index)]),
                 measure_ == Measure::Alone ? tr("alone") : tr("propagated"));
    QToolTip::showText(event->globalPosition().toPoint(), text, plot_);
}

}  // namespace qf::ui

#include "ui/comparison/heat_map_control.h"

#include <QAction>
#include <QComboBox>
#include <algorithm>
#include <cmath>
#include <limits>

#include "ui/calibration/quant_session.h"
#include "ui/graph_view.h"

namespace qf::ui {
namespace {

bool isCosine(HeatMapControl::Measure measure) {
    return measure == HeatMapControl::CosinePropagated || measure == HeatMapControl::CosineAlone;
}

double valueOf(const qf::LayerError& layer, HeatMapControl::Measure measure) {
    switch (measure) {
        case HeatMapControl::SqnrPropagated:
            return layer.sqnrDb;
        case HeatMapControl::SqnrAlone:
            return layer.aloneSqnrDb;
        case HeatMapControl::CosinePropagated:
            return layer.cosine;
        case HeatMapControl::CosineAlone:
            return layer.aloneCosine;
    }
    return 0.0;
}

// Where a value sits on the scale before it is stretched to 0..1. Cosines crowd just below 1,
// so they are spread by their "nines", -log10(1 - cosine), capped at 1 - 1e-9.
double scaleOf(double value, bool cosine) {
    if (!cosine) return value;
    const double distance = std::max(1.0 - value, 1e-9);
    return -std::log10(distance);
}

double valueAt(double scale, bool cosine) { return cosine ? 1.0 - std::pow(10.0, -scale) : scale; }

QString text(double value, bool cosine) {
    if (std::isinf(value)) return value > 0 ? QStringLiteral("∞") : QStringLiteral("−∞");
    if (!cosine) return QString::number(value, 'f', 1);
    // Enough digits to tell the ticks apart: as many as the nines, and two more.
    const int nines = static_cast<int>(std::floor(scaleOf(value, true)));
    return QString::number(value, 'f', std::clamp(nines + 2, 2, 9));
}

}  // namespace

HeatMapControl::HeatMapControl(GraphView& view, QuantSession& session, QWidget* window)
    : QObject(window), view_(view), session_(session) {
    toggle_ = new QAction(tr("Int8 Error &Heat Map"), this);
    toggle_->setIconText(tr("Heat Map"));
    toggle_->setCheckable(true);
    toggle_->setToolTip(tr("Colour every quantized layer by its int8 error"));
    measure_ = new QComboBox(window);
    measure_->setObjectName(QStringLiteral("HeatMapMeasure"));
    measure_->addItem(tr("SQNR, propagated"), SqnrPropagated);
    measure_->addItem(tr("SQNR, alone"), SqnrAlone);
    measure_->addItem(tr("Cosine, propagated"), CosinePropagated);
    measure_->addItem(tr("Cosine, alone"), CosineAlone);
    measure_->setToolTip(
        tr("Propagated: the int8 model's own tensor; alone: the layer on FP32 inputs"));
    view_.heatLegend()->setControl(measure_);
    connect(toggle_, &QAction::toggled, this, [this] { refresh(); });
    connect(measure_, qOverload<int>(&QComboBox::currentIndexChanged), this, [this] { refresh(); });
    connect(&session_, &QuantSession::comparisonUpdated, this, [this] {
        if (isShown()) refresh();
    });
}

void HeatMapControl::setShown(bool on) { toggle_->setChecked(on); }

bool HeatMapControl::isShown() const { return toggle_->isChecked(); }

void HeatMapControl::refresh() {
    if (!isShown()) {
        view_.setHeatMap(std::nullopt);
        return;
    }
    view_.setHeatMap(heatMapOf(session_, static_cast<Measure>(measure_->currentData().toInt())));
}

HeatMap HeatMapControl::heatMapOf(const QuantSession& session, Measure measure) {
    HeatMap map;
    const ComparisonResult* result = session.comparison();
    const bool cosine = isCosine(measure);
    const bool alone = measure == SqnrAlone || measure == CosineAlone;
    const QString what = cosine ? tr("cosine") : tr("SQNR (dB)");
    map.title = alone ? tr("Int8 error: %1, each layer alone").arg(what)
                      : tr("Int8 error: %1, propagated").arg(what);
    if (!result) {
        map.title = tr("Int8 error: calibrate first");
        return map;
    }
    for (const auto& [node, why] : result->plan.fp32Nodes())
        map.fp32[QString::fromStdString(node)] =
            tr("Kept in FP32: %1").arg(QString::fromStdString(why));
    // The scale spans the finite values; an exact layer (∞ dB, cosine 1) sits at the best end.
    double low = std::numeric_limits<double>::infinity(), high = -low;
    for (const auto& layer : result->report.layers) {
        const double v = scaleOf(valueOf(layer, measure), cosine);
        if (!std::isfinite(v)) continue;
        low = std::min(low, v);
        high = std::max(high, v);
    }
    if (!std::isfinite(low)) low = high = 0.0;
    const double span = high - low;
    for (const auto& layer : result->report.layers) {
        const double value = valueOf(layer, measure);
        const double v = scaleOf(value, cosine);
        double position = 1.0;
        if (std::isfinite(v))
            position = span > 0 ? (v - low) / span : 1.0;
        else if (v < 0)
            position = 0.0;
        const QString node = QString::fromStdString(layer.name);
        map.positions[node] = position;
        map.notes[node] = tr("int8 %1: <b>%2</b>").arg(what, text(value, cosine));
    }
    for (int k = 0; k <= 4; ++k) {
        const double position = k / 4.0;
        if (span <= 0 && k > 0) break;
        map.ticks.emplace_back(span > 0 ? position : 1.0,
                               text(valueAt(low + position * span, cosine), cosine));
    }
    return map;
}

}  // namespace qf::ui

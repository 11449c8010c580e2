#pragma once
#include <QStringList>
#include <QWidget>
#include <vector>

#include "evaluate/int8_comparison.h"

class QCPBars;
class QCPItemRect;
class QCustomPlot;
class QComboBox;
class QMouseEvent;
class QSpinBox;

namespace qf::ui {

// Per-layer SQNR of the int8 model as bars in graph order, propagated (the int8 model's own
// tensors) or alone (each layer on FP32 inputs). The worst few layers are drawn red so they
// stand out; hovering a bar names it, clicking one activates the layer.
class LayerSqnrChart : public QWidget {
    Q_OBJECT
public:
    enum class Measure { Propagated, Alone };
    explicit LayerSqnrChart(QWidget* parent = nullptr);

    // The report's layers (nullptr clears the chart). The report must outlive the next call.
    void setReport(const qf::Int8ComparisonReport* report);
    void setMeasure(Measure measure);
    // Outlines the bar of the layer selected elsewhere (the graph); "" or a layer without a bar
    // removes the outline.
    void setSelectedLayer(const QString& layer);
    const QString& selectedLayer() const { return selected_; }
    bool selectionShown() const;
    Measure measure() const { return measure_; }

    // The bars' layers in graph order, their SQNR in dB (∞ for an exact layer) under the
    // measure in use, and the ones drawn red.
    const QStringList& layers() const { return layers_; }
    const std::vector<double>& values() const { return values_; }
    QStringList worstLayers() const;

    QCustomPlot* plot() const { return plot_; }
    QCPBars* bars() const { return bars_; }        // the other layers
    QCPBars* worstBars() const { return worst_; }  // the worst ones, red
    QComboBox* measureBox() const { return measureBox_; }
    QSpinBox* worstCountBox() const { return worstCount_; }
    // Where bar `index` is drawn (its middle), in the plot's pixels.
    QPoint barCentre(int index) const;

signals:
    void layerActivated(const QString& layer);

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    void rebuild();
    void updateTicks();
    void placeSelection();
    int barAt(const QPoint& pixel) const;
    void onMouseMove(QMouseEvent* event);

    const qf::Int8ComparisonReport* report_ = nullptr;
    Measure measure_ = Measure::Propagated;
    QStringList layers_;
    std::vector<double> values_;   // the report's numbers
    std::vector<double> heights_;  // what the bars show (∞ capped above the largest number)
    std::vector<bool> worstFlags_;
    QCustomPlot* plot_;
    QCPBars* bars_;
    QCPBars* worst_;
    QCPItemRect* selection_;
    QString selected_;
    QComboBox* measureBox_;
    QSpinBox* worstCount_;
};

}  // namespace qf::ui

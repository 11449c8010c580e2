#pragma once
#include <QWidget>

#include "ui/calibration/quant_session.h"

class QLabel;
class QSortFilterProxyModel;
class QStandardItemModel;
class QTableView;
class QTableWidget;
class QTabWidget;

namespace qf::ui {

class BudgetView;
class ImageStrip;
class LayerSqnrChart;
class SensitivityView;

// The live int8-vs-FP32 numbers: per output (cosine, worst-image cosine, SQNR, max |Δ|), top-1
// and agreement when the images have labels, and a sortable per-layer table whose FP32 keep
// tick boxes edit the plan. Marked stale while an edit is being measured. Beside the table: a
// bar chart of the per-layer SQNR in graph order, the layer-sensitivity ranking on demand, the
// precision-budget search (the FP32 keeps that meet a bar, applied in one step) and,
// for classifiers, the image strip of FP32 vs int8 top-3. A layer clicked in any of them is
// activated (the window selects it in the graph and shows its histogram).
class ComparisonPanel : public QWidget {
    Q_OBJECT
public:
    enum Column {
        Layer,
        Cosine,
        Sqnr,
        AloneCosine,
        AloneSqnr,
        Threshold,
        Method,
        Signedness,
        KeepFp32,
        BiasCorrection,
        ColumnCount
    };
    explicit ComparisonPanel(QuantSession& session, QWidget* parent = nullptr);

    QTableWidget* outputsTable() const { return outputs_; }
    QTableView* layersView() const { return layers_; }
    QStandardItemModel* layersModel() const { return model_; }
    QLabel* staleLabel() const { return stale_; }
    QTabWidget* tabs() const { return tabs_; }
    LayerSqnrChart* sqnrChart() const { return chart_; }
    SensitivityView* sensitivityView() const { return sensitivity_; }
    BudgetView* budgetView() const { return budget_; }
    ImageStrip* imageStrip() const { return strip_; }
    // Follows the selection made elsewhere (the graph): the layer's bar outlined, its rows
    // selected (without activating it again).
    void showLayer(const QString& layer);
    // The source-model row of a layer, -1 when absent.
    int rowOf(const QString& layer) const;

signals:
    void nodeActivated(const QString& name);

private:
    void refresh();

    QuantSession& session_;
    QLabel* stale_;
    QLabel* summary_;
    QTableWidget* outputs_;
    QTableView* layers_;
    QStandardItemModel* model_;
    QSortFilterProxyModel* proxy_;
    QTabWidget* tabs_;
    LayerSqnrChart* chart_;
    SensitivityView* sensitivity_;
    BudgetView* budget_;
    ImageStrip* strip_;
    bool filling_ = false;
};

}  // namespace qf::ui

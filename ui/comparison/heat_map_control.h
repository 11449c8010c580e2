#pragma once
#include <QObject>

class QAction;
class QComboBox;
class QWidget;

namespace qf::ui {

class GraphView;
class QuantSession;
struct HeatMap;

// The error heat map's switch: a checkable action (for the View menu and the tool bar) and the
// measure (SQNR or cosine, propagated or alone), chosen on the legend. While on, every
// comparison update recolours the graph.
class HeatMapControl : public QObject {
    Q_OBJECT
public:
    enum Measure { SqnrPropagated, SqnrAlone, CosinePropagated, CosineAlone };
    HeatMapControl(GraphView& view, QuantSession& session, QWidget* window);

    QAction* toggleAction() const { return toggle_; }
    QComboBox* measureBox() const { return measure_; }
    void setShown(bool on);
    bool isShown() const;

    // The heat map of the session's last comparison under a measure (empty without one).
    static HeatMap heatMapOf(const QuantSession& session, Measure measure);

private:
    void refresh();

    GraphView& view_;
    QuantSession& session_;
    QAction* toggle_;
    QComboBox* measure_;
};

}  // namespace qf::ui

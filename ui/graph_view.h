#pragma once
#include <QGraphicsView>
#include <QImage>
#include <QPointer>
#include <QRegularExpression>
#include <QStringList>
#include <QWidget>
#include <optional>

#include "ui/graph_items.h"

namespace qf::ui {

struct GraphPicture;
class GraphView;

// The overview of a big graph: the whole scene rendered once into an image, with the main
// view's visible area drawn on it; a click or drag moves the main view there.
class MiniMap : public QWidget {
    Q_OBJECT
public:
    explicit MiniMap(GraphView* view);
    void renderScene();
    void updateViewport();
    void setEnabledForGraph(bool enabled) {
        enabled_ = enabled;
        if (!enabled) hide();
    }

protected:
    void paintEvent(QPaintEvent*) override;
    void mousePressEvent(QMouseEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;

private:
    QRectF imageRect() const;
    void centreAt(QPointF widgetPoint);
    GraphView* view_;
    QImage image_;
    QRectF sceneRect_;
    bool enabled_ = false;
};

// An error heat map over the graph: each quantized node's place on the colour scale (0 the
// worst end, 1 the best), the nodes kept in FP32, and the legend's title and numbered ticks.
struct HeatMap {
    QString title;
    std::map<QString, double> positions;            // node -> 0..1
    std::map<QString, QString> notes;               // node -> a tooltip line (its value)
    std::map<QString, QString> fp32;                // node kept in FP32 -> why
    std::vector<std::pair<double, QString>> ticks;  // position -> the number written there
};

// The heat map's colour scale, 0 (worst: red) through yellow to 1 (best: green); light enough
// for the dark box text.
QColor heatColour(double position);

// The heat map's legend in a corner of the graph view: a control of the caller's on top (the
// measure's choice), the title, the colour scale with its numbers, and the FP32 swatch.
class HeatLegend : public QWidget {
    Q_OBJECT
public:
    explicit HeatLegend(QWidget* parent);
    void setHeatMap(const HeatMap& map);
    const HeatMap& heatMap() const { return map_; }
    void setControl(QWidget* control);  // reparented into the legend

protected:
    void paintEvent(QPaintEvent*) override;

private:
    void updateSize();
    int top() const;  // where the painted part starts
    HeatMap map_;
    QWidget* control_ = nullptr;
};

// The graph: wheel zoom (about the pointer), drag to pan, fit, zoom to selection, find with a
// regular expression over node names, ops and tensor names, the minimap, PNG/SVG export.
class GraphView : public QGraphicsView {
    Q_OBJECT
public:
    explicit GraphView(QWidget* parent = nullptr);
    ~GraphView() override;

    GraphScene* graphScene() const { return scene_; }
    // Builds the scene of a laid-out picture, keeping the zoom and the part of the graph in view
    // when it shows the same model (after a fold), fitting it otherwise.
    void showPicture(const GraphPicture& picture, bool keepViewport);
    void clearPicture();

    double zoom() const { return transform().m11(); }
    void setZoom(double zoom);
    void zoomBy(double factor);
    void fitToWindow();
    void zoomToSelection();
    QString selectedNode() const;
    void selectNode(const QString& name, bool centre);
    void centreOnNode(const QString& name);

    // Find: the hits of `pattern` (a regular expression, case-insensitive), in graph order.
    // Returns the number of hits; findNext/findPrevious select and centre the next one.
    int find(const QString& pattern);
    const QStringList& findHits() const { return hits_; }
    int findIndex() const { return hitIndex_; }
    QString findNext();
    QString findPrevious();
    bool findPatternValid() const { return patternValid_; }

    bool exportPng(const QString& path) const;
    bool exportSvg(const QString& path) const;
    QImage renderImage(double scale) const;

    MiniMap* miniMap() const { return miniMap_; }

    // Colours the nodes by their int8 error (kept across a rebuild of the picture) and shows the
    // legend; nullopt restores the kind colours.
    void setHeatMap(std::optional<HeatMap> map);
    bool heatMapShown() const { return heatMap_.has_value(); }
    HeatLegend* heatLegend() const { return heatLegend_; }

signals:
    void nodeSelected(const QString& name);  // "" when nothing is selected
    void nodeContextMenu(const QString& name, const QPoint& globalPos);
    void zoomChanged(double zoom);

protected:
    void wheelEvent(QWheelEvent* event) override;
    void resizeEvent(QResizeEvent* event) override;
    void contextMenuEvent(QContextMenuEvent* event) override;
    void scrollContentsBy(int dx, int dy) override;
    void keyPressEvent(QKeyEvent* event) override;

private:
    void updateSceneMargins();
    void placeMiniMap();
    void showHit();
    void applyHeatMap();

    GraphScene* scene_;
    MiniMap* miniMap_;
    HeatLegend* heatLegend_;
    std::optional<HeatMap> heatMap_;
    QStringList hits_;
    int hitIndex_ = -1;
    bool patternValid_ = true;
    QString highlighted_;
    bool updatingSelection_ = false;
    std::map<QString, QStringList> searchText_;  // node -> names it answers to
    std::vector<QString> order_;                 // nodes in graph order
};

}  // namespace qf::ui

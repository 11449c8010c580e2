#pragma once
#include <QPointF>
#include <QRectF>
#include <QSizeF>
#include <utility>
#include <vector>

#include "util/progress.h"

namespace qf::ui {

// What Graphviz needs to place a graph: box sizes (in scene units, 1 unit = 1 point) and edges
// between box indices. Plain data, so a worker thread can lay it out.
struct LayoutRequest {
    std::vector<QSizeF> boxes;
    std::vector<std::pair<int, int>> edges;  // (from, to) box indices
};

struct LayoutResult {
    std::vector<QPointF> centres;  // per box, y pointing down
    // Per edge: the spline as cubic Bézier control points (start, then 3 per segment), and
    // where the arrow head ends (equal to the last control point when dot drew no head).
    std::vector<std::vector<QPointF>> edgeSplines;
    std::vector<QPointF> arrowTips;
    QRectF bounds;
};

// Top-to-bottom layout by Graphviz dot. libgvc keeps global state, so calls are serialized by
// a mutex; call it from a worker thread (a big graph takes seconds). Throws qf::Error when
// Graphviz fails; honours the progress's cancel flag before and after the layout itself.
LayoutResult layoutGraph(const LayoutRequest& request, const qf::Progress& progress = {});

}  // namespace qf::ui

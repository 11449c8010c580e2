#include "ui/graph_layout.h"

#include <graphviz/cgraph.h>
#include <graphviz/gvc.h>

#include <memory>
#include <mutex>
#include <string>

#include "util/error.h"

namespace qf::ui {
namespace {

// One layout at a time in the whole process: libgvc and cgraph are not re-entrant.
std::mutex& graphvizMutex() {
    static std::mutex mutex;
    return mutex;
}

constexpr double kPointsPerInch = 72.0;

void setAttribute(void* object, const char* name, const std::string& value) {
    agsafeset(object, const_cast<char*>(name), const_cast<char*>(value.c_str()),
              const_cast<char*>(""));
}

struct GraphvizContext {
    GVC_t* gvc = gvContext();
    ~GraphvizContext() { gvFreeContext(gvc); }
};
struct GraphvizGraph {
    Agraph_t* graph = nullptr;
    GVC_t* gvc = nullptr;
    bool laidOut = false;
    ~GraphvizGraph() {
        if (laidOut) gvFreeLayout(gvc, graph);
        if (graph) agclose(graph);
    }
};

}  // namespace

LayoutResult layoutGraph(const LayoutRequest& request, const qf::Progress& progress) {
    const long total = 3;
    progress.step(0, total, "layout");
    progress.throwIfCancelled();
    const std::lock_guard<std::mutex> lock(graphvizMutex());
    progress.throwIfCancelled();

    GraphvizContext context;
    GraphvizGraph g;
    g.gvc = context.gvc;
    g.graph = agopen(const_cast<char*>("g"), Agdirected, nullptr);
    if (!g.graph) throw Error("Graphviz could not create a graph");
    setAttribute(g.graph, "rankdir", "TB");
    setAttribute(g.graph, "nodesep", "0.35");
    // Room between ranks for the tensor-shape label written on each edge.
    setAttribute(g.graph, "ranksep", "0.58");
    if (request.boxes.size() > 1000) {
        // Big graphs: dot's time goes into network simplex (ranking and x positions); capping
        // its iterations (nslimit, per node) cuts a 4000-node layout from 23 s to 3 s of CPU with
        // barely visible changes on chain-like CNN graphs. Fewer crossing passes help too.
        setAttribute(g.graph, "nslimit", "0.2");
        setAttribute(g.graph, "nslimit1", "0.2");
        setAttribute(g.graph, "mclimit", "0.3");
    }

    std::vector<Agnode_t*> nodes;
    nodes.reserve(request.boxes.size());
    for (size_t k = 0; k < request.boxes.size(); ++k) {
        Agnode_t* node = agnode(g.graph, const_cast<char*>(("n" + std::to_string(k)).c_str()), 1);
        setAttribute(node, "shape", "box");
        setAttribute(node, "fixedsize", "true");
        setAttribute(node, "label", "");
        setAttribute(node, "width", std::to_string(request.boxes[k].width() / kPointsPerInch));
        setAttribute(node, "height", std::to_string(request.boxes[k].height() / kPointsPerInch));
        nodes.push_back(node);
    }
    std::vector<Agedge_t*> edges;
    edges.reserve(request.edges.size());
    for (const auto& [from, to] : request.edges)
        edges.push_back(agedge(g.graph, nodes.at(from), nodes.at(to), nullptr, 1));
    progress.step(1, total, "layout");

    if (gvLayout(context.gvc, g.graph, "dot") != 0) throw Error("Graphviz dot layout failed");
    g.laidOut = true;
    progress.step(2, total, "layout");

    const boxf box = GD_bb(g.graph);
    const double top = box.UR.y;  // dot's y points up; the scene's points down
    const auto toScene = [top](pointf p) { return QPointF(p.x, top - p.y); };
    LayoutResult result;
    result.bounds = QRectF(QPointF(box.LL.x, 0), QPointF(box.UR.x, box.UR.y - box.LL.y));
    result.centres.reserve(nodes.size());
    for (Agnode_t* node : nodes) result.centres.push_back(toScene(ND_coord(node)));
    result.edgeSplines.reserve(edges.size());
    for (Agedge_t* edge : edges) {
        std::vector<QPointF> points;
        QPointF tip;
        const splines* spl = ED_spl(edge);
        if (spl && spl->size > 0) {
            const bezier& bz = spl->list[0];
            for (int k = 0; k < bz.size; ++k) points.push_back(toScene(bz.list[k]));
            tip = bz.eflag ? toScene(bz.ep) : points.back();
        }
        result.edgeSplines.push_back(std::move(points));
        result.arrowTips.push_back(tip);
    }
    progress.step(total, total, "layout");
    return result;
}

}  // namespace qf::ui

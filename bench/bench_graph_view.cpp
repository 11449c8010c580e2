// Graph view benchmark: Graphviz layout time for generated ResNet-like graphs (chains of
// Conv-BN-ReLU-Conv-BN-Add-ReLU blocks with the identity shortcut branching around each) of
// about 500, 2000 and 10000 nodes, scene building time, and the frame time of panning the
// view (rendered into a QImage, the raster engine Xvfb also uses) at 100 % and at 30 % zoom.
//   quantfold-bench-graph-view [sizes...]   (default: 500 2000 10000)
#include <QApplication>
#include <QElapsedTimer>
#include <QImage>
#include <QPainter>
#include <QScrollBar>
#include <cstdio>
#include <ctime>

#include "passes/fold_batchnorm.h"
#include "ui/graph_items.h"
#include "ui/graph_layout.h"
#include "ui/graph_view.h"
#include "ui/model_document.h"

namespace {

qf::Graph resnetLike(int targetNodes) {
    qf::Graph graph;
    graph.format = "onnx";
    graph.name = "resnet_like";
    graph.inputs.push_back({"input", {1, 8, 56, 56}, qf::DataType::Float32});
    std::string x = "input";
    const int channels = 8;
    const auto conv = [&](const std::string& name, const std::string& in) {
        graph.weights.set(name + ".w", qf::Tensor::floats({channels, channels, 3, 3}, 0.01f));
        graph.nodes.push_back(qf::makeNode(name, "Conv", {in, name + ".w"}, {name + ".out"},
                                           {{"kernel_shape", qf::Attribute::ofInts({3, 3})},
                                            {"pads", qf::Attribute::ofInts({1, 1, 1, 1})}}));
        return name + ".out";
    };
    const auto bn = [&](const std::string& name, const std::string& in) {
        for (const char* p : {".scale", ".bias", ".mean", ".var"})
            graph.weights.set(name + p, qf::Tensor::floats({channels}, 1.0f));
        graph.nodes.push_back(qf::makeNode(
            name, "BatchNormalization",
            {in, name + ".scale", name + ".bias", name + ".mean", name + ".var"}, {name + ".out"}));
        return name + ".out";
    };
    const auto op = [&](const std::string& name, const std::string& type,
                        std::vector<std::string> in) {
        graph.nodes.push_back(qf::makeNode(name, type, std::move(in), {name + ".out"}));
        return name + ".out";
    };
    x = op("stem_relu", "Relu", {conv("stem", x)});
    for (int block = 0; static_cast<int>(graph.nodes.size()) + 7 <= targetNodes; ++block) {
        const std::string b = "block" + std::to_string(block);
        std::string y = op(b + "_relu1", "Relu", {bn(b + "_bn1", conv(b + "_conv1", x))});
        y = bn(b + "_bn2", conv(b + "_conv2", y));
        x = op(b + "_relu2", "Relu", {op(b + "_add", "Add", {y, x})});
    }
    graph.outputs.push_back({x, {1, channels, 56, 56}, qf::DataType::Float32});
    return graph;
}

double msSince(const QElapsedTimer& timer) { return timer.nsecsElapsed() / 1e6; }

// CPU time of this thread: the machine may be shared, wall time then overstates the work.
double threadCpuMs() {
    timespec t{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

}  // namespace

int main(int argc, char** argv) {
    if (!qEnvironmentVariableIsSet("QT_QPA_PLATFORM")) qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    std::vector<int> sizes;
    for (int k = 1; k < argc; ++k) sizes.push_back(std::atoi(argv[k]));
    if (sizes.empty()) sizes = {500, 2000, 10000};

    std::printf("%8s %8s %18s %12s %16s %16s\n", "nodes", "edges", "layout ms (cpu)", "scene ms",
                "pan 100% ms/fr", "pan 30% ms/fr");
    for (const int size : sizes) {
        auto picture = std::make_shared<qf::ui::GraphPicture>();
        auto graph = std::make_shared<const qf::Graph>(resnetLike(size));
        auto facts = std::make_shared<qf::ui::ModelFacts>();
        facts->candidates = qf::findFoldCandidates(*graph);
        auto shapes = std::make_shared<qf::ui::ShapeMap>();
        for (const auto& node : graph->nodes)
            for (const auto& output : node.outputs) (*shapes)[output] = {1, 8, 56, 56};
        (*shapes)["input"] = {1, 8, 56, 56};
        picture->state = {graph, {}, facts};
        picture->facts = facts;
        picture->shapes = shapes;
        picture->topology = qf::ui::topologyOf(*graph);

        QElapsedTimer timer;
        timer.start();
        const double cpuStart = threadCpuMs();
        const qf::ui::LayoutRequest request = qf::ui::layoutRequestFor(*picture);
        picture->layout = qf::ui::layoutGraph(request);
        const double layoutMs = msSince(timer);
        const double layoutCpuMs = threadCpuMs() - cpuStart;

        qf::ui::GraphView view;
        view.resize(1600, 1000);
        view.show();
        QApplication::processEvents();
        timer.restart();
        view.showPicture(*picture, false);
        QApplication::processEvents();
        const double sceneMs = msSince(timer);

        QImage frame(view.viewport()->size(), QImage::Format_ARGB32_Premultiplied);
        const auto pan = [&](double zoom) {
            view.setZoom(zoom);
            view.centreOnNode(QString::fromStdString(graph->nodes[graph->nodes.size() / 2].name));
            view.setZoom(zoom);
            const int frames = 60;
            QElapsedTimer clock;
            clock.start();
            for (int k = 0; k < frames; ++k) {
                // Pan diagonally, 24 px per frame, as a drag would.
                view.verticalScrollBar()->setValue(view.verticalScrollBar()->value() + 24);
                view.horizontalScrollBar()->setValue(view.horizontalScrollBar()->value() +
                                                     (k % 20 < 10 ? 12 : -12));
                QPainter painter(&frame);
                view.viewport()->render(&painter);
            }
            return msSince(clock) / frames;
        };
        const double pan100 = pan(1.0);
        const double pan30 = pan(0.3);
        std::printf("%8zu %8zu %10.0f (%5.0f) %12.0f %10.2f (%3.0f fps) %8.2f (%3.0f fps)\n",
                    graph->nodes.size(), picture->topology.links.size(), layoutMs, layoutCpuMs,
                    sceneMs, pan100, 1000.0 / pan100, pan30, 1000.0 / pan30);
        std::fflush(stdout);
    }
    return 0;
}

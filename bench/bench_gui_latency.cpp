// The desktop app's latency from the end of a threshold drag to updated numbers: the window
// (offscreen unless a display is given) opens the model, folds it, calibrates, then the line in
// use of a layer's histogram is dragged with the mouse (QTest press / move / release) and the
// time from the release to the comparison's update (no longer stale) is measured, the 150 ms
// debounce included. Layers near the start, the middle and the end of the network; each drag
// repeated. Beside it, in the same run, a full compareInt8 with the same table and options.
// Cases: ResNet-20 on 100 CIFAR-10 images, RetinaFace 288x416 on the 9 face photos.
//   quantfold-bench-gui-latency [DATA_DIR] [REPEATS]
#include <qcustomplot.h>

#include <QApplication>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QTest>
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "bench_timing.h"
#include "evaluate/int8_comparison.h"
#include "histogram_drag.h"
#include "images/image_folder.h"
#include "ui/calibration/histogram_view.h"
#include "ui/calibration/int8_workbench.h"
#include "ui/calibration/quant_session.h"
#include "ui/graph_view.h"
#include "ui/main_window.h"
#include "util/error.h"

namespace {

struct Case {
    std::string name;
    QStringList files;
    QString images;
    int maxImages = 0;
    qf::Preprocessing pre;
};

bool waitFor(const std::function<bool()>& done, int timeoutMs = 900000) {
    QElapsedTimer timer;
    timer.start();
    while (!done()) {
        if (timer.elapsed() > timeoutMs) return false;
        QCoreApplication::processEvents(QEventLoop::AllEvents, 5);
        QTest::qWait(1);
    }
    return true;
}

bool runCase(const Case& c, int repeats) {
    qf::ui::MainWindow window;
    qf::ui::WindowPrompts prompts;
    bool failed = false;
    prompts.showError = [&](const qf::ui::ErrorReport& error) {
        std::fprintf(stderr, "%s: %s\n", c.name.c_str(), error.message.toStdString().c_str());
        failed = true;
    };
    window.setPrompts(prompts);
    window.resize(1600, 1000);
    window.show();
    QElapsedTimer timer;
    timer.start();
    qf::ui::Document& document = *window.document();
    if (!window.openFiles(c.files) ||
        !waitFor([&] { return !document.isBusy() && document.picture(); }))
        return false;
    document.foldAll();
    if (!waitFor([&] { return !document.isBusy(); })) return false;
    QTest::qWait(50);
    if (!waitFor([&] { return !document.isBusy(); })) return false;
    const qint64 openMs = timer.restart();

    qf::ui::Int8Workbench& int8 = *window.int8();
    qf::ui::QuantSession& session = *int8.session();
    session.settings().imageFolder = QFileInfo(c.images).absoluteFilePath();
    session.settings().pre = c.pre;
    session.settings().maxImages = c.maxImages;
    bool calibrated = false, finished = false;
    QObject::connect(&session, &qf::ui::QuantSession::calibrationFinished,
                     [&](bool ok) { calibrated = ok, finished = true; });
    session.calibrate();
    if (!waitFor([&] { return finished; }) || !calibrated) return false;
    const qint64 calibrationMs = timer.restart();
    const auto settled = [&] {
        return session.comparison() && !session.isStale() && !session.isComparing();
    };
    if (!waitFor(settled)) return false;
    const qint64 firstMs = timer.restart();

    const qf::Int8Plan plan = session.comparison()->plan;
    const std::vector<std::string> quantized = plan.quantizedNodes();
    std::printf(
        "%s: %d images, %zu nodes (%zu in int8), open + fold all %lld ms, calibration "
        "%lld ms, first comparison %lld ms\n",
        c.name.c_str(), session.comparison()->report.images, document.state().graph->nodes.size(),
        quantized.size(), static_cast<long long>(openMs), static_cast<long long>(calibrationMs),
        static_cast<long long>(firstMs));
    std::printf("  %-40s %8s %8s %8s %11s %8s\n", "dragged layer (position)", "median", "worst",
                "update", "re-run from", "rebuilt");
    const std::vector<std::pair<const char*, size_t>> positions{
        {"first", 0}, {"middle", quantized.size() / 2}, {"last", quantized.size() - 1}};
    std::vector<double> all;
    for (const auto& [where, index] : positions) {
        const QString node = QString::fromStdString(quantized[index]);
        window.graphView()->selectNode(node, true);
        emit window.graphView()->nodeSelected(node);
        qf::ui::HistogramView& view = *int8.histogramView();
        std::vector<double> latencies, updates;
        size_t firstNode = 0;
        int rebuilt = 0;
        for (int k = 0; k < repeats; ++k) {
            QTest::qWait(200);
            qftest::dragLineInUse(view, 0.8);
            QElapsedTimer release;
            release.start();
            if (!session.isStale()) return false;  // the release must have changed something
            if (!waitFor(settled)) return false;
            latencies.push_back(static_cast<double>(release.nsecsElapsed()) * 1e-6);
            updates.push_back(session.comparison()->seconds * 1000.0);
            firstNode = session.comparison()->stats.firstNode;
            rebuilt = session.comparison()->stats.rebuiltLayers;
        }
        all.insert(all.end(), latencies.begin(), latencies.end());
        const std::string label = quantized[index] + " (" + where + ")";
        std::printf("  %-40s %5.0f ms %5.0f ms %5.0f ms %7zu/%-3zu %8d\n", label.c_str(),
                    qfbench::median(latencies),
                    *std::max_element(latencies.begin(), latencies.end()), qfbench::median(updates),
                    firstNode, document.state().graph->nodes.size(), rebuilt);
    }
    // The full comparison the session's update replaces, same table and options, same run.
    timer.restart();
    qf::ComparisonOptions options;
    options.pre = c.pre;
    options.maxImages = c.maxImages;
    const qf::Int8ComparisonReport full = qf::compareInt8(
        *document.state().graph, session.comparison()->table, session.comparison()->plan.options,
        qf::openImageFolder(c.images.toStdString()), options);
    const double fullMs = static_cast<double>(timer.nsecsElapsed()) * 1e-6;
    const bool same =
        full.outputs.front().cosine == session.comparison()->report.outputs.front().cosine;
    std::printf(
        "  release -> updated numbers: median %.0f ms, worst %.0f ms (150 ms debounce "
        "included); full compareInt8 %.0f ms; same numbers: %s\n",
        qfbench::median(all), *std::max_element(all.begin(), all.end()), fullMs,
        same ? "yes" : "NO");
    return !failed && same;
}

}  // namespace

int main(int argc, char** argv) {
    // The offscreen platform warns on every dock shown; the figures are what matters here.
    qInstallMessageHandler([](QtMsgType type, const QMessageLogContext&, const QString& text) {
        if (text.contains(QLatin1String("propagateSizeHints"))) return;
        std::fprintf(stderr, "%s%s\n", type >= QtWarningMsg ? "warning: " : "",
                     text.toLocal8Bit().constData());
    });
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM") && qEnvironmentVariableIsEmpty("DISPLAY"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    QCoreApplication::setOrganizationName(QStringLiteral("QuantFoldBench"));
    QCoreApplication::setApplicationName(QStringLiteral("quantfold-bench-gui-latency"));
    const QStringList args = QCoreApplication::arguments();
    const QString data = args.size() > 1 ? args[1] : QStringLiteral("../shared/data");
    const int repeats = args.size() > 2 ? std::max(1, args[2].toInt()) : 5;
    const QString cifar = data + QStringLiteral("/cifar10/");
    const QString faces = data + QStringLiteral("/faces/");
    Case resnet{"ResNet-20 (100 images)",
                {cifar + QStringLiteral("resnet20/resnet20_cifar10.onnx")},
                cifar + QStringLiteral("images/calib"),
                100,
                {}};
    resnet.pre.width = resnet.pre.height = 32;
    resnet.pre.scale = 1.0f / 255;
    resnet.pre.mean = {0.485f, 0.456f, 0.406f};
    resnet.pre.std = {0.229f, 0.224f, 0.225f};
    Case retina{"RetinaFace 288x416 (9 photos)",
                {faces + QStringLiteral("retinaface_mnet25/mnet25.prototxt"),
                 faces + QStringLiteral("retinaface_mnet25/mnet25.caffemodel")},
                faces + QStringLiteral("images"),
                0,
                {}};
    retina.pre.width = 288;
    retina.pre.height = 416;
    bool ok = true;
    for (const Case& c : {resnet, retina}) {
        if (!runCase(c, repeats)) {
            std::fprintf(stderr, "quantfold-bench-gui-latency: %s failed\n", c.name.c_str());
            ok = false;
        }
        std::fflush(stdout);
    }
    return ok ? 0 : 1;
}

// The comparison session's update after one tensor's threshold changes, against a full
// compareInt8 on the same images with the same table: ResNet-20 (100 cifar10 eval images) and
// RetinaFace 288x416 (the 9 face photos), a change at the first quantized layer's input and at
// the last one's. Prints the medians and the ratio, and checks the reports agree.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "bench_timing.h"
#include "calibration/calibrator.h"
#include "evaluate/comparison_session.h"
#include "evaluate/int8_comparison.h"
#include "quantize/int8_edit.h"
#include "util/error.h"
#include "workflows/model_loading.h"

using qfbench::Clock;
using qfbench::median;
using qfbench::millisecondsSince;

namespace {

struct Case {
    std::string name, model, weights, calibration, eval;
    qf::Preprocessing pre;
    int calibrationImages = 0, evalImages = 0;
};

bool sameNumbers(const qf::Int8ComparisonReport& a, const qf::Int8ComparisonReport& b) {
    if (a.images != b.images || a.outputs.size() != b.outputs.size() ||
        a.layers.size() != b.layers.size() || a.top1Agreements != b.top1Agreements)
        return false;
    for (size_t k = 0; k < a.outputs.size(); ++k)
        if (std::memcmp(&a.outputs[k].cosine, &b.outputs[k].cosine, sizeof(double)) != 0 ||
            std::memcmp(&a.outputs[k].sqnrDb, &b.outputs[k].sqnrDb, sizeof(double)) != 0)
            return false;
    for (size_t k = 0; k < a.layers.size(); ++k)
        if (std::memcmp(&a.layers[k].cosine, &b.layers[k].cosine, sizeof(double)) != 0 ||
            std::memcmp(&a.layers[k].aloneSqnrDb, &b.layers[k].aloneSqnrDb, sizeof(double)) != 0)
            return false;
    return true;
}

void benchCase(const Case& c, int repeats) {
    const auto graph =
        std::make_shared<const qf::Graph>(qf::loadForQuantization(c.model, c.weights, true).graph);
    qf::CalibrationOptions calibration;
    calibration.pre = c.pre;
    calibration.maxImages = c.calibrationImages;
    const qf::CalibrationTable calibrated =
        qf::calibrate(*graph, qf::openImageFolder(c.calibration), calibration);
    const qf::ImageFolder eval = qf::openImageFolder(c.eval);
    qf::ComparisonSessionOptions options;
    options.comparison.pre = c.pre;
    options.comparison.maxImages = c.evalImages;

    auto start = Clock::now();
    qf::ComparisonSession session(graph, eval, options);
    const double created = millisecondsSince(start);
    qf::CalibrationTable table = calibrated;
    qf::Int8Options int8;
    start = Clock::now();
    const int images = session.update(table, int8).images;
    const double firstUpdate = millisecondsSince(start);
    std::vector<std::string> inputs;
    for (const auto& entry : session.plan().nodes)
        if (entry.precision == qf::NodePrecision::Int8) inputs.push_back(entry.inputs[0].tensor);

    std::printf(
        "%s: %d images, %zu nodes, session created in %.0f ms (FP32 cached), first "
        "update %.0f ms, cache %.1f MB\n",
        c.name.c_str(), images, graph->nodes.size(), created, firstUpdate,
        session.cacheBytes() / 1048576.0);
    std::printf("  %-28s %12s %14s %8s %10s %8s\n", "change", "update ms", "compareInt8 ms",
                "ratio", "first node", "same");
    double compareMs = 0.0;
    for (const bool last : {false, true}) {
        const std::string tensor = last ? inputs.back() : inputs.front();
        const double original = calibrated.tensors.at(tensor).threshold();
        std::vector<double> updates, compares;
        bool same = true;
        size_t firstNode = 0;
        for (int k = 0; k < repeats; ++k) {
            // A different threshold each time, as a drag produces.
            qf::Int8Edit::setManualThreshold(tensor, original * (0.9 - 0.05 * k))
                .apply(table, int8);
            start = Clock::now();
            const qf::Int8ComparisonReport& report = session.update(table, int8);
            updates.push_back(millisecondsSince(start));
            firstNode = session.lastUpdate().firstNode;
            start = Clock::now();
            const qf::Int8ComparisonReport fresh =
                qf::compareInt8(*graph, table, int8, eval, options.comparison);
            compares.push_back(millisecondsSince(start));
            same = same && sameNumbers(report, fresh);
        }
        qf::Int8Edit::clearManualThreshold(tensor).apply(table, int8);
        session.update(table, int8);
        const double u = median(updates), f = median(compares);
        compareMs = f;
        std::printf("  %-28s %12.1f %14.1f %7.1f%% %6zu/%-3zu %8s\n",
                    last ? "threshold at last layer" : "threshold at first layer", u, f,
                    100.0 * u / f, firstNode, graph->nodes.size(), same ? "yes" : "NO");
    }
    // A drag can be on any tensor: one update per quantized tensor, in graph order, against the
    // full comparison's time measured above.
    std::vector<double> ratios;
    for (const auto& tensor : inputs) {
        const double original = calibrated.tensors.at(tensor).threshold();
        qf::Int8Edit::setManualThreshold(tensor, original * 0.85).apply(table, int8);
        start = Clock::now();
        session.update(table, int8);
        ratios.push_back(100.0 * millisecondsSince(start) / compareMs);
        qf::Int8Edit::clearManualThreshold(tensor).apply(table, int8);
        session.update(table, int8);
    }
    const size_t within = static_cast<size_t>(
        std::count_if(ratios.begin(), ratios.end(), [](double r) { return r <= 15.0; }));
    std::printf("  %-28s median %.1f%%, worst %.1f%%, %zu of %zu tensors within 15%%\n",
                "threshold at each tensor", median(ratios),
                *std::max_element(ratios.begin(), ratios.end()), within, ratios.size());
}

}  // namespace

int main(int argc, char** argv) {
    const std::string data = argc > 1 ? argv[1] : "../shared/data";
    const int repeats = argc > 2 ? std::atoi(argv[2]) : 3;
    try {
        const std::string cifar = data + "/cifar10/";
        const std::string faces = data + "/faces/";
        qf::Preprocessing cifarPre;
        cifarPre.width = cifarPre.height = 32;
        cifarPre.scale = 1.0f / 255;
        cifarPre.mean = {0.485f, 0.456f, 0.406f};
        cifarPre.std = {0.229f, 0.224f, 0.225f};
        qf::Preprocessing facePre;
        facePre.width = 288;
        facePre.height = 416;
        benchCase({"ResNet-20", cifar + "resnet20/resnet20_cifar10.onnx", "",
                   cifar + "images/calib", cifar + "images/eval", cifarPre, 200, 100},
                  repeats);
        benchCase({"RetinaFace 288x416", faces + "retinaface_mnet25/mnet25.prototxt",
                   faces + "retinaface_mnet25/mnet25.caffemodel", faces + "images",
                   faces + "images", facePre, 0, 0},
                  repeats);
    } catch (const qf::Error& error) {
        std::fprintf(stderr, "quantfold-bench-session: %s\n", error.what());
        return 1;
    }
    return 0;
}

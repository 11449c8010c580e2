// quantfold-cli bench: how fast a model runs here, FP32 or int8, so users can measure their own
// models the way the project's benchmarks measure the bundled ones.
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <iomanip>
#include <iostream>
#include <random>

#include "cli/cli_options.h"
#include "cli/commands.h"
#include "quantize/int8_model.h"
#include "runtime/executor.h"
#include "runtime/parallel.h"
#include "util/error.h"

namespace qf::cli {
namespace {

// Random normal values (fixed seed) in each input's shape: the batch replaces the first
// dimension, --size the last two of an image; a dimension still unknown is an error.
TensorMap benchInputs(const Graph& graph, int batch, const QCommandLineParser& parser) {
    std::mt19937 random(1);
    std::normal_distribution<float> normal;
    TensorMap feeds;
    for (const auto& input : graph.inputs) {
        Shape shape = input.shape;
        if (!shape.empty()) shape[0] = batch;
        if (shape.size() == 4 && parser.isSet("size")) {
            const auto [width, height] = sizeOption(parser);
            shape[2] = height;
            shape[3] = width;
        }
        for (const int64_t dim : shape)
            if (dim <= 0)
                throw Error("input '" + input.name + "' has the shape " +
                            shapeToString(input.shape) +
                            " with unknown dimensions: give --size WxH (a TensorFlow graph "
                            "also --input-shape)");
        Tensor tensor = Tensor::floats(shape);
        for (auto& value : tensor.f) value = normal(random);
        feeds[input.name] = std::move(tensor);
    }
    return feeds;
}

double peakResidentMegabytes() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return static_cast<double>(usage.ru_maxrss) / 1024.0;  // Linux reports KiB
}

}  // namespace

int runBenchCommand(const QStringList& arguments) {
    QCommandLineParser parser;
    parser.setApplicationDescription(
        "Time inference of a model on random inputs of its input shape: the median and the "
        "fastest of --runs runs after --warmup runs, and the process's peak resident memory. "
        "The model is folded first unless --no-fold, as the int8 commands do.");
    parser.addPositionalArgument("MODEL", "deploy.prototxt, model.onnx or frozen graph .pb");
    parser.addPositionalArgument("WEIGHTS", "the .caffemodel of a Caffe model", "[WEIGHTS]");
    parser.addOption({"precision", "fp32 (default) or int8 (needs --table).", "fp32|int8"});
    parser.addOption({"threads", "Threads (default: all cores).", "N"});
    parser.addOption({"batch", "Batch size (default 1).", "B"});
    parser.addOption({"size", "Input size for an image input (default: the model's).", "WxH"});
    parser.addOption({"runs", "Timed runs (default 10).", "N"});
    parser.addOption({"warmup", "Untimed runs first (default 2).", "N"});
    parser.addOption({"json", "Print one JSON object on stdout."});
    addModelOptions(parser);
    addInt8Options(parser);
    parseOrExit(parser, arguments);
    const ModelArguments args = modelArguments(parser, "bench");
    refuseExtraArguments(args);
    const std::string precision =
        parser.isSet("precision") ? parser.value("precision").toStdString() : "fp32";
    if (precision != "fp32" && precision != "int8")
        throw Error("--precision expects fp32 or int8, got '" + precision + "'");
    const int threads =
        static_cast<int>(wholeNumberOption(parser, "threads", hardwareThreads(), 1));
    const int batch = static_cast<int>(wholeNumberOption(parser, "batch", 1, 1));
    const int runs = static_cast<int>(wholeNumberOption(parser, "runs", 10, 1));
    const int warmup = static_cast<int>(wholeNumberOption(parser, "warmup", 2, 0));

    Diagnostics warnings;
    const Graph graph = loadForQuantization(args, parser, warnings);
    const TensorMap feeds = benchInputs(graph, batch, parser);
    std::optional<Int8Model> int8;
    std::optional<Executor> fp32;
    if (precision == "int8") {
        const Int8Setup setup = int8SetupFrom(parser, graph, args);
        int8.emplace(graph, setup.loaded.table, setup.options);
    } else {
        fp32.emplace(graph);
    }
    const ScopedThreads scopedThreads(threads);
    const auto runOnce = [&] { int8 ? int8->run(feeds) : fp32->run(feeds); };
    for (int k = 0; k < warmup; ++k) runOnce();
    std::vector<double> times;
    for (int k = 0; k < runs; ++k) {
        const auto start = std::chrono::steady_clock::now();
        runOnce();
        times.push_back(
            std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
                .count());
    }
    std::vector<double> sorted = times;
    std::sort(sorted.begin(), sorted.end());
    // The upper median for an even count: one slow run never makes the figure look faster.
    const double median = sorted[sorted.size() / 2], fastest = sorted.front();
    const double peak = peakResidentMegabytes();
    if (parser.isSet("json")) {
        printJson({{"precision", precision},
                   {"threads", threads},
                   {"batch", batch},
                   {"input_shape", feeds.begin()->second.shape},
                   {"runs", runs},
                   {"ms_median", median},
                   {"ms_min", fastest},
                   {"peak_rss_mb", peak}},
                  warnings);
        return 0;
    }
    std::cout << std::fixed << std::setprecision(2) << args.model << ": " << precision << ", "
              << threads << (threads == 1 ? " thread" : " threads") << ", input "
              << shapeToString(feeds.begin()->second.shape) << ": median " << median
              << " ms, fastest " << fastest << " ms over " << runs << " runs; peak memory "
              << std::setprecision(0) << peak << " MB\n";
    return 0;
}

}  // namespace qf::cli

#include "cli/cli_options.h"

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <iostream>

#include "formats/model_io.h"
#include "util/atomic_file.h"
#include "util/error.h"
#include "workflows/int8_setup.h"
#include "workflows/model_loading.h"
#include "workflows/report_json.h"

namespace qf::cli {

ModelArguments modelArguments(const QStringList& positional, const QString& command) {
    if (positional.isEmpty())
        throw Error(
            ("usage: quantfold-cli " + command + " MODEL [WEIGHTS] ...; see --help").toStdString());
    ModelArguments args;
    args.model = positional[0].toStdString();
    int next = 1;
    if (positional[0].endsWith(".prototxt")) {
        if (positional.size() < 2)
            throw Error(args.model + ": a Caffe model needs its .caffemodel as the next argument");
        args.weights = positional[1].toStdString();
        next = 2;
    }
    args.rest = positional.mid(next);
    return args;
}

void addPreprocessingOptions(QCommandLineParser& parser) {
    parser.addOption({"size", "Network input size (default: from the model).", "WxH"});
    parser.addOption({"scale", "Multiply pixels (0..255) by S first (default 1).", "S"});
    parser.addOption({"mean", "Per-channel mean subtracted after scaling.", "a,b,c"});
    parser.addOption({"std", "Per-channel divisor applied last.", "a,b,c"});
    parser.addOption({"rgb", "Feed channels in RGB order (default)."});
    parser.addOption({"bgr", "Feed channels in BGR order."});
    parser.addOption({"resize-shorter", "Resize the shorter image side to N first.", "N"});
    parser.addOption({"center-crop", "Center-crop to the input size after --resize-shorter."});
    parser.addOption({"max-images", "Use at most N images.", "N"});
}

namespace {

std::array<float, 3> threeFloats(const QString& text, const char* flag) {
    const QStringList parts = text.split(',');
    std::array<float, 3> values{};
    bool ok = parts.size() == 3 || parts.size() == 1;
    for (int k = 0; ok && k < 3; ++k) values[k] = parts[parts.size() == 1 ? 0 : k].toFloat(&ok);
    if (!ok)
        throw Error(std::string("--") + flag + " expects a,b,c or one number, got '" +
                    text.toStdString() + "'");
    return values;
}

}  // namespace

void addModelOptions(QCommandLineParser& parser) {
    parser.addOption({"no-fold", "Use the model as it is, without folding BatchNorm/Scale first."});
}

Graph loadModelWithWarnings(const ModelArguments& args, Diagnostics& warnings) {
    Graph graph = loadModel(args.model, args.weights, &warnings);
    printWarnings(warnings);
    return graph;
}

Graph loadForQuantization(const ModelArguments& args, const QCommandLineParser& parser,
                          Diagnostics& warnings) {
    LoadedModel loaded =
        qf::loadForQuantization(args.model, args.weights, !parser.isSet("no-fold"));
    printWarnings(loaded.warnings);
    warnings.insert(warnings.end(), loaded.warnings.begin(), loaded.warnings.end());
    return std::move(loaded.graph);
}

void refuseToOverwriteInputs(const std::string& output, const ModelArguments& args) {
    qf::refuseToOverwriteInputs(output, {args.model, args.weights});
}

void addInt8Options(QCommandLineParser& parser) {
    parser.addOption({"table", "Calibration table (JSON, ncnn or TensorRT cache).", "TABLE"});
    parser.addOption(
        {"method", "Use this method's thresholds from a JSON table instead of the one it selects.",
         "METHOD"});
    parser.addOption({"keep-fp32", "Nodes to keep in FP32 (comma-separated names).", "n1,n2"});
    parser.addOption(
        {"per-tensor-weights", "One weight scale per layer instead of per output channel."});
}

Int8Setup int8SetupFrom(const QCommandLineParser& parser, const Graph& graph) {
    if (!parser.isSet("table")) throw Error("give the calibration table: --table TABLE");
    Int8SetupRequest request;
    request.tablePath = parser.value("table").toStdString();
    if (parser.isSet("method")) request.method = parser.value("method").toStdString();
    for (const auto& name : parser.value("keep-fp32").split(',', Qt::SkipEmptyParts))
        request.keepFp32.push_back(name.toStdString());
    request.perTensorWeights = parser.isSet("per-tensor-weights");
    return setUpInt8(graph, request);
}

Preprocessing preprocessingFrom(const QCommandLineParser& parser) {
    Preprocessing pre;
    if (parser.isSet("size")) {
        const QStringList parts = parser.value("size").toLower().split('x');
        bool okW = false, okH = false;
        if (parts.size() == 2) {
            pre.width = parts[0].toInt(&okW);
            pre.height = parts[1].toInt(&okH);
        }
        if (!okW || !okH || pre.width <= 0 || pre.height <= 0)
            throw Error("--size expects WxH, e.g. 224x224, got '" +
                        parser.value("size").toStdString() + "'");
    }
    if (parser.isSet("scale")) {
        bool ok = false;
        pre.scale = parser.value("scale").toFloat(&ok);
        if (!ok)
            throw Error("--scale expects a number, got '" + parser.value("scale").toStdString() +
                        "'");
    }
    if (parser.isSet("mean")) pre.mean = threeFloats(parser.value("mean"), "mean");
    if (parser.isSet("std")) {
        pre.std = threeFloats(parser.value("std"), "std");
        for (const float s : pre.std)
            if (s == 0.0f) throw Error("--std must not contain 0");
    }
    if (parser.isSet("rgb") && parser.isSet("bgr"))
        throw Error("give either --rgb or --bgr, not both");
    pre.rgb = !parser.isSet("bgr");
    if (parser.isSet("resize-shorter")) {
        bool ok = false;
        pre.resizeShorter = parser.value("resize-shorter").toInt(&ok);
        if (!ok || pre.resizeShorter <= 0)
            throw Error("--resize-shorter expects a positive number");
    }
    pre.centerCrop = parser.isSet("center-crop");
    return pre;
}

void parseOrExit(QCommandLineParser& parser, const QStringList& arguments) {
    parser.addHelpOption();
    if (!parser.parse(arguments)) {
        std::cerr << "quantfold-cli: " << parser.errorText().toStdString() << "\n";
        std::exit(2);
    }
    if (parser.isSet("help")) parser.showHelp(0);
}

Progress stderrProgress(const std::string& task) {
    Progress progress;
    // A terminal gets one line redrawn in place; a log file a line every 10 %.
    const bool terminal = ::isatty(STDERR_FILENO) != 0;
    progress.report = [task, terminal](long done, long total, const std::string&) {
        if (total <= 0) return;
        const long step = std::max<long>(1, total / (terminal ? 100 : 10));
        if (done != total && done % step != 0) return;
        std::fprintf(stderr, terminal ? "\r%s: %ld/%ld" : "%s: %ld/%ld\n", task.c_str(), done,
                     total);
        if (terminal && done == total) std::fprintf(stderr, "\n");
        std::fflush(stderr);
    };
    return progress;
}

void printWarnings(const Diagnostics& warnings) {
    for (const auto& warning : warnings) std::cerr << "warning: " << warning.text() << "\n";
}

void printJson(nlohmann::json object, const Diagnostics& warnings) {
    object["warnings"] = toJson(warnings);
    // Names from a model need not be UTF-8: replaced (U+FFFD) rather than failing the output.
    std::cout << object.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << std::endl;
}

}  // namespace qf::cli

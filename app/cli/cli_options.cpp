#include "cli/cli_options.h"

#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <tuple>

#include "formats/model_io.h"
#include "util/atomic_file.h"
#include "util/error.h"
#include "workflows/int8_setup.h"
#include "workflows/model_loading.h"
#include "workflows/report_json.h"

namespace qf::cli {

namespace {
std::string& modelOfThisCommand() {
    static std::string path;
    return path;
}
}  // namespace

const std::string& commandModelPath() { return modelOfThisCommand(); }

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
    modelOfThisCommand() = args.model;
    return args;
}

void refuseExtraArguments(const ModelArguments& args, int allowed) {
    if (args.rest.size() <= static_cast<qsizetype>(allowed)) return;
    const QString extra = args.rest[allowed];
    const bool weightsForOnnx =
        QString::fromStdString(args.model).endsWith(".onnx") && extra.endsWith(".caffemodel");
    throw Error("unexpected argument '" + extra.toStdString() + "'" +
                (weightsForOnnx ? " (an ONNX model takes no weights file)" : ""));
}

void addProjectOption(QCommandLineParser& parser) {
    parser.addOption(
        {"project",
         "A project saved by the desktop app: its model, folds, images, preprocessing, "
         "calibration settings, table and FP32 keeps (explicit options override them).",
         "P.qfproj"});
}

void addInputShapeOption(QCommandLineParser& parser) {
    parser.addOption({"input-shape",
                      "A TensorFlow graph's input shape in its own order (NHWC for an image), for "
                      "the dimensions its Placeholder leaves unknown; -1 keeps one unknown.",
                      "N,H,W,C"});
}

namespace {

Shape inputShapeOption(const QString& text) {
    const std::optional<Shape> shape = parseInputShape(text.toStdString());
    if (!shape)
        throw Error(
            "--input-shape expects comma-separated dimensions, each positive or -1 (unknown), "
            "e.g. 1,32,32,3; got '" +
            text.toStdString() + "'");
    return *shape;
}

}  // namespace

ModelArguments modelArguments(const QCommandLineParser& parser, const QString& command) {
    const QStringList positional = parser.positionalArguments();
    // optionNames() holds the options given; asking isSet() of an option a command does not
    // define would print a warning.
    const QStringList given = parser.optionNames();
    ModelArguments args;
    if (!given.contains("project")) {
        args = modelArguments(positional, command);
    } else {
        if (!positional.isEmpty()) args = modelArguments(positional, command);
        args.projectPath = parser.value("project").toStdString();
    }
    if (!args.projectPath.empty()) {
        args.project = readProject(args.projectPath);
        if (args.model.empty()) {
            args.model = args.project->model;
            args.weights = args.project->weights;
            modelOfThisCommand() = args.model;
        }
    }
    if (given.contains("input-shape")) {
        args.inputShape = inputShapeOption(parser.value("input-shape"));
        if (!QString::fromStdString(args.model).endsWith(".pb"))
            throw Error(args.model +
                        ": --input-shape is for TensorFlow .pb graphs (Caffe and ONNX models "
                        "declare their input shapes; use --size WxH for the image size)");
    }
    return args;
}

const ProjectImages* projectImages(const ModelArguments& args) {
    if (!args.project) return nullptr;
    if (args.project->int8 && !args.project->int8->images.folder.empty())
        return &args.project->int8->images;
    return &args.project->images;
}

std::string imageFolderFrom(const QCommandLineParser& parser, const ModelArguments& args,
                            const QString& command) {
    if (parser.isSet("images")) return parser.value("images").toStdString();
    if (const ProjectImages* images = projectImages(args); images && !images->folder.empty())
        return images->folder;
    throw Error(command.toStdString() + " needs --images DIR" +
                (args.project ? " (the project " + args.projectPath + " names no images)" : ""));
}

int maxImagesOption(const QCommandLineParser& parser) {
    if (!parser.isSet("max-images")) return 0;
    bool ok = false;
    const int count = parser.value("max-images").toInt(&ok);
    if (!ok || count < 0)
        throw Error("--max-images expects a whole number >= 0 (0: all), got '" +
                    parser.value("max-images").toStdString() + "'");
    return count;
}

int maxImagesFrom(const QCommandLineParser& parser, const ModelArguments& args) {
    if (parser.isSet("max-images")) return maxImagesOption(parser);
    const ProjectImages* images = projectImages(args);
    return images ? images->maxImages : 0;
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
    parser.addOption({"max-image-pixels",
                      QString("Refuse images (as their headers declare them, or as resized) of "
                              "more than N pixels (default %1).")
                          .arg(kDefaultMaxImagePixels),
                      "N"});
}

int64_t wholeNumberOption(const QCommandLineParser& parser, const QString& name, int64_t fallback,
                          int64_t minimum) {
    if (!parser.isSet(name)) return fallback;
    bool ok = false;
    const qlonglong value = parser.value(name).toLongLong(&ok);
    if (!ok || value < minimum)
        throw Error("--" + name.toStdString() + " expects a whole number >= " +
                    std::to_string(minimum) + ", got '" + parser.value(name).toStdString() + "'");
    return value;
}

namespace {

std::array<float, 3> threeFloats(const QString& text, const char* flag) {
    const QStringList parts = text.split(',');
    std::array<float, 3> values{};
    bool ok = parts.size() == 3 || parts.size() == 1;
    for (int k = 0; ok && k < 3; ++k) {
        values[k] = parts[parts.size() == 1 ? 0 : k].toFloat(&ok);
        ok = ok && std::isfinite(values[k]);
    }
    if (!ok)
        throw Error(std::string("--") + flag + " expects a,b,c or one number, got '" +
                    text.toStdString() + "'");
    return values;
}

}  // namespace

void addModelOptions(QCommandLineParser& parser) {
    addInputShapeOption(parser);
    parser.addOption({"no-fold", "Use the model as it is, without folding BatchNorm/Scale first."});
    parser.addOption({"equalize",
                      "Equalize consecutive conv layers' per-channel weight ranges after folding "
                      "(cross-layer equalization; exact in FP32). Calibrate, compare and export "
                      "must all use it or none."});
    parser.addOption({"no-equalize", "Do not equalize (the default; overrides a project)."});
}

Graph loadModelWithWarnings(const ModelArguments& args, Diagnostics& warnings) {
    Graph graph = loadModel(args.model, args.weights, &warnings, {}, args.inputShape);
    printWarnings(warnings);
    return graph;
}

Graph loadForQuantization(const ModelArguments& args, const QCommandLineParser& parser,
                          Diagnostics& warnings, std::optional<EqualizeReport>* equalization,
                          bool foldByDefault) {
    Project project = args.project ? *args.project : Project{};
    project.model = args.model;  // explicit files override the project's
    project.weights = args.weights;
    if (parser.isSet("no-fold")) project.folds.clear();
    if (parser.isSet("equalize") && parser.isSet("no-equalize"))
        throw Error("give either --equalize or --no-equalize, not both");
    const bool equalize = parser.isSet("equalize") ||
                          (!parser.isSet("no-equalize") && project.int8 && project.int8->equalize);
    if (project.int8) project.int8->equalize = false;  // decided here, below
    LoadedModel loaded = args.project
                             ? qf::loadProjectModel(project, args.projectPath, args.inputShape)
                             : qf::loadForQuantization(args.model, args.weights,
                                                       foldByDefault && !parser.isSet("no-fold"),
                                                       false, args.inputShape);
    printWarnings(loaded.warnings);
    warnings.insert(warnings.end(), loaded.warnings.begin(), loaded.warnings.end());
    if (equalize) {
        qf::equalizeLoaded(loaded);
        const EqualizeReport& report = *loaded.equalization;
        if (report.pairs.empty()) {
            std::cerr << "equalize: no conv pair to equalize\n";
        } else {
            double low = report.pairs[0].minScale, high = report.pairs[0].maxScale;
            for (const auto& pair : report.pairs) {
                low = std::min(low, pair.minScale);
                high = std::max(high, pair.maxScale);
            }
            std::cerr << "equalized " << report.pairs.size() << " conv pairs in "
                      << report.iterations << " sweeps (scales " << low << " .. " << high
                      << "); worst per-channel weight range ratio " << report.worstRatioBefore
                      << " -> " << report.worstRatioAfter << "\n";
        }
        if (equalization) *equalization = std::move(loaded.equalization);
    }
    return std::move(loaded.graph);
}

void refuseToOverwriteInputs(const std::string& output, const ModelArguments& args) {
    qf::refuseToOverwriteInputs(output, {args.model, args.weights, args.projectPath});
}

void addInt8Options(QCommandLineParser& parser) {
    parser.addOption({"table", "Calibration table (JSON, ncnn or TensorRT cache).", "TABLE"});
    parser.addOption(
        {"method", "Use this method's thresholds from a JSON table instead of the one it selects.",
         "METHOD"});
    parser.addOption({"keep-fp32", "Nodes to keep in FP32 (comma-separated names).", "n1,n2"});
    parser.addOption(
        {"per-tensor-weights", "One weight scale per layer instead of per output channel."});
    parser.addOption({"per-channel-weights",
                      "One weight scale per output channel (the default; overrides a project)."});
    parser.addOption({"bias-correction",
                      "Apply the table's bias corrections (the default; overrides a project)."});
    parser.addOption({"no-bias-correction", "Ignore the table's bias corrections."});
}

void requireTableEqualization(const Int8Setup& setup, const std::optional<EqualizeReport>& done,
                              const std::string& tablePath) {
    if (setup.loaded.format != TableFormat::Json) return;
    const bool equalized = done && !done->pairs.empty();
    if (setup.loaded.table.equalized && !equalized)
        throw Error(tablePath +
                    ": the table was calibrated on an equalized graph (calibrate "
                    "--equalize); " +
                    (done ? "equalizing this model changes nothing (no conv pair): is it the "
                            "table of another model?"
                          : "give --equalize here too"));
    if (!setup.loaded.table.equalized && equalized)
        throw Error(tablePath +
                    ": the table was calibrated without equalization; drop --equalize (or "
                    "calibrate again with it)");
}

std::string tablePathFrom(const QCommandLineParser& parser, const ModelArguments& args) {
    if (parser.isSet("table")) return parser.value("table").toStdString();
    if (args.project && args.project->int8 && !args.project->int8->table.empty())
        return args.project->int8->table;
    if (args.project)
        throw Error(args.projectPath +
                    ": the project has no calibration table; calibrate it or give --table TABLE");
    throw Error("give the calibration table: --table TABLE");
}

Int8Setup int8SetupFrom(const QCommandLineParser& parser, const Graph& graph,
                        const ModelArguments& args) {
    const ProjectInt8* saved = args.project && args.project->int8 ? &*args.project->int8 : nullptr;
    Int8SetupRequest request;
    request.tablePath = tablePathFrom(parser, args);
    if (parser.isSet("method")) request.method = parser.value("method").toStdString();
    if (parser.isSet("keep-fp32")) {
        for (const auto& name : parser.value("keep-fp32").split(',', Qt::SkipEmptyParts))
            request.keepFp32.push_back(name.toStdString());
    } else if (saved) {
        request.keepFp32 = saved->keepFp32;
    }
    if (parser.isSet("per-tensor-weights") && parser.isSet("per-channel-weights"))
        throw Error("give either --per-tensor-weights or --per-channel-weights, not both");
    request.perTensorWeights =
        parser.isSet("per-tensor-weights") ||
        (!parser.isSet("per-channel-weights") && saved && !saved->perChannelWeights);
    if (parser.isSet("bias-correction") && parser.isSet("no-bias-correction"))
        throw Error("give either --bias-correction or --no-bias-correction, not both");
    request.biasCorrection =
        parser.isSet("bias-correction") ||
        (!parser.isSet("no-bias-correction") && (!saved || saved->biasCorrection));
    return setUpInt8(graph, request);
}

std::pair<int, int> sizeOption(const QCommandLineParser& parser) {
    const QStringList parts = parser.value("size").toLower().split('x');
    bool okW = false, okH = false;
    int width = 0, height = 0;
    if (parts.size() == 2) {
        width = parts[0].toInt(&okW);
        height = parts[1].toInt(&okH);
    }
    if (!okW || !okH || width <= 0 || height <= 0)
        throw Error("--size expects WxH, e.g. 224x224, got '" + parser.value("size").toStdString() +
                    "'");
    return {width, height};
}

Preprocessing preprocessingFrom(const QCommandLineParser& parser, Preprocessing base) {
    Preprocessing pre = base;
    pre.maxImagePixels = wholeNumberOption(parser, "max-image-pixels", pre.maxImagePixels, 1);
    if (parser.isSet("size")) {
        std::tie(pre.width, pre.height) = sizeOption(parser);
        // Refused once here rather than once per image, as every image would fail alike.
        if (exceedsPixelLimit(pre.width, pre.height, pre))
            throw Error("--size " + parser.value("size").toStdString() +
                        " is larger than the image limit of " + pixelLimitText(pre));
    }
    if (parser.isSet("scale")) {
        bool ok = false;
        pre.scale = parser.value("scale").toFloat(&ok);
        if (!ok || !std::isfinite(pre.scale) || pre.scale == 0.0f)
            throw Error("--scale expects a finite number other than 0, got '" +
                        parser.value("scale").toStdString() + "'");
    }
    if (parser.isSet("mean")) pre.mean = threeFloats(parser.value("mean"), "mean");
    if (parser.isSet("std")) {
        pre.std = threeFloats(parser.value("std"), "std");
        for (const float s : pre.std)
            if (s == 0.0f) throw Error("--std must not contain 0");
    }
    if (parser.isSet("rgb") && parser.isSet("bgr"))
        throw Error("give either --rgb or --bgr, not both");
    if (parser.isSet("rgb")) pre.rgb = true;
    if (parser.isSet("bgr")) pre.rgb = false;
    if (parser.isSet("resize-shorter")) {
        bool ok = false;
        pre.resizeShorter = parser.value("resize-shorter").toInt(&ok);
        if (!ok || pre.resizeShorter <= 0)
            throw Error("--resize-shorter expects a positive number");
        if (exceedsPixelLimit(pre.resizeShorter, pre.resizeShorter, pre))
            throw Error("--resize-shorter " + std::to_string(pre.resizeShorter) +
                        " makes every image larger than the limit of " + pixelLimitText(pre));
    }
    if (parser.isSet("center-crop")) pre.centerCrop = true;
    return pre;
}

void parseOrExit(QCommandLineParser& parser, const QStringList& arguments) {
    parser.addOption({"max-tensor-values",
                      QString("Refuse any tensor of more than N values, before allocating it "
                              "(default %1, or QUANTFOLD_MAX_TENSOR_VALUES).")
                          .arg(kDefaultMaxTensorValues),
                      "N"});
    parser.addHelpOption();
    if (!parser.parse(arguments)) {
        std::cerr << "quantfold-cli: " << parser.errorText().toStdString() << "\n";
        std::exit(2);
    }
    if (parser.isSet("help")) parser.showHelp(0);
    setMaxTensorValues(wholeNumberOption(parser, "max-tensor-values", maxTensorValues(), 1));
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

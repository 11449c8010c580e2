#include <filesystem>
#include <iostream>

#include "calibration/calibrator.h"
#include "calibration/table_files.h"
#include "cli/cli_options.h"
#include "cli/commands.h"
#include "util/atomic_file.h"
#include "util/error.h"
#include "workflows/report_json.h"

namespace qf::cli {

int runCalibrateCommand(const QStringList& arguments) {
    QCommandLineParser parser;
    parser.setApplicationDescription(
        "Run the (folded) model in FP32 over calibration images, collect activation histograms and "
        "choose int8 thresholds; write the table as JSON (all methods), ncnn or TensorRT.");
    parser.addPositionalArgument("MODEL",
                                 "deploy.prototxt, model.onnx or frozen graph .pb (or --project)");
    parser.addPositionalArgument("WEIGHTS", "the .caffemodel of a Caffe model", "[WEIGHTS]");
    parser.addOption({"images", "Folder of calibration images.", "DIR"});
    parser.addOption({"method",
                      "auto (default: per tensor, the threshold whose int8 layers err least), kl, "
                      "minmax, percentile, mse or aciq.",
                      "METHOD", "auto"});
    parser.addOption(
        {"percentile", "Percentile for --method percentile (default 99.99).", "P", "99.99"});
    parser.addOption(
        {"per-tensor-weights", "One weight scale per layer instead of per output channel."});
    parser.addOption({"per-channel-weights",
                      "One weight scale per output channel (the default; overrides a project)."});
    parser.addOption({"format", "json (default), ncnn or tensorrt.", "FORMAT", "json"});
    parser.addOption({{"o", "output"}, "Output table file.", "TABLE"});
    parser.addOption({"json", "Print one JSON object on stdout."});
    addProjectOption(parser);
    addModelOptions(parser);
    addPreprocessingOptions(parser);
    parseOrExit(parser, arguments);
    const ModelArguments args = modelArguments(parser, "calibrate");
    refuseExtraArguments(args);
    const std::string imageFolder = imageFolderFrom(parser, args, "calibrate");
    if (!parser.isSet("output")) throw Error("calibrate needs an output table: -o TABLE");
    const ProjectInt8* saved = args.project && args.project->int8 ? &*args.project->int8 : nullptr;
    CalibrationOptions options;
    if (saved && !parser.isSet("method"))
        options.method = saved->method;
    else if (!parseMethod(parser.value("method").toStdString(), options.method))
        throw Error("unknown --method '" + parser.value("method").toStdString() +
                    "' (auto, kl, minmax, percentile, mse, aciq)");
    TableFormat format;
    if (!parseTableFormat(parser.value("format").toStdString(), format))
        throw Error("unknown --format '" + parser.value("format").toStdString() +
                    "' (json, ncnn, tensorrt)");
    bool ok = false;
    options.thresholds.percentile = parser.value("percentile").toDouble(&ok);
    if (!ok || options.thresholds.percentile <= 0 || options.thresholds.percentile > 100)
        throw Error("--percentile expects a number in (0, 100]");
    const ProjectImages* images = projectImages(args);
    options.pre = preprocessingFrom(parser, images ? images->preprocessing : Preprocessing{});
    // Bias corrections are measured for one weight granularity: the one compare will use.
    if (parser.isSet("per-tensor-weights") && parser.isSet("per-channel-weights"))
        throw Error("give either --per-tensor-weights or --per-channel-weights, not both");
    const bool perTensor =
        parser.isSet("per-tensor-weights") ||
        (!parser.isSet("per-channel-weights") && saved && !saved->perChannelWeights);
    options.perChannelWeights = !perTensor;
    options.maxImages = maxImagesFrom(parser, args);
    Diagnostics warnings;
    std::optional<EqualizeReport> equalization;
    const Graph graph = loadForQuantization(args, parser, warnings, &equalization);
    const ImageFolder folder = openImageFolder(imageFolder);
    CalibrationTable table = calibrate(graph, folder, options, stderrProgress("calibrate"));
    table.equalized = equalization && !equalization->pairs.empty();
    const std::string out = parser.value("output").toStdString();
    // Nor over one of the calibration images or the folder's labels.
    std::vector<std::string> inputs = {
        args.model, args.weights, args.projectPath,
        (std::filesystem::path(imageFolder) / "labels.txt").string()};
    for (const auto& image : folder.images) inputs.push_back(image.path);
    qf::refuseToOverwriteInputs(out, inputs);
    writeCalibrationTable(graph, table, format, out, perTensor);
    if (parser.isSet("json")) {
        nlohmann::json summary = calibrationSummaryJson(table, options.method, out);
        if (equalization) summary["equalization"] = toJson(*equalization);
        printJson(std::move(summary), warnings);
    } else {
        std::cout << "calibrated " << table.tensors.size() << " tensors on " << table.images
                  << " image(s) with " << methodName(options.method) << "; wrote " << out << "\n";
    }
    return 0;
}

}  // namespace qf::cli

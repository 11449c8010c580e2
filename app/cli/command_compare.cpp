#include <iomanip>
#include <iostream>

#include "calibration/table_files.h"
#include "cli/cli_options.h"
#include "cli/commands.h"
#include "evaluate/int8_comparison.h"
#include "util/error.h"
#include "workflows/report_json.h"

namespace qf::cli {

int runCompareCommand(const QStringList& arguments) {
    QCommandLineParser parser;
    parser.setApplicationDescription(
        "Run the model in int8 (with a calibration table) and in FP32 on the same images and "
        "report "
        "how far int8 strays: per output, per quantized layer, top-k with labels, and optionally "
        "each layer's sensitivity.");
    parser.addPositionalArgument("MODEL",
                                 "deploy.prototxt, model.onnx or frozen graph .pb (or --project)");
    parser.addPositionalArgument("WEIGHTS", "the .caffemodel of a Caffe model", "[WEIGHTS]");
    parser.addOption({"images", "Folder of images.", "DIR"});
    parser.addOption(
        {"labels", "'file label' lines (default: DIR/labels.txt when present).", "FILE"});
    parser.addOption(
        {"sensitivity",
         "Also quantize one layer at a time and rank layers by the error they cause."});
    parser.addOption({"json", "Print one JSON object on stdout."});
    addProjectOption(parser);
    addModelOptions(parser);
    addInt8Options(parser);
    addPreprocessingOptions(parser);
    parseOrExit(parser, arguments);
    const ModelArguments args = modelArguments(parser, "compare");
    refuseExtraArguments(args);
    const std::string imageFolder = imageFolderFrom(parser, args, "compare");
    Diagnostics warnings;
    std::optional<EqualizeReport> equalization;
    const Graph graph = loadForQuantization(args, parser, warnings, &equalization);
    const Int8Setup int8 = int8SetupFrom(parser, graph, args);
    const ImageFolder folder = openImageFolder(imageFolder, parser.value("labels").toStdString());
    printWarnings(folder.warnings);  // labels of missing files, images without a label
    warnings.insert(warnings.end(), folder.warnings.begin(), folder.warnings.end());
    ComparisonOptions options;
    const ProjectImages* images = projectImages(args);
    options.pre = preprocessingFrom(parser, images ? images->preprocessing : Preprocessing{});
    options.maxImages = maxImagesFrom(parser, args);
    const Int8ComparisonReport report = compareInt8(graph, int8.loaded.table, int8.options, folder,
                                                    options, stderrProgress("compare"));
    // Corrections the table holds but this quantization cannot use: say so rather than drop
    // them silently (JSON keeps stdout for the result).
    for (const auto& dropped : report.droppedBiasCorrections)
        std::cerr << "bias correction of " << dropped.node << " dropped: " << dropped.reason
                  << "\n";
    std::vector<LayerSensitivity> sensitivity;
    if (parser.isSet("sensitivity"))
        sensitivity = rankLayerSensitivity(graph, int8.loaded.table, int8.options, folder, options,
                                           stderrProgress("sensitivity"));

    if (parser.isSet("json")) {
        nlohmann::json result = toJson(report);
        if (parser.isSet("sensitivity")) result["sensitivity"] = toJson(sensitivity);
        if (equalization) result["equalization"] = toJson(*equalization);
        printJson(std::move(result), warnings);
        return 0;
    }
    std::cout << std::fixed << std::setprecision(4) << "compared int8 with FP32 on "
              << report.images << " image(s)\n";
    if (report.fp32.labeled > 0)
        std::cout << std::setprecision(2) << "top-1  FP32 " << 100 * report.fp32.top1Rate()
                  << " %  int8 " << 100 * report.int8.top1Rate() << " %   top-5  FP32 "
                  << 100 * report.fp32.top5Rate() << " %  int8 " << 100 * report.int8.top5Rate()
                  << " %\n";
    std::cout << std::setprecision(2) << "top-1 agreement " << 100 * report.top1Agreement()
              << " %\n";
    std::cout << std::setprecision(4) << "outputs (cosine / worst image / SQNR dB / max |diff|):\n";
    for (const auto& o : report.outputs)
        std::cout << "  " << o.name << ": " << o.cosine << " / " << o.worstImageCosine << " / "
                  << o.sqnrDb << " / " << o.maxAbsDiff << "\n";
    std::cout << "layers (cosine, SQNR dB; alone on FP32 input):\n";
    for (const auto& l : report.layers)
        std::cout << "  " << l.name << ": " << l.cosine << ", " << l.sqnrDb << "; alone "
                  << l.aloneCosine << ", " << l.aloneSqnrDb << "\n";
    for (const auto& [node, reason] : report.fp32Nodes)
        std::cout << "  FP32 " << node << ": " << reason << "\n";
    if (!sensitivity.empty())
        std::cout << "most sensitive layers (output SQNR dB with only that layer in int8):\n";
    for (size_t k = 0; k < std::min<size_t>(sensitivity.size(), 10); ++k)
        std::cout << "  " << sensitivity[k].name << ": " << sensitivity[k].outputSqnrDb << "\n";
    return 0;
}

}  // namespace qf::cli

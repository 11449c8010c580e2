#include <iomanip>
#include <iostream>

#include "cli/cli_options.h"
#include "cli/commands.h"
#include "evaluate/inference_run.h"
#include "util/error.h"
#include "workflows/report_json.h"

namespace qf::cli {

int runRunCommand(const QStringList& arguments) {
    QCommandLineParser parser;
    parser.setApplicationDescription(
        "Run FP32 inference on a folder of images; with labels, print top-1/top-5 accuracy.");
    parser.addPositionalArgument("MODEL", "deploy.prototxt, model.onnx or frozen graph .pb");
    parser.addPositionalArgument("WEIGHTS", "the .caffemodel of a Caffe model", "[WEIGHTS]");
    parser.addOption({"images", "Folder of images (jpg, png, bmp).", "DIR"});
    parser.addOption(
        {"labels", "'file label' lines (default: DIR/labels.txt when present).", "FILE"});
    parser.addOption({"dump", "Write every output of every image as .npy into DIR.", "DIR"});
    parser.addOption({"json", "Print one JSON object on stdout."});
    addPreprocessingOptions(parser);
    addInputShapeOption(parser);
    parseOrExit(parser, arguments);
    const ModelArguments args = modelArguments(parser, "run");
    refuseExtraArguments(args);
    if (!parser.isSet("images")) throw Error("run needs --images DIR");
    Diagnostics warnings;
    const Graph graph = loadModelWithWarnings(args, warnings);
    const ImageFolder folder =
        openImageFolder(parser.value("images").toStdString(), parser.value("labels").toStdString());
    printWarnings(folder.warnings);  // labels of missing files, images without a label
    warnings.insert(warnings.end(), folder.warnings.begin(), folder.warnings.end());
    RunOptions options;
    options.pre = preprocessingFrom(parser);
    options.maxImages = maxImagesOption(parser);
    options.dumpDir = parser.value("dump").toStdString();
    const RunReport report = runImages(graph, folder, options, stderrProgress("run"));

    for (const auto& skip : report.skipped) std::cerr << "skipped image " << skip.reason << "\n";
    if (parser.isSet("json")) {
        printJson(toJson(report), warnings);
        return 0;
    }
    std::cout << "ran " << report.images << " image(s)";
    if (!report.skipped.empty())
        std::cout << ", skipped " << report.skipped.size() << " unreadable";
    std::cout << "\n";
    if (report.labeled > 0)
        std::cout << std::fixed << std::setprecision(2) << "top-1 " << 100.0 * report.top1()
                  << " % (" << report.top1Hits << "/" << report.labeled << "), top-5 "
                  << 100.0 * report.top5() << " % (" << report.top5Hits << "/" << report.labeled
                  << ")\n";
    if (!options.dumpDir.empty()) std::cout << "outputs written to " << options.dumpDir << "\n";
    return 0;
}

}  // namespace qf::cli

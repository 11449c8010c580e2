#include <cmath>
#include <iomanip>
#include <iostream>
#include <memory>
#include <optional>
#include <set>

#include "calibration/table_files.h"
#include "cli/cli_options.h"
#include "cli/commands.h"
#include "evaluate/comparison_session.h"
#include "evaluate/int8_comparison.h"
#include "evaluate/precision_budget.h"
#include "images/image_folder.h"
#include "quantize/int8_plan.h"
#include "util/error.h"
#include "workflows/report_json.h"

namespace qf::cli {
namespace {

double fractionOption(const QCommandLineParser& parser, const char* name) {
    bool ok = false;
    const double value = parser.value(name).toDouble(&ok);
    if (!ok || !std::isfinite(value) || value <= 0.0 || value > 1.0)
        throw Error(std::string("--") + name + " expects a fraction in (0, 1], e.g. 0.995, got '" +
                    parser.value(name).toStdString() + "'");
    return value;
}

std::optional<PrecisionBudget> budgetFrom(const QCommandLineParser& parser,
                                          const ModelArguments& args) {
    const bool agreement = parser.isSet("budget-agreement"), cosine = parser.isSet("budget-cosine");
    if (agreement && cosine)
        throw Error("give either --budget-agreement or --budget-cosine, not both");
    if (!agreement && !cosine) {
        if (parser.isSet("budget-max-keep") || parser.isSet("store-keeps"))
            throw Error(
                "--budget-max-keep and --store-keeps go with --budget-agreement or "
                "--budget-cosine");
        return std::nullopt;
    }
    if (parser.isSet("store-keeps") && !args.project)
        throw Error("--store-keeps writes into a project: give --project P.qfproj");
    PrecisionBudget budget;
    budget.metric = agreement ? BudgetMetric::Top1Agreement : BudgetMetric::WorstCosine;
    budget.target = fractionOption(parser, agreement ? "budget-agreement" : "budget-cosine");
    if (parser.isSet("budget-max-keep")) {
        bool ok = false;
        budget.maxKeep = parser.value("budget-max-keep").toInt(&ok);
        if (!ok || budget.maxKeep <= 0)
            throw Error("--budget-max-keep expects a whole number >= 1, got '" +
                        parser.value("budget-max-keep").toStdString() + "'");
    }
    return budget;
}

// The project's keeps become the ones the comparison used: its own (or --keep-fp32's) plus
// those the search found.
void storeKeeps(const ModelArguments& args, const BudgetSearchResult& search,
                const Int8Options& options) {
    Project project = *args.project;
    if (!project.int8) project.int8 = ProjectInt8{};
    std::set<std::string> keeps(options.keepFp32.begin(), options.keepFp32.end());
    keeps.insert(search.keepFp32.begin(), search.keepFp32.end());
    project.int8->keepFp32.assign(keeps.begin(), keeps.end());
    writeProject(args.projectPath, project);
    std::cerr << "stored " << keeps.size() << " FP32 keeps in " << args.projectPath << "\n";
}

// The calibration images stale bias corrections are measured on: --calibration-images, else a
// project's int8 images (as the desktop app measures them there); none without either.
std::optional<ImageFolder> calibrationImagesFrom(const QCommandLineParser& parser,
                                                 const ModelArguments& args) {
    std::string folder;
    if (parser.isSet("calibration-images"))
        folder = parser.value("calibration-images").toStdString();
    else if (args.project && args.project->int8)
        folder = args.project->int8->images.folder;
    if (folder.empty()) return std::nullopt;
    ImageFolder images = openImageFolder(folder);
    printWarnings(images.warnings);
    return images;
}

void printRemeasured(const ComparisonSession& session) {
    const int count = session.lastUpdate().remeasuredBiasCorrections;
    if (count > 0)
        std::cerr << "measured " << count
                  << " bias correction(s) again for this quantization on the calibration images\n";
}

}  // namespace

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
    parser.addOption({"budget-agreement",
                      "Find a small set of layers to keep in FP32 so that top-1 agreement with "
                      "FP32 reaches F (a fraction, e.g. 0.995; classifiers).",
                      "F"});
    parser.addOption({"budget-cosine",
                      "Find a small set of layers to keep in FP32 so that every output's "
                      "worst-image cosine reaches F (e.g. 0.995).",
                      "F"});
    parser.addOption(
        {"budget-max-keep", "Keep at most N layers in FP32 in the budget search.", "N"});
    parser.addOption(
        {"store-keeps", "With --project and a budget: write the keep set found into the project."});
    parser.addOption(
        {"calibration-images",
         "Folder of calibration images to measure again, for the quantization used here, the "
         "table's bias corrections it cannot reuse (another method, --per-tensor-weights); "
         "without it they are dropped (and listed). Default with --project: its calibration "
         "images, as the desktop app does.",
         "DIR"});
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
    requireTableEqualization(int8, equalization, tablePathFrom(parser, args));
    const ImageFolder folder = openImageFolder(imageFolder, parser.value("labels").toStdString());
    printWarnings(folder.warnings);  // labels of missing files, images without a label
    warnings.insert(warnings.end(), folder.warnings.begin(), folder.warnings.end());
    ComparisonOptions options;
    const ProjectImages* images = projectImages(args);
    options.pre = preprocessingFrom(parser, images ? images->preprocessing : Preprocessing{});
    options.maxImages = maxImagesFrom(parser, args);
    const std::optional<PrecisionBudget> budget = budgetFrom(parser, args);
    std::optional<BudgetSearchResult> search;
    Int8ComparisonReport report;
    ComparisonSessionOptions sessionOptions;
    sessionOptions.comparison = options;
    sessionOptions.calibrationImages = calibrationImagesFrom(parser, args);
    if (budget) {
        // The ranking only orders the search: a few hundred images are enough for it.
        ComparisonOptions rankingOptions = options;
        rankingOptions.maxImages = options.maxImages > 0 ? std::min(options.maxImages, 200) : 200;
        const std::vector<std::string> order =
            budgetOrder(rankLayerSensitivity(graph, int8.loaded.table, int8.options, folder,
                                             rankingOptions, stderrProgress("sensitivity")),
                        budget->metric);
        ComparisonSession session(std::make_shared<const Graph>(graph), folder, sessionOptions,
                                  stderrProgress("compare"));
        search = searchPrecisionBudget(session, int8.loaded.table, int8.options, order, *budget,
                                       stderrProgress("budget"));
        report = session.report();
        printRemeasured(session);
        std::cerr << (search->met ? "budget met: " : "budget not met: ") << search->message << "\n";
        if (search->met && parser.isSet("store-keeps")) storeKeeps(args, *search, int8.options);
    } else if (sessionOptions.calibrationImages &&
               !planInt8(graph, int8.loaded.table, int8.options).droppedBiasCorrections().empty()) {
        // Stale corrections are measured again (the session does that as the GUI's does).
        ComparisonSession session(std::make_shared<const Graph>(graph), folder, sessionOptions,
                                  stderrProgress("compare"));
        report = session.update(int8.loaded.table, int8.options, stderrProgress("compare"));
        printRemeasured(session);
    } else {
        report = compareInt8(graph, int8.loaded.table, int8.options, folder, options,
                             stderrProgress("compare"));
    }
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
        if (search) result["budget"] = toJson(*search);
        printJson(std::move(result), warnings);
        return search && !search->met ? 1 : 0;
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
    if (search) {
        std::cout << "budget " << budgetMetricName(search->budget.metric)
                  << " >= " << search->budget.target << ": " << (search->met ? "met" : "NOT met")
                  << " (" << search->updates << " comparisons); the numbers above are with these "
                  << "layers in FP32:\n  --keep-fp32 ";
        for (size_t k = 0; k < search->keepFp32.size(); ++k)
            std::cout << (k ? "," : "") << search->keepFp32[k];
        std::cout << "\n";
    }
    return search && !search->met ? 1 : 0;
}

}  // namespace qf::cli

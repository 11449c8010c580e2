#include <iostream>
#include <set>

#include "cli/cli_options.h"
#include "cli/commands.h"
#include "evaluate/inference_run.h"
#include "formats/model_io.h"
#include "passes/fold_batchnorm.h"
#include "util/error.h"
#include "workflows/exports.h"
#include "workflows/report_json.h"

namespace qf::cli {

int runFoldCommand(const QStringList& arguments) {
    QCommandLineParser parser;
    parser.setApplicationDescription(
        "Fold BatchNorm / Scale / Bias layers into the preceding Convolution, Deconvolution or "
        "InnerProduct/Gemm and write the model in its own format (never over its input).");
    parser.addPositionalArgument("MODEL", "deploy.prototxt, model.onnx or frozen graph .pb");
    parser.addPositionalArgument("WEIGHTS", "the .caffemodel of a Caffe model", "[WEIGHTS]");
    parser.addPositionalArgument("OUT_WEIGHTS", "output .caffemodel (default: next to OUT)",
                                 "[OUT_WEIGHTS]");
    parser.addOption({{"o", "output"}, "Output model file.", "OUT"});
    parser.addOption({"only", "Fold only these affine layers (comma-separated names).", "n1,n2"});
    parser.addOption({"verify-images",
                      "Run both models on the images in DIR and report max |diff| per output.",
                      "DIR"});
    parser.addOption({"json", "Print one JSON object on stdout."});
    addPreprocessingOptions(parser);
    addInputShapeOption(parser);
    parseOrExit(parser, arguments);
    const ModelArguments args = modelArguments(parser, "fold");
    if (!parser.isSet("output")) throw Error("fold needs an output file: -o OUT");
    const std::string outModel = parser.value("output").toStdString();
    Diagnostics warnings;
    const Graph original = loadModelWithWarnings(args, warnings);
    refuseExtraArguments(args, original.format == "caffe" ? 1 : 0);  // a Caffe output's weights
    const std::string outWeights = original.format != "caffe" ? ""
                                   : !args.rest.isEmpty()     ? args.rest[0].toStdString()
                                                              : caffeWeightsPathFor(outModel);
    std::set<std::string> only;
    for (const auto& name : parser.value("only").split(',', Qt::SkipEmptyParts)) {
        if (original.nodeIndex(name.toStdString()) < 0)
            throw Error("--only: the model has no node '" + name.toStdString() + "'");
        only.insert(name.toStdString());
    }

    Graph folded = original;
    const FoldReport report = foldBatchNorm(folded, only);
    ComparisonReport comparison;
    const bool verify = parser.isSet("verify-images");
    if (verify) {
        RunOptions options;
        options.pre = preprocessingFrom(parser);
        options.maxImages = maxImagesOption(parser);
        const ImageFolder folder = openImageFolder(parser.value("verify-images").toStdString());
        comparison =
            compareModelOutputs(original, folded, folder, options, stderrProgress("verify"));
    }
    // Written after the verification, so a verification that fails leaves nothing at -o.
    ExportRequest request;
    request.graph = &folded;
    request.inputs = {args.model, args.weights};
    writeExport(ExportArtifact::FoldedModel, request, outModel, outWeights);

    if (parser.isSet("json")) {
        printJson(foldJson(report, verify ? &comparison : nullptr), warnings);
    } else {
        std::cout << "folded " << report.folded.size() << " layer(s):\n";
        for (const auto& fold : report.folded)
            std::cout << "  " << fold.affineOp << " '" << fold.affine << "' -> " << fold.targetOp
                      << " '" << fold.target << "' (" << fold.channels << " channels"
                      << (fold.biasCreated ? ", bias created" : "") << ")\n";
        if (!report.skipped.empty())
            std::cout << "left unfolded " << report.skipped.size() << ":\n";
        for (const auto& skip : report.skipped)
            std::cout << "  " << skip.affineOp << " '" << skip.affine << "': " << skip.reason
                      << "\n";
        std::cout << "wrote " << outModel << (outWeights.empty() ? "" : " + " + outWeights) << "\n";
        if (verify) {
            std::cout << "verified on " << comparison.images
                      << " image(s): max |folded - original|\n";
            for (const auto& difference : comparison.outputs)
                std::cout << "  " << difference.output << ": " << difference.maxAbsDiff
                          << " (outputs reach " << difference.maxAbsValue << ")\n";
        }
    }
    for (const auto& skip : comparison.skipped)
        std::cerr << "skipped image " << skip.reason << "\n";
    return 0;
}

}  // namespace qf::cli

#include <iostream>

#include "cli/cli_options.h"
#include "cli/commands.h"
#include "workflows/report_json.h"

namespace qf::cli {

int runInfoCommand(const QStringList& arguments) {
    QCommandLineParser parser;
    parser.setApplicationDescription(
        "Describe a model: format, inputs and outputs, op counts, foldable BatchNorm/Scale "
        "layers and layers this runtime cannot execute.");
    parser.addPositionalArgument("MODEL", "deploy.prototxt, model.onnx or frozen graph .pb");
    parser.addPositionalArgument("WEIGHTS", "the .caffemodel of a Caffe model", "[WEIGHTS]");
    parser.addOption({"json", "Print one JSON object on stdout."});
    addInputShapeOption(parser);
    parseOrExit(parser, arguments);
    const ModelArguments args = modelArguments(parser, "info");
    refuseExtraArguments(args);
    Diagnostics warnings;
    const Graph graph = loadModelWithWarnings(args, warnings);
    const ModelSummary summary = summarizeModel(graph);
    if (parser.isSet("json")) {
        printJson(toJson(summary), warnings);
        return 0;
    }
    std::cout << args.model << ": " << graph.format << " model"
              << (graph.name.empty() ? "" : " '" + graph.name + "'") << ", " << graph.nodes.size()
              << " nodes, " << graph.weights.size() << " weight tensors\n";
    for (const auto& input : summary.inputs)
        std::cout << "  input   " << input.name << " " << shapeToString(input.shape) << "\n";
    for (const auto& output : summary.outputs)
        std::cout << "  output  " << output.name << " " << shapeToString(output.shape) << "\n";
    std::cout << "ops:";
    for (const auto& count : summary.opCounts)
        std::cout << " " << count.first << " x" << count.second;
    std::cout << "\nfoldable into the preceding layer: " << summary.foldable << " of "
              << summary.foldCandidates.size() << "\n";
    for (const auto& candidate : summary.foldCandidates)
        std::cout << "  " << (candidate.foldable() ? "fold " : "keep ") << candidate.affineOp
                  << " '" << candidate.affine << "'"
                  << (candidate.foldable()
                          ? " -> " + candidate.targetOp + " '" + candidate.target + "'"
                          : ": " + candidate.reason)
                  << "\n";
    if (!summary.unsupported.empty()) {
        std::cout << "not executable by this runtime:";
        for (const auto& name : summary.unsupported) std::cout << " " << name;
        std::cout << "\n";
    }
    if (!summary.shapeProblem.empty())
        std::cout << "shape inference failed: " << summary.shapeProblem << "\n";
    return 0;
}

}  // namespace qf::cli

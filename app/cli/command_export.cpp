#include <QDir>
#include <algorithm>
#include <iostream>

#include "cli/cli_options.h"
#include "cli/commands.h"
#include "util/error.h"
#include "workflows/exports.h"

namespace qf::cli {

int runExportCommand(const QStringList& arguments) {
    QCommandLineParser parser;
    parser.setApplicationDescription(
        "Export for deployment: the int8 model as QDQ ONNX (runs in ONNX Runtime), the "
        "calibration as a JSON table (everything), an ncnn table or a TensorRT calibration cache, "
        "or the folded model in its own format. With --project, what the desktop app's "
        "File > Export writes from the same project.");
    parser.addPositionalArgument("MODEL",
                                 "deploy.prototxt, model.onnx or frozen graph .pb (or --project)");
    parser.addPositionalArgument("WEIGHTS", "the .caffemodel of a Caffe model", "[WEIGHTS]");
    parser.addOption(
        {"format",
         "onnx-qdq, ncnn, tensorrt, json, model or (TensorFlow models) tf-quantized-weights; "
         "several comma-separated with "
         "--output-dir.",
         "FORMAT"});
    parser.addOption({{"o", "output"}, "Output file.", "OUT"});
    parser.addOption({"output-weights",
                      "The folded Caffe model's .caffemodel (default: beside OUT).",
                      "OUT_WEIGHTS"});
    parser.addOption({"output-dir",
                      "Write into DIR under the names the desktop app proposes "
                      "(e.g. model_int8_qdq.onnx).",
                      "DIR"});
    parser.addOption({"json", "Print one JSON object on stdout."});
    addProjectOption(parser);
    addModelOptions(parser);
    addInt8Options(parser);
    parseOrExit(parser, arguments);
    const ModelArguments args = modelArguments(parser, "export");
    refuseExtraArguments(args);
    std::vector<ExportArtifact> artifacts;
    for (const auto& name : parser.value("format").split(',', Qt::SkipEmptyParts)) {
        ExportArtifact artifact;
        if (!parseExportFormat(name.toStdString(), artifact))
            throw Error("unknown --format '" + name.toStdString() +
                        "' (onnx-qdq, ncnn, tensorrt, json, model, tf-quantized-weights)");
        artifacts.push_back(artifact);
    }
    if (artifacts.empty())
        throw Error(
            "export needs --format (onnx-qdq, ncnn, tensorrt, json, model, tf-quantized-weights)");
    if (parser.isSet("output") == parser.isSet("output-dir"))
        throw Error("export needs either an output file (-o OUT) or --output-dir DIR");
    if (parser.isSet("output") && artifacts.size() > 1)
        throw Error("several formats need --output-dir DIR, not -o");

    if (parser.isSet("output-dir") && !QDir().mkpath(parser.value("output-dir")))
        throw Error(parser.value("output-dir").toStdString() + ": cannot create the folder");
    // transform_graph's quantize_weights quantizes the filters as the file has them. Folding
    // first widens a filter's per-tensor range by BatchNorm's per-channel scales, which costs
    // accuracy (ResNet-20: 98.35 % top-1 agreement with FP32 folded, 99.45 % not), so that
    // export alone does not fold unless a project's folds say so; `fold` first to have both.
    const bool onlyTfWeights = std::all_of(
        artifacts.begin(), artifacts.end(),
        [](ExportArtifact artifact) { return artifact == ExportArtifact::TfQuantizedWeights; });
    if (onlyTfWeights && !args.project && !parser.isSet("no-fold"))
        std::cerr << "note: tf-quantized-weights quantizes the model's filters as they are, "
                     "without folding BatchNorm first (folded filters have wider ranges); run "
                     "`fold` first to quantize a folded model\n";
    Diagnostics warnings;
    std::optional<EqualizeReport> equalization;
    const Graph graph = loadForQuantization(args, parser, warnings, &equalization, !onlyTfWeights);
    // The table only when an artefact needs one: exporting the folded model needs none.
    std::optional<Int8Setup> int8;
    for (const ExportArtifact artifact : artifacts)
        if (needsTable(artifact) && !int8) {
            int8 = int8SetupFrom(parser, graph, args);
            requireTableEqualization(*int8, equalization, tablePathFrom(parser, args));
        }
    ExportRequest request;
    request.graph = &graph;
    if (int8) {
        request.table = &int8->loaded.table;
        request.options = int8->options;
    }
    request.inputs = {args.model, args.weights, args.projectPath};
    if (int8) request.inputs.push_back(tablePathFrom(parser, args));

    nlohmann::json written = nlohmann::json::array();
    int quantized = 0;
    for (const ExportArtifact artifact : artifacts) {
        std::string out, outWeights;
        if (parser.isSet("output")) {
            out = parser.value("output").toStdString();
            outWeights = parser.value("output-weights").toStdString();
        } else {
            const QDir dir(parser.value("output-dir"));
            const auto names = proposedExportNames(artifact, args.model, graph.format);
            out = dir.filePath(QString::fromStdString(names.at(0))).toStdString();
            if (names.size() > 1)
                outWeights = dir.filePath(QString::fromStdString(names[1])).toStdString();
        }
        const std::vector<std::string> nodes = writeExport(artifact, request, out, outWeights);
        if (artifact == ExportArtifact::QdqOnnx) quantized = static_cast<int>(nodes.size());
        written.push_back({{"format", exportFormatName(artifact)}, {"output", out}});
        if (!parser.isSet("json"))
            std::cout << "wrote " << out
                      << (artifact == ExportArtifact::QdqOnnx
                              ? " (" + std::to_string(nodes.size()) + " quantized layers)"
                              : "")
                      << "\n";
    }
    if (parser.isSet("json")) {
        nlohmann::json result = written.size() == 1 ? written[0] : nlohmann::json::object();
        if (written.size() > 1) result["written"] = written;
        result["quantized"] = quantized;
        printJson(std::move(result), warnings);
    }
    return 0;
}

}  // namespace qf::cli

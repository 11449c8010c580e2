#include <QJsonArray>
#include <QJsonObject>
#include <iostream>

#include "cli/cli_options.h"
#include "cli/commands.h"
#include "formats/model_io.h"
#include "passes/fold_batchnorm.h"
#include "runtime/executor.h"
#include "runtime/shape_inference.h"
#include "util/error.h"

namespace qf::cli {

int runInfoCommand(const QStringList& arguments) {
    QCommandLineParser parser;
    parser.setApplicationDescription(
        "Describe a model: format, inputs and outputs, op counts, foldable BatchNorm/Scale "
        "layers and layers this runtime cannot execute.");
    parser.addPositionalArgument("MODEL", "deploy.prototxt or model.onnx");
    parser.addPositionalArgument("WEIGHTS", "the .caffemodel of a Caffe model", "[WEIGHTS]");
    parser.addOption({"json", "Print one JSON object on stdout."});
    parseOrExit(parser, arguments);
    const ModelArguments args = modelArguments(parser.positionalArguments(), "info");
    const Graph graph = loadModel(args.model, args.weights);

    const auto candidates = findFoldCandidates(graph);
    int foldable = 0;
    for (const auto& candidate : candidates) foldable += candidate.foldable() ? 1 : 0;
    const Executor executor(graph);
    std::map<std::string, Shape> shapes;
    std::string shapeProblem;
    if (executor.unsupportedNodes().empty()) {
        try {
            shapes = inferShapes(graph);
        } catch (const Error& error) {
            shapeProblem = error.what();
        }
    }
    const auto shapeOf = [&shapes](const ValueInfo& info) {
        const auto it = shapes.find(info.name);
        return it != shapes.end() ? it->second : info.shape;
    };

    if (parser.isSet("json")) {
        QJsonObject opCounts;
        for (const auto& count : graph.opCounts())
            opCounts[QString::fromStdString(count.first)] = count.second;
        QJsonArray unsupported;
        for (const auto& name : executor.unsupportedNodes())
            unsupported.append(QString::fromStdString(name));
        const auto tensorList = [&](const std::vector<ValueInfo>& infos) {
            QJsonArray list;
            for (const auto& info : infos) {
                QJsonArray dims;
                for (const auto d : shapeOf(info)) dims.append(static_cast<qint64>(d));
                list.append(
                    QJsonObject{{"name", QString::fromStdString(info.name)}, {"shape", dims}});
            }
            return list;
        };
        printJson({{"format", QString::fromStdString(graph.format)},
                   {"nodes", static_cast<int>(graph.nodes.size())},
                   {"op_counts", opCounts},
                   {"foldable", foldable},
                   {"unsupported", unsupported},
                   {"inputs", tensorList(graph.inputs)},
                   {"outputs", tensorList(graph.outputs)}});
        return 0;
    }
    std::cout << args.model << ": " << graph.format << " model"
              << (graph.name.empty() ? "" : " '" + graph.name + "'") << ", " << graph.nodes.size()
              << " nodes, " << graph.weights.size() << " weight tensors\n";
    for (const auto& input : graph.inputs)
        std::cout << "  input   " << input.name << " " << shapeToString(shapeOf(input)) << "\n";
    for (const auto& output : graph.outputs)
        std::cout << "  output  " << output.name << " " << shapeToString(shapeOf(output)) << "\n";
    std::cout << "ops:";
    for (const auto& count : graph.opCounts())
        std::cout << " " << count.first << " x" << count.second;
    std::cout << "\nfoldable into the preceding layer: " << foldable << " of " << candidates.size()
              << "\n";
    for (const auto& candidate : candidates)
        std::cout << "  " << (candidate.foldable() ? "fold " : "keep ") << candidate.affineOp
                  << " '" << candidate.affine << "'"
                  << (candidate.foldable()
                          ? " -> " + candidate.targetOp + " '" + candidate.target + "'"
                          : ": " + candidate.reason)
                  << "\n";
    if (!executor.unsupportedNodes().empty()) {
        std::cout << "not executable by this runtime:";
        for (const auto& name : executor.unsupportedNodes()) std::cout << " " << name;
        std::cout << "\n";
    }
    if (!shapeProblem.empty()) std::cout << "shape inference failed: " << shapeProblem << "\n";
    return 0;
}

}  // namespace qf::cli

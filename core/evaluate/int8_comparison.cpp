#include "evaluate/int8_comparison.h"

#include <algorithm>
#include <map>
#include <memory>

#include "evaluate/comparison_arithmetic.h"
#include "runtime/executor.h"
#include "util/error.h"

namespace qf {
namespace {}  // namespace

Int8ComparisonReport compareInt8(const Graph& graph, const CalibrationTable& table,
                                 const Int8Options& int8Options, const ImageFolder& folder,
                                 const ComparisonOptions& options, const Progress& progress) {
    const ImageInput input = imageInputOf(graph);
    const Preprocessing pre = withModelSize(options.pre, input.shape);
    const auto graphSnapshot = std::make_shared<const Graph>(graph);
    const auto tableSnapshot = std::make_shared<const CalibrationTable>(table);
    const Executor fp32(graphSnapshot);
    const Int8Model int8(graphSnapshot, tableSnapshot,
                         planInt8(*graphSnapshot, *tableSnapshot, int8Options));
    Int8ComparisonReport report;
    report.fp32Nodes = int8.plan().fp32Nodes();
    report.droppedBiasCorrections = int8.plan().droppedBiasCorrections();
    std::map<std::string, ErrorAccumulator> outputErrors, layerErrors, aloneErrors;
    report.skipped = forEachImage(
        folder, pre, input.channels, options.maxImages, progress,
        [&](const LabeledImage& image, const Tensor& x) {
            const TensorMap reference = fp32.run({{input.name, x}}, nullptr, options.perLayer);
            const TensorMap quantized = int8.run({{input.name, x}}, nullptr, options.perLayer);
            ++report.images;
            for (const auto& output : graph.outputs)
                accumulate(outputErrors[output.name], reference.at(output.name),
                           quantized.at(output.name), "output '" + output.name + "'");
            if (!graph.outputs.empty()) {
                const Tensor& a = reference.at(graph.outputs.front().name);
                const Tensor& b = quantized.at(graph.outputs.front().name);
                requireLabelInRange(image.path, image.label, image.labelWhere, a,
                                    graph.outputs.front().name);
                report.top1Agreements += argmax(a) == argmax(b);
                report.fp32.add(a.f, image.label);
                report.int8.add(b.f, image.label);
                addImageTopK(report, graph, image.path, image.label, a, b);
            }
            if (!options.perLayer) return;
            for (const auto& name : int8.quantizedNodes()) {
                const Node& node = graph.nodes[static_cast<size_t>(graph.nodeIndex(name))];
                const std::string& out = int8.layerOutput(name);  // after a fused ReLU, if any
                accumulate(layerErrors[name], reference.at(out), quantized.at(out),
                           "layer '" + name + "'");
                const Tensor* in = graph.isWeight(node.input(0)) ? graph.weight(node.input(0))
                                                                 : &reference.at(node.input(0));
                accumulate(aloneErrors[name], reference.at(out), int8.runLayer(name, *in, true),
                           "layer '" + name + "'");
            }
        });
    if (report.images == 0) throw Error(folder.folder + ": none of the images could be read");
    for (const auto& output : graph.outputs) {
        const ErrorAccumulator& e = outputErrors[output.name];
        report.outputs.push_back(
            {output.name, e.cosine(), e.worstImageCosine(), e.sqnrDb(), e.maxAbsDiff()});
    }
    for (const auto& name : int8.quantizedNodes()) {
        if (!options.perLayer) break;
        report.layers.push_back({name, layerErrors[name].cosine(), layerErrors[name].sqnrDb(),
                                 aloneErrors[name].cosine(), aloneErrors[name].sqnrDb()});
    }
    return report;
}

std::vector<LayerSensitivity> rankLayerSensitivity(
    const Graph& graph, const CalibrationTable& table, const Int8Options& int8Options,
    const ImageFolder& folder, const ComparisonOptions& options, const Progress& progress) {
    const ImageInput input = imageInputOf(graph);
    const Preprocessing pre = withModelSize(options.pre, input.shape);
    if (graph.outputs.empty()) throw Error("the model has no outputs to measure");
    const std::string output = graph.outputs.front().name;
    const auto graphSnapshot = std::make_shared<const Graph>(graph);
    const auto tableSnapshot = std::make_shared<const CalibrationTable>(table);
    const Executor fp32(graphSnapshot);
    // FP32 references once; each layer's int8 model then runs over the same inputs.
    std::vector<Tensor> inputs;
    std::vector<TensorMap> references;
    forEachImage(folder, pre, input.channels, options.maxImages, {},
                 [&](const LabeledImage&, const Tensor& x) {
                     inputs.push_back(x);
                     references.push_back(fp32.run({{input.name, x}}));
                 });
    if (inputs.empty()) throw Error(folder.folder + ": none of the images could be read");
    const std::vector<std::string> layers = planInt8(graph, table, int8Options).quantizedNodes();
    std::vector<LayerSensitivity> ranking;
    for (size_t k = 0; k < layers.size(); ++k) {
        if (progress.cancelled()) throw Cancelled{};
        progress.step(static_cast<long>(k), static_cast<long>(layers.size()), layers[k]);
        // Everything else in FP32, rescaled element-wise ops included.
        Int8Options onlyThis = int8Options;
        for (const auto& node : graph.nodes)
            if (node.name != layers[k]) onlyThis.keepFp32.insert(node.name);
        const Int8Model model(graphSnapshot, tableSnapshot, onlyThis);
        std::map<std::string, ErrorAccumulator> errors;
        for (size_t i = 0; i < inputs.size(); ++i) {
            const TensorMap quantized = model.run({{input.name, inputs[i]}});
            for (const auto& out : graph.outputs)
                accumulate(errors[out.name], references[i].at(out.name), quantized.at(out.name),
                           "output '" + out.name + "'");
        }
        double worst = 1.0;
        for (const auto& [name, error] : errors) worst = std::min(worst, error.worstImageCosine());
        ranking.push_back({layers[k], errors[output].cosine(), errors[output].sqnrDb(), worst});
    }
    progress.step(static_cast<long>(layers.size()), static_cast<long>(layers.size()), "");
    std::sort(ranking.begin(), ranking.end(),
              [](const LayerSensitivity& a, const LayerSensitivity& b) {
                  return a.outputSqnrDb < b.outputSqnrDb;
              });
    return ranking;
}

}  // namespace qf

#include "workflows/report_json.h"

#include <cmath>

#include "runtime/executor.h"
#include "runtime/shape_inference.h"
#include "util/error.h"

namespace qf {
namespace {

using nlohmann::json;

// nlohmann writes NaN and infinity as null already; spelled out so the choice is visible.
json number(double value) { return std::isfinite(value) ? json(value) : json(nullptr); }

// SQNR is +infinity when int8 matches FP32 exactly: a large finite stand-in keeps it a number.
json sqnr(double value) {
    if (std::isnan(value)) return nullptr;
    return std::isfinite(value) ? value : (value > 0 ? 999.0 : -999.0);
}

json tensorList(const std::vector<ValueInfo>& infos) {
    json list = json::array();
    for (const auto& info : infos) {
        json dims = json::array();
        for (const int64_t d : info.shape) dims.push_back(d);
        list.push_back({{"name", info.name}, {"shape", std::move(dims)}});
    }
    return list;
}

json topK(const TopK& counts) {
    return {{"top1", number(counts.top1Rate())}, {"top5", number(counts.top5Rate())}};
}

}  // namespace

ModelSummary summarizeModel(const Graph& graph) {
    ModelSummary summary;
    summary.format = graph.format;
    summary.name = graph.name;
    summary.nodes = static_cast<int>(graph.nodes.size());
    summary.weights = static_cast<int>(graph.weights.size());
    summary.opCounts = graph.opCounts();
    summary.foldCandidates = findFoldCandidates(graph);
    for (const auto& candidate : summary.foldCandidates)
        summary.foldable += candidate.foldable() ? 1 : 0;
    const Executor executor(graph);
    summary.unsupported = executor.unsupportedNodes();
    std::map<std::string, Shape> shapes;
    if (summary.unsupported.empty()) {
        try {
            shapes = inferShapes(graph);
        } catch (const Error& error) {
            summary.shapeProblem = error.what();
        }
    }
    const auto withShape = [&shapes](ValueInfo info) {
        const auto it = shapes.find(info.name);
        if (it != shapes.end()) info.shape = it->second;
        return info;
    };
    for (const auto& input : graph.inputs) summary.inputs.push_back(withShape(input));
    for (const auto& output : graph.outputs) summary.outputs.push_back(withShape(output));
    return summary;
}

json toJson(const ModelSummary& summary) {
    json opCounts = json::object();
    for (const auto& [op, count] : summary.opCounts) opCounts[op] = count;
    return {{"format", summary.format},
            {"nodes", summary.nodes},
            {"op_counts", std::move(opCounts)},
            {"foldable", summary.foldable},
            {"unsupported", summary.unsupported},
            {"inputs", tensorList(summary.inputs)},
            {"outputs", tensorList(summary.outputs)}};
}

json modelSummaryJson(const Graph& graph) { return toJson(summarizeModel(graph)); }

json toJson(const Diagnostic& diagnostic) {
    return {{"severity", severityName(diagnostic.severity)},
            {"file", diagnostic.file},
            {"line", diagnostic.line},
            {"column", diagnostic.column},
            {"node", diagnostic.node},
            {"tensor", diagnostic.tensor},
            {"message", diagnostic.message}};
}

json toJson(const Diagnostics& diagnostics) {
    json list = json::array();
    for (const auto& diagnostic : diagnostics) list.push_back(toJson(diagnostic));
    return list;
}

json toJson(const FoldReport& report) {
    json folds = json::array();
    for (const auto& fold : report.folded)
        folds.push_back(
            {{"node", fold.affine}, {"into", fold.target}, {"channels", fold.channels}});
    json skipped = json::array();
    for (const auto& skip : report.skipped)
        skipped.push_back({{"node", skip.affine}, {"reason", skip.reason}});
    return {{"folded", static_cast<int>(report.folded.size())},
            {"folds", std::move(folds)},
            {"skipped", std::move(skipped)}};
}

json foldJson(const FoldReport& report, const ComparisonReport* verification) {
    json result = toJson(report);
    json differences = json::object();
    if (verification)
        for (const auto& difference : verification->outputs)
            differences[difference.output] = number(difference.maxAbsDiff);
    result["max_abs_diff"] = std::move(differences);
    if (verification) result["images"] = verification->images;
    return result;
}

json toJson(const EqualizeReport& report) {
    json pairs = json::array();
    for (const auto& pair : report.pairs)
        pairs.push_back({{"first", pair.first},
                         {"second", pair.second},
                         {"between", pair.between},
                         {"channels", pair.channels},
                         {"unscaled", pair.unscaled},
                         {"min_scale", number(pair.minScale)},
                         {"max_scale", number(pair.maxScale)}});
    json skipped = json::array();
    for (const auto& skip : report.skipped)
        skipped.push_back(
            {{"first", skip.first}, {"second", skip.second}, {"reason", skip.reason}});
    json layers = json::array();
    for (const auto& layer : report.layers)
        layers.push_back({{"node", layer.node},
                          {"range_ratio_before", number(layer.ratioBefore)},
                          {"range_ratio_after", number(layer.ratioAfter)}});
    return {{"pairs", std::move(pairs)},
            {"skipped", std::move(skipped)},
            {"iterations", report.iterations},
            {"converged", report.converged},
            {"worst_range_ratio_before", number(report.worstRatioBefore)},
            {"worst_range_ratio_after", number(report.worstRatioAfter)},
            {"layers", std::move(layers)}};
}

json toJson(const BudgetSearchResult& result) {
    json steps = json::array();
    for (const auto& step : result.steps)
        steps.push_back({{"node", step.node},
                         {"kept", step.kept},
                         {"value", number(step.value)},
                         {"accepted", step.accepted}});
    return {{"metric", budgetMetricName(result.budget.metric)},
            {"target", number(result.budget.target)},
            {"met", result.met},
            {"initial", number(result.initialValue)},
            {"final", number(result.finalValue)},
            {"keep_fp32", result.keepFp32},
            {"quantized_layers", result.quantizedLayers},
            {"comparisons", result.updates},
            {"steps", std::move(steps)},
            {"message", result.message}};
}

json toJson(const RunReport& report) {
    json result{{"images", report.images}};
    if (report.labeled > 0) {
        result["top1"] = number(report.top1());
        result["top5"] = number(report.top5());
    }
    json skipped = json::array();
    for (const auto& skip : report.skipped)
        skipped.push_back({{"file", skip.path}, {"reason", skip.reason}});
    result["skipped"] = std::move(skipped);
    return result;
}

json toJson(const Int8ComparisonReport& report) {
    json result{{"images", report.images}, {"top1_agreement", number(report.top1Agreement())}};
    if (report.fp32.labeled > 0) {
        result["fp32"] = topK(report.fp32);
        result["int8"] = topK(report.int8);
    }
    json outputs = json::array();
    for (const auto& o : report.outputs)
        outputs.push_back({{"name", o.name},
                           {"cosine", number(o.cosine)},
                           {"worst_image_cosine", number(o.worstImageCosine)},
                           {"sqnr_db", sqnr(o.sqnrDb)},
                           {"max_abs_diff", number(o.maxAbsDiff)}});
    json layers = json::array();
    for (const auto& l : report.layers)
        layers.push_back({{"name", l.name},
                          {"cosine", number(l.cosine)},
                          {"sqnr_db", sqnr(l.sqnrDb)},
                          {"alone_cosine", number(l.aloneCosine)},
                          {"alone_sqnr_db", sqnr(l.aloneSqnrDb)}});
    result["outputs"] = std::move(outputs);
    result["layers"] = std::move(layers);
    // Present only when the table held corrections this quantization could not use.
    if (report.droppedBiasCorrections.empty()) return result;
    json dropped = json::array();
    for (const auto& d : report.droppedBiasCorrections)
        dropped.push_back(
            {{"node", d.node}, {"state", biasCorrectionStateName(d.state)}, {"reason", d.reason}});
    result["dropped_bias_corrections"] = std::move(dropped);
    return result;
}

json toJson(const std::vector<LayerSensitivity>& ranking) {
    json list = json::array();
    for (const auto& s : ranking)
        list.push_back({{"name", s.name},
                        {"cosine", number(s.outputCosine)},
                        {"sqnr_db", sqnr(s.outputSqnrDb)},
                        {"worst_output_cosine", number(s.worstOutputCosine)}});
    return list;
}

json calibrationSummaryJson(const CalibrationTable& table, ThresholdMethod method,
                            const std::string& output) {
    return {{"images", table.images},
            {"tensors", static_cast<int>(table.tensors.size())},
            {"method", methodName(method)},
            {"output", output}};
}

}  // namespace qf

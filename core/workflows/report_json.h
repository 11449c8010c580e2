#pragma once
// The core's results as JSON, for the CLI's --json output and the GUI alike, so both show the
// same keys (README.md documents them). Numbers: doubles are written as nlohmann's round-trip
// text; NaN and infinity, which JSON lacks, are written as null, except SQNR, where +infinity
// (int8 matched FP32 exactly) is written as 999 dB and -infinity as -999, as the CLI always did.
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "evaluate/inference_run.h"
#include "evaluate/int8_comparison.h"
#include "evaluate/precision_budget.h"
#include "graph/graph.h"
#include "passes/equalize.h"
#include "passes/fold_batchnorm.h"
#include "thresholds/calibration_table.h"
#include "util/diagnostic.h"

namespace qf {

// What `info` shows of a model: counts, fold candidates, what the runtime cannot execute, and
// the inputs and outputs with shapes inferred by one run on zeros when the model executes.
struct ModelSummary {
    std::string format;
    std::string name;
    int nodes = 0;
    int weights = 0;
    std::map<std::string, int> opCounts;
    std::vector<FoldCandidate> foldCandidates;
    int foldable = 0;
    std::vector<std::string> unsupported;  // "name (Op)"
    std::vector<ValueInfo> inputs;
    std::vector<ValueInfo> outputs;
    std::string shapeProblem;  // why shapes could not be inferred, when they could not
};
ModelSummary summarizeModel(const Graph& graph);

// {"format", "nodes", "op_counts", "foldable", "unsupported", "inputs", "outputs"}; each input
// and output {"name", "shape"}.
nlohmann::json toJson(const ModelSummary& summary);
nlohmann::json modelSummaryJson(const Graph& graph);

// {"severity", "file", "line", "column", "node", "tensor", "message"}, every key present
// ("" and 0 when not known).
nlohmann::json toJson(const Diagnostic& diagnostic);
nlohmann::json toJson(const Diagnostics& diagnostics);  // an array, [] when empty

// {"folded", "folds": [{"node", "into", "channels"}], "skipped": [{"node", "reason"}]}.
nlohmann::json toJson(const FoldReport& report);
// The fold report plus "max_abs_diff": {"<output>": F} ({} without a verification) and, with
// one, "images".
nlohmann::json foldJson(const FoldReport& report, const ComparisonReport* verification);

// {"pairs": [{"first", "second", "between", "channels", "unscaled", "min_scale", "max_scale"}],
//  "skipped": [{"first", "second", "reason"}], "iterations", "converged",
//  "worst_range_ratio_before", "worst_range_ratio_after",
//  "layers": [{"node", "range_ratio_before", "range_ratio_after"}]}.
nlohmann::json toJson(const EqualizeReport& report);

// {"images", "top1", "top5" (fractions, present with labels), "skipped": [{"file", "reason"}]}.
nlohmann::json toJson(const RunReport& report);

// {"images", "top1_agreement", "fp32": {"top1", "top5"}, "int8": {...} (with labels),
//  "outputs": [{"name", "cosine", "worst_image_cosine", "sqnr_db", "max_abs_diff"}],
//  "layers": [{"name", "cosine", "sqnr_db", "alone_cosine", "alone_sqnr_db"}]}.
nlohmann::json toJson(const Int8ComparisonReport& report);
// [{"name", "cosine", "sqnr_db", "worst_output_cosine"}], worst first: what compare --sensitivity
// adds.
nlohmann::json toJson(const std::vector<LayerSensitivity>& ranking);

// {"metric", "target", "met", "initial", "final", "keep_fp32": [...], "quantized_layers",
//  "comparisons", "steps": [{"node", "kept", "value", "accepted"}], "message"}: what compare's
// budget search found (the report beside it is with keep_fp32 in FP32).
nlohmann::json toJson(const BudgetSearchResult& result);

// {"images", "tensors", "method", "output"}: what calibrate wrote.
nlohmann::json calibrationSummaryJson(const CalibrationTable& table, ThresholdMethod method,
                                      const std::string& output);

}  // namespace qf

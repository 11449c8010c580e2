#pragma once
// Automatic mixed precision to an accuracy budget: the few layers to keep in FP32 so that int8
// meets a bar (a classifier's top-1 agreement with FP32, or every output's worst-image cosine),
// found greedily in the order of a sensitivity ranking on an incremental comparison session:
// try keeping the next most sensitive layer, re-measure (the session re-runs only from that
// layer), keep it when the metric improves (ties: the lowest output SQNR), until the budget is
// met; then give back to int8 every kept layer the budget does not need (latest first). After
// the ranked layers it tries the element-wise ops that round their inputs. Each step is one
// session update.
#include <string>
#include <vector>

#include "evaluate/comparison_session.h"
#include "evaluate/int8_comparison.h"
#include "quantize/int8_plan.h"
#include "thresholds/calibration_table.h"
#include "util/progress.h"

namespace qf {

enum class BudgetMetric {
    Top1Agreement,  // images where int8's top class is FP32's, as a fraction (classifiers)
    WorstCosine,    // the lowest worst-image cosine over all outputs
};
const char* budgetMetricName(BudgetMetric metric);  // "top1_agreement", "worst_cosine"

struct PrecisionBudget {
    BudgetMetric metric = BudgetMetric::WorstCosine;
    double target = 0.995;  // met when the metric is >= target
    int maxKeep = 0;        // the most layers it may keep in FP32; 0: no limit
};

// The metric of a report. Throws qf::Error when the report cannot say (top-1 agreement of a
// model that is not a classifier).
double budgetValue(const Int8ComparisonReport& report, BudgetMetric metric);

// The layers to try, most sensitive first, from compare's sensitivity ranking: by the worst
// output cosine for WorstCosine, by the first output's SQNR for Top1Agreement.
std::vector<std::string> budgetOrder(std::vector<LayerSensitivity> ranking, BudgetMetric metric);

struct BudgetStep {
    std::string node;
    bool kept = true;      // true: kept in FP32 at this step; false: given back to int8
    double value = 0.0;    // the metric after the step
    bool accepted = true;  // a give-back that broke the budget is undone (accepted false)
};

struct BudgetSearchResult {
    PrecisionBudget budget;
    bool met = false;
    double initialValue = 0.0;  // with the caller's options alone
    double finalValue = 0.0;    // with keepFp32 added
    // The layers found, in the order they were kept (on top of the caller's own keeps).
    std::vector<std::string> keepFp32;
    int quantizedLayers = 0;  // int8 layers before the search
    int updates = 0;          // comparisons the search ran
    std::vector<BudgetStep> steps;
    std::string message;  // for people: what was found, or why the budget was not met
};

// Runs the search on `session` (whose last update is then the result's set). Stops with
// met == false, and a message saying the best value reached, when every candidate was tried or
// budget.maxKeep layers are kept; throws qf::Error for a target outside (0, 1] and Cancelled
// when cancelled.
BudgetSearchResult searchPrecisionBudget(ComparisonSession& session, const CalibrationTable& table,
                                         const Int8Options& options,
                                         const std::vector<std::string>& order,
                                         const PrecisionBudget& budget,
                                         const Progress& progress = {});

}  // namespace qf

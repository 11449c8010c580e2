#include "evaluate/precision_budget.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <set>
#include <sstream>

#include "util/error.h"

namespace qf {
namespace {

std::string formatted(double value) {
    std::ostringstream text;
    text.precision(4);
    text << std::fixed << value;
    return text.str();
}

}  // namespace

const char* budgetMetricName(BudgetMetric metric) {
    return metric == BudgetMetric::Top1Agreement ? "top1_agreement" : "worst_cosine";
}

double budgetValue(const Int8ComparisonReport& report, BudgetMetric metric) {
    if (metric == BudgetMetric::Top1Agreement) {
        if (report.imageTopK.empty())
            throw Error(
                "a top-1 agreement budget needs a classifier (one output of class scores); use a "
                "cosine budget for this model");
        return report.top1Agreement();
    }
    if (report.outputs.empty()) throw Error("the comparison measured no outputs");
    double worst = 1.0;
    for (const auto& output : report.outputs) worst = std::min(worst, output.worstImageCosine);
    return worst;
}

std::vector<std::string> budgetOrder(std::vector<LayerSensitivity> ranking, BudgetMetric metric) {
    std::stable_sort(ranking.begin(), ranking.end(),
                     [metric](const LayerSensitivity& a, const LayerSensitivity& b) {
                         return metric == BudgetMetric::WorstCosine
                                    ? a.worstOutputCosine < b.worstOutputCosine
                                    : a.outputSqnrDb < b.outputSqnrDb;
                     });
    std::vector<std::string> order;
    for (const auto& layer : ranking) order.push_back(layer.name);
    return order;
}

BudgetSearchResult searchPrecisionBudget(ComparisonSession& session, const CalibrationTable& table,
                                         const Int8Options& options,
                                         const std::vector<std::string>& order,
                                         const PrecisionBudget& budget, const Progress& progress) {
    if (!std::isfinite(budget.target) || budget.target <= 0.0 || budget.target > 1.0)
        throw Error("an accuracy budget is a fraction in (0, 1], got " +
                    std::to_string(budget.target));
    if (budget.maxKeep < 0) throw Error("the most layers to keep in FP32 must be 0 or more");
    BudgetSearchResult result;
    result.budget = budget;
    const char* metric = budgetMetricName(budget.metric);

    // Each measurement is one session update with the caller's keeps plus `keeps`: the budget's
    // metric, and the lowest output SQNR to tell apart steps the metric cannot (a top-1
    // agreement over a few hundred images moves in coarse steps).
    struct Score {
        double value = 0.0, sqnrDb = 0.0;
        bool operator>(const Score& other) const {
            return value > other.value || (value == other.value && sqnrDb > other.sqnrDb);
        }
    };
    const auto measure = [&](const std::vector<std::string>& keeps) {
        progress.throwIfCancelled();
        Int8Options withKeeps = options;
        withKeeps.keepFp32.insert(keeps.begin(), keeps.end());
        Progress sub;
        sub.cancel = progress.cancel;
        const Int8ComparisonReport& report = session.update(table, withKeeps, sub);
        ++result.updates;
        Score score;
        score.value = budgetValue(report, budget.metric);
        score.sqnrDb = std::numeric_limits<double>::infinity();
        for (const auto& output : report.outputs)
            score.sqnrDb = std::min(score.sqnrDb, output.sqnrDb);
        return score;
    };

    Score current = measure({});
    result.initialValue = current.value;
    const std::vector<std::string> quantized = session.plan().quantizedNodes();
    result.quantizedLayers = static_cast<int>(quantized.size());
    // The ranked int8 layers first, then the element-wise ops that round their inputs (a
    // residual Add): with every layer in FP32 those still round.
    const std::set<std::string> candidates(quantized.begin(), quantized.end());
    std::vector<std::string> tries;
    for (const auto& node : order)
        if (candidates.count(node) && std::find(tries.begin(), tries.end(), node) == tries.end())
            tries.push_back(node);
    for (const auto& node : session.plan().nodes)
        if (node.precision == NodePrecision::Rounded) tries.push_back(node.name);
    const size_t limit = budget.maxKeep > 0 ? static_cast<size_t>(budget.maxKeep) : tries.size();

    // Keep the most sensitive layers one by one, each only when it helps, until the budget is
    // met.
    std::vector<std::string> keeps;
    bool sessionHasKeeps = true;  // whether the session's last update measured `keeps`
    const long total = static_cast<long>(tries.size());
    for (size_t k = 0; current.value < budget.target && k < tries.size() && keeps.size() < limit;
         ++k) {
        progress.step(static_cast<long>(k), total, tries[k]);
        std::vector<std::string> with = keeps;
        with.push_back(tries[k]);
        const Score score = measure(with);
        const bool helps = score > current;
        result.steps.push_back({tries[k], true, score.value, helps});
        sessionHasKeeps = helps;
        if (helps) {
            keeps = std::move(with);
            current = score;
        }
    }
    progress.step(total, total, "");
    if (current.value < budget.target) {
        if (!sessionHasKeeps) measure(keeps);
        result.met = false;
        result.keepFp32 = keeps;
        result.finalValue = current.value;
        result.message = std::string("the budget ") + metric + " >= " + formatted(budget.target) +
                         " is not met: the best " + metric + " reached is " +
                         formatted(current.value) + " with " + std::to_string(keeps.size()) +
                         " layers kept in FP32 after trying " +
                         (keeps.size() >= limit && limit < tries.size()
                              ? "up to the " + std::to_string(limit) + " allowed"
                              : "every one of the " + std::to_string(tries.size()) +
                                    " int8 layers and rounded element-wise ops") +
                         " (int8 alone: " + formatted(result.initialValue) + ")";
        return result;
    }

    // Give back to int8 every kept layer the budget does not need, the latest kept first (the
    // earlier ones were the more sensitive). The last one kept is needed: without it the
    // budget was not met.
    double value = current.value;
    for (size_t k = keeps.size() >= 2 ? keeps.size() - 1 : 0; k-- > 0;) {
        std::vector<std::string> without = keeps;
        without.erase(without.begin() + static_cast<std::ptrdiff_t>(k));
        const double reduced = measure(without).value;
        const bool holds = reduced >= budget.target;
        result.steps.push_back({keeps[k], false, reduced, holds});
        if (holds) {
            keeps = std::move(without);
            value = reduced;
        }
        sessionHasKeeps = holds;
    }
    if (!sessionHasKeeps) value = measure(keeps).value;
    result.met = true;
    result.keepFp32 = keeps;
    result.finalValue = value;
    result.message =
        std::string(metric) + " " + formatted(value) + " >= " + formatted(budget.target) +
        " with " + std::to_string(keeps.size()) + " of the " + std::to_string(quantized.size()) +
        " int8 layers kept in FP32 (int8 alone: " + formatted(result.initialValue) + ")";
    return result;
}

}  // namespace qf

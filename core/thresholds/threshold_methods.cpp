#include "thresholds/threshold_methods.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace qf {

const std::vector<ThresholdMethod>& allThresholdMethods() {
    static const std::vector<ThresholdMethod> methods = {
        ThresholdMethod::Kl, ThresholdMethod::MinMax, ThresholdMethod::Percentile,
        ThresholdMethod::Mse, ThresholdMethod::Aciq};
    return methods;
}

const std::vector<ThresholdMethod>& selectableMethods() {
    static const std::vector<ThresholdMethod> methods = [] {
        std::vector<ThresholdMethod> all = allThresholdMethods();
        all.push_back(ThresholdMethod::Auto);
        return all;
    }();
    return methods;
}

std::string methodName(ThresholdMethod method) {
    switch (method) {
        case ThresholdMethod::Kl:
            return "kl";
        case ThresholdMethod::MinMax:
            return "minmax";
        case ThresholdMethod::Percentile:
            return "percentile";
        case ThresholdMethod::Mse:
            return "mse";
        case ThresholdMethod::Aciq:
            return "aciq";
        case ThresholdMethod::Auto:
            return "auto";
    }
    return "?";
}

bool parseMethod(const std::string& name, ThresholdMethod& method) {
    for (const auto candidate : selectableMethods())
        if (methodName(candidate) == name) {
            method = candidate;
            return true;
        }
    return false;
}

ThresholdCurve klDivergenceCurve(const AbsHistogram& histogram, int quantizedLevels) {
    ThresholdCurve curve;
    // Exact zeros (half of a ReLU's output) say nothing about where to clip, yet as a spike in
    // bin 0 they dominate P and push KL to clip hard: they are left out, as ncnn does.
    std::vector<double> hist = histogram.counts();
    hist[0] = std::max(0.0, hist[0] - histogram.zeros());
    const int bins = static_cast<int>(hist.size());
    const int kLevels = quantizedLevels;
    if (bins <= kLevels) return curve;
    // The last non-empty bin bounds the search: candidates beyond it all keep every value.
    int lastUsed = bins - 1;
    while (lastUsed > 0 && hist[static_cast<size_t>(lastUsed)] == 0.0) --lastUsed;
    if (lastUsed < kLevels) return curve;

    // Candidate i keeps bins [0, i): P is the histogram there with every clipped value added to
    // bin i - 1. Q quantizes the histogram's bins [0, i) to 128 levels and spreads each level's
    // mass evenly over the bins where P is non-empty (as TensorRT's reference does). Q is thus
    // constant on a level's non-empty bins, so the level's share of KL(P || Q) is
    // (sum p log p - log q * sum p) / |P|: prefix sums over the bins make a candidate cost
    // O(levels), not O(bins): ~9x faster for 2048 bins, with the same choices.
    const auto xLogX = [](double x) { return x > 0.0 ? x * std::log(x) : 0.0; };
    std::vector<double> mass(static_cast<size_t>(bins) + 1, 0.0), massLogMass(mass);  // over [0, k)
    std::vector<int> nonEmpty(static_cast<size_t>(bins) + 1, 0);
    for (size_t k = 0; k < static_cast<size_t>(bins); ++k) {
        mass[k + 1] = mass[k] + hist[k];
        massLogMass[k + 1] = massLogMass[k] + xLogX(hist[k]);
        nonEmpty[k + 1] = nonEmpty[k] + (hist[k] != 0.0);
    }
    const double total = mass[static_cast<size_t>(bins)];
    const double logTotal = std::log(total);
    for (int i = kLevels; i <= std::min(bins, lastUsed + 1); ++i) {
        const auto last = static_cast<size_t>(i) - 1;
        const double lastBin = total - mass[last];  // P's bin i - 1: its values and the clipped
        // A level with no non-empty P bin has no histogram mass: Q's total is all of [0, i).
        const double qTotal = mass[static_cast<size_t>(i)];
        if (qTotal == 0.0) continue;
        const double merged = static_cast<double>(i) / kLevels;
        double kl = 0.0;
        for (int level = 0; level < kLevels; ++level) {
            const auto start = static_cast<size_t>(level * merged);
            const bool isLast = level == kLevels - 1;
            const auto end =
                isLast ? static_cast<size_t>(i) : static_cast<size_t>((level + 1) * merged);
            const double levelMass = mass[end] - mass[start];
            // Bin i - 1 lies in the last level; there P differs from the histogram.
            const double pMass = isLast ? mass[last] - mass[start] + lastBin : levelMass;
            const double pLogP = isLast ? massLogMass[last] - massLogMass[start] + xLogX(lastBin)
                                        : massLogMass[end] - massLogMass[start];
            const int pNonEmpty = isLast ? nonEmpty[last] - nonEmpty[start] + (lastBin != 0.0)
                                         : nonEmpty[end] - nonEmpty[start];
            if (pNonEmpty == 0) continue;
            // Q is zero where P is not only when a level's own bins were all empty but the
            // clipped outliers landed there: a large finite penalty keeps candidates comparable.
            const double q = std::max(levelMass / pNonEmpty / qTotal, 1e-12);
            kl += (pLogP - pMass * logTotal) / total - pMass / total * std::log(q);
        }
        curve.thresholds.push_back((static_cast<double>(i) + 0.5) * histogram.binWidth());
        curve.values.push_back(kl);
    }
    return curve;
}

double klThreshold(const AbsHistogram& histogram, int quantizedLevels) {
    const int bins = static_cast<int>(histogram.counts().size());
    if (bins <= quantizedLevels) return histogram.range();
    const ThresholdCurve curve = klDivergenceCurve(histogram, quantizedLevels);
    if (curve.thresholds.empty()) {
        // Every value lies below the first candidate (or there is no mass beyond zeros).
        int lastUsed = bins - 1;
        std::vector<double> hist = histogram.counts();
        hist[0] = std::max(0.0, hist[0] - histogram.zeros());
        while (lastUsed > 0 && hist[static_cast<size_t>(lastUsed)] == 0.0) --lastUsed;
        if (lastUsed < quantizedLevels) return quantizedLevels * histogram.binWidth();
        return (static_cast<double>(bins) + 0.5) * histogram.binWidth();
    }
    double bestKl = std::numeric_limits<double>::infinity();
    double best = curve.thresholds.front();
    for (size_t k = 0; k < curve.thresholds.size(); ++k) {
        // Candidates past an empty bin often tie exactly; rounding must not pick the later one.
        if (curve.values[k] < bestKl - 1e-12) {
            bestKl = curve.values[k];
            best = curve.thresholds[k];
        }
    }
    return best;
}

double minMaxThreshold(const AbsHistogram& histogram) { return histogram.absMax(); }

double percentileThreshold(const AbsHistogram& histogram, double percentile) {
    const double target = histogram.total() * std::clamp(percentile, 0.0, 100.0) / 100.0;
    double cumulative = 0.0;
    const auto& counts = histogram.counts();
    for (size_t k = 0; k < counts.size(); ++k) {
        cumulative += counts[k];
        if (cumulative >= target)
            return std::min(histogram.absMax(),
                            (static_cast<double>(k) + 1) * histogram.binWidth());
    }
    return histogram.absMax();
}

namespace {
// The summed squared error per candidate (not divided by the count, so mseThreshold's choice
// compares exactly the sums it always compared).
ThresholdCurve mseSums(const AbsHistogram& histogram, int levels) {
    ThresholdCurve curve;
    const auto& counts = histogram.counts();
    const double width = histogram.binWidth();
    const int bins = static_cast<int>(counts.size());
    // Candidates on bin edges from 1/16 of the range up; prefix sums make each one O(1)
    // except the clipped tail, which is summed with running moments.
    std::vector<double> count(static_cast<size_t>(bins) + 1, 0.0), first(count), second(count);
    for (int k = bins - 1; k >= 0; --k) {
        const double center = (k + 0.5) * width;
        count[static_cast<size_t>(k)] =
            count[static_cast<size_t>(k) + 1] + counts[static_cast<size_t>(k)];
        first[static_cast<size_t>(k)] =
            first[static_cast<size_t>(k) + 1] + counts[static_cast<size_t>(k)] * center;
        second[static_cast<size_t>(k)] =
            second[static_cast<size_t>(k) + 1] + counts[static_cast<size_t>(k)] * center * center;
    }
    for (int edge = std::max(1, bins / 16); edge <= bins; ++edge) {
        const double t = edge * width;
        const double step = t / levels;
        const double inside = count[0] - count[static_cast<size_t>(edge)];
        // Sum over clipped values of (x - t)^2 = S2 - 2 t S1 + t^2 N.
        const double clipped = second[static_cast<size_t>(edge)] -
                               2.0 * t * first[static_cast<size_t>(edge)] +
                               t * t * count[static_cast<size_t>(edge)];
        const double error = clipped + inside * step * step / 12.0;
        curve.thresholds.push_back(t);
        curve.values.push_back(error);
    }
    return curve;
}
}  // namespace

ThresholdCurve quantizationMseCurve(const AbsHistogram& histogram, int levels) {
    ThresholdCurve curve = mseSums(histogram, levels);
    const double total = histogram.total();
    if (total > 0.0)
        for (double& value : curve.values) value /= total;
    return curve;
}

double mseThreshold(const AbsHistogram& histogram, int levels) {
    const ThresholdCurve curve = mseSums(histogram, levels);
    double bestError = std::numeric_limits<double>::infinity();
    double best = histogram.absMax();
    for (size_t k = 0; k < curve.thresholds.size(); ++k) {
        if (curve.values[k] < bestError) {
            bestError = curve.values[k];
            best = curve.thresholds[k];
        }
    }
    return std::min(best, histogram.absMax());
}

double aciqThreshold(const AbsHistogram& histogram) {
    // Exact zeros (a ReLU's cut-off half) are not part of the bell the fit describes; with them
    // the fitted scale shrinks and the clip cuts deep into the real values.
    std::vector<double> counts = histogram.counts();
    counts[0] = std::max(0.0, counts[0] - histogram.zeros());
    const double width = histogram.binWidth();
    double n = 0.0, sumAbs = 0.0, sumSquares = 0.0;
    for (size_t k = 0; k < counts.size(); ++k) {
        const double x = (static_cast<double>(k) + 0.5) * width;
        n += counts[k];
        sumAbs += counts[k] * x;
        sumSquares += counts[k] * x * x;
    }
    if (n == 0.0) return 0.0;
    // Zero-mean fits on |x|: Laplace scale b = E|x|, Gaussian sigma = sqrt(E x^2).
    const double b = sumAbs / n;
    const double sigma = std::sqrt(sumSquares / n);
    if (b <= 0.0 || sigma <= 0.0) return histogram.absMax();
    double laplaceLogLikelihood = 0.0, gaussLogLikelihood = 0.0;
    for (size_t k = 0; k < counts.size(); ++k) {
        if (counts[k] == 0.0) continue;
        const double x = (static_cast<double>(k) + 0.5) * width;
        laplaceLogLikelihood += counts[k] * (-std::log(2.0 * b) - x / b);
        gaussLogLikelihood += counts[k] * (-0.5 * std::log(2.0 * M_PI * sigma * sigma) -
                                           x * x / (2.0 * sigma * sigma));
    }
    // Optimal 8-bit clipping ratios from the ACIQ paper.
    const double alpha = laplaceLogLikelihood > gaussLogLikelihood ? 9.89 * b : 3.92 * sigma;
    return std::min(alpha, histogram.absMax());
}

double computeThreshold(const AbsHistogram& histogram, ThresholdMethod method,
                        const ThresholdOptions& options) {
    double threshold = 0.0;
    if (!histogram.empty() && histogram.absMax() > 0.0) {
        switch (method) {
            case ThresholdMethod::Kl:
            case ThresholdMethod::Auto:
                threshold = klThreshold(histogram, options.levels + 1);
                break;
            case ThresholdMethod::MinMax:
                threshold = minMaxThreshold(histogram);
                break;
            case ThresholdMethod::Percentile:
                threshold = percentileThreshold(histogram, options.percentile);
                break;
            case ThresholdMethod::Mse:
                threshold = mseThreshold(histogram, options.levels);
                break;
            case ThresholdMethod::Aciq:
                threshold = aciqThreshold(histogram);
                break;
        }
    }
    // An all-zero tensor still needs a finite scale; any positive threshold represents 0 exactly.
    if (!(threshold > 0.0) || !std::isfinite(threshold))
        threshold = histogram.absMax() > 0.0 ? histogram.absMax() : 1e-6;
    return threshold;
}

}  // namespace qf

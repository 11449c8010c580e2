#include "evaluate/error_metrics.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "runtime/parallel.h"

namespace qf {
namespace {

double cosineOf(double dot, double a, double b) {
    if (a == 0.0 && b == 0.0) return 1.0;  // both all-zero: identical
    if (a == 0.0 || b == 0.0) return 0.0;
    return dot / (std::sqrt(a) * std::sqrt(b));
}

}  // namespace

namespace {

struct Sums {
    double dot = 0.0, reference = 0.0, test = 0.0, error = 0.0, maxAbs = 0.0;
    bool nan = false;
};

// Four independent lanes per sum so the loop pipelines (a single running double sum waits on
// each add), combined in a fixed order: the result depends on the data only.
Sums sumBlock(const float* reference, const float* test, int64_t count) {
    constexpr int kLanes = 4;
    double dot[kLanes] = {}, a[kLanes] = {}, b[kLanes] = {}, e[kLanes] = {}, m[kLanes] = {};
    bool nan = false;
    const auto add = [&](int lane, int64_t k) {
        const double x = reference[k], y = test[k], d = x - y;
        dot[lane] += x * y;
        a[lane] += x * x;
        b[lane] += y * y;
        e[lane] += d * d;
        const double delta = std::fabs(d);
        nan |= delta != delta;
        m[lane] = delta > m[lane] ? delta : m[lane];
    };
    int64_t k = 0;
    for (; k + kLanes <= count; k += kLanes)
        for (int l = 0; l < kLanes; ++l) add(l, k + l);
    for (; k < count; ++k) add(0, k);  // the tail into the first lane
    Sums sums;
    sums.dot = (dot[0] + dot[1]) + (dot[2] + dot[3]);
    sums.reference = (a[0] + a[1]) + (a[2] + a[3]);
    sums.test = (b[0] + b[1]) + (b[2] + b[3]);
    sums.error = (e[0] + e[1]) + (e[2] + e[3]);
    sums.maxAbs = std::max(std::max(m[0], m[1]), std::max(m[2], m[3]));
    sums.nan = nan;
    return sums;
}

}  // namespace

void ErrorAccumulator::add(const float* reference, const float* test, int64_t count) {
    // Fixed-size blocks summed in order, whatever the thread count, so a report does not
    // depend on how many threads measured it.
    constexpr int64_t kBlock = 16384;
    const int64_t blocks = (count + kBlock - 1) / kBlock;
    std::vector<Sums> partial(static_cast<size_t>(blocks));
    parallelFor(blocks, count >= 4 * kBlock, [&](int64_t begin, int64_t end) {
        for (int64_t k = begin; k < end; ++k)
            partial[static_cast<size_t>(k)] = sumBlock(reference + k * kBlock, test + k * kBlock,
                                                       std::min(kBlock, count - k * kBlock));
    });
    Sums total;
    for (const Sums& sums : partial) {
        total.dot += sums.dot;
        total.reference += sums.reference;
        total.test += sums.test;
        total.error += sums.error;
        total.maxAbs = std::max(total.maxAbs, sums.maxAbs);
        total.nan = total.nan || sums.nan;
    }
    dot_ += total.dot;
    referenceNorm_ += total.reference;
    testNorm_ += total.test;
    errorPower_ += total.error;
    // Once a difference is NaN the largest difference is unknown, and stays so.
    if (total.nan || std::isnan(maxAbsDiff_))
        maxAbsDiff_ = std::numeric_limits<double>::quiet_NaN();
    else
        maxAbsDiff_ = std::max(maxAbsDiff_, total.maxAbs);
    worstImageCosine_ =
        std::min(worstImageCosine_, cosineOf(total.dot, total.reference, total.test));
}

double ErrorAccumulator::cosine() const { return cosineOf(dot_, referenceNorm_, testNorm_); }

double ErrorAccumulator::sqnrDb() const {
    if (errorPower_ == 0.0) return std::numeric_limits<double>::infinity();
    if (referenceNorm_ == 0.0) return -std::numeric_limits<double>::infinity();
    return 10.0 * std::log10(referenceNorm_ / errorPower_);
}

}  // namespace qf

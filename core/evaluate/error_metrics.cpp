#include "evaluate/error_metrics.h"

#include <algorithm>
#include <cmath>

namespace qf {
namespace {

double cosineOf(double dot, double a, double b) {
    if (a == 0.0 && b == 0.0) return 1.0;  // both all-zero: identical
    if (a == 0.0 || b == 0.0) return 0.0;
    return dot / (std::sqrt(a) * std::sqrt(b));
}

}  // namespace

void ErrorAccumulator::add(const float* reference, const float* test, int64_t count) {
    double dot = 0.0, a = 0.0, b = 0.0;
    for (int64_t k = 0; k < count; ++k) {
        const double x = reference[k], y = test[k];
        dot += x * y;
        a += x * x;
        b += y * y;
        errorPower_ += (x - y) * (x - y);
        const double delta = std::fabs(x - y);
        maxAbsDiff_ = std::isnan(delta) ? delta : std::max(maxAbsDiff_, delta);
    }
    dot_ += dot;
    referenceNorm_ += a;
    testNorm_ += b;
    worstImageCosine_ = std::min(worstImageCosine_, cosineOf(dot, a, b));
}

double ErrorAccumulator::cosine() const { return cosineOf(dot_, referenceNorm_, testNorm_); }

double ErrorAccumulator::sqnrDb() const {
    if (errorPower_ == 0.0) return std::numeric_limits<double>::infinity();
    if (referenceNorm_ == 0.0) return -std::numeric_limits<double>::infinity();
    return 10.0 * std::log10(referenceNorm_ / errorPower_);
}

}  // namespace qf

#include "calibration/histogram.h"

#include <algorithm>
#include <cmath>

namespace qf {

void AbsHistogram::growTo(double value) {
    const int bins = static_cast<int>(counts_.size());
    if (range_ == 0.0) {
        // Zeros seen so far sit in bin 0 whatever the range becomes.
        range_ = value;
        return;
    }
    const auto factor = static_cast<int64_t>(std::ceil(value / range_));
    if (factor <= 1) return;
    std::vector<double> merged(counts_.size(), 0.0);
    for (int k = 0; k < bins; ++k) merged[static_cast<size_t>(k / factor)] += counts_[static_cast<size_t>(k)];
    counts_ = std::move(merged);
    range_ *= static_cast<double>(factor);
}

void AbsHistogram::add(const float* values, int64_t count) {
    // NaN and infinities are skipped: they have no magnitude to calibrate against, and would
    // break the binning (a NaN bin index is undefined behaviour, an infinite range cannot grow).
    float lo = INFINITY, hi = -INFINITY;
    int64_t finite = 0;
    for (int64_t k = 0; k < count; ++k) {
        if (!std::isfinite(values[k])) continue;
        zeros_ += values[k] == 0.0f;
        lo = std::min(lo, values[k]);
        hi = std::max(hi, values[k]);
        ++finite;
    }
    if (finite == 0) return;
    min_ = total_ == 0.0 ? lo : std::min(min_, static_cast<double>(lo));
    max_ = total_ == 0.0 ? hi : std::max(max_, static_cast<double>(hi));
    const double batchAbsMax =
        std::max(std::fabs(static_cast<double>(lo)), std::fabs(static_cast<double>(hi)));
    absMax_ = std::max(absMax_, batchAbsMax);
    // The range stays strictly above the largest value so it lands in the last bin, not past it.
    if (batchAbsMax > 0.0 && batchAbsMax >= range_) growTo(std::nextafter(batchAbsMax, INFINITY));
    total_ += static_cast<double>(finite);
    if (range_ == 0.0) {
        counts_[0] += static_cast<double>(finite);
        return;
    }
    const double toBin = static_cast<double>(counts_.size()) / range_;
    const int last = static_cast<int>(counts_.size()) - 1;
    for (int64_t k = 0; k < count; ++k) {
        if (!std::isfinite(values[k])) continue;
        const int bin = std::min(last, static_cast<int>(std::fabs(values[k]) * toBin));
        counts_[static_cast<size_t>(bin)] += 1.0;
    }
}

AbsHistogram AbsHistogram::fromParts(std::vector<double> counts, double range, double min, double max,
                                     double zeros) {
    AbsHistogram histogram(static_cast<int>(counts.size()));
    histogram.counts_ = std::move(counts);
    histogram.range_ = range;
    histogram.min_ = min;
    histogram.max_ = max;
    histogram.absMax_ = std::max(std::fabs(min), std::fabs(max));
    histogram.zeros_ = zeros;
    for (const double c : histogram.counts_) histogram.total_ += c;
    return histogram;
}

}  // namespace qf

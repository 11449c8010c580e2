#include "thresholds/histogram.h"

#include <emmintrin.h>

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstdint>
#include <numeric>

namespace qf {

void AbsHistogram::growTo(double value) {
    const int bins = static_cast<int>(counts_.size());
    if (range_ == 0.0) {
        // Zeros seen so far sit in bin 0 whatever the range becomes.
        range_ = value;
        return;
    }
    const double ratio = std::ceil(value / range_);
    if (ratio <= 1.0) return;
    if (ratio >= bins) {
        // Every old bin merges into bin 0 (and a huge ratio would not fit an integer).
        counts_[0] = std::accumulate(counts_.begin(), counts_.end(), 0.0);
        std::fill(counts_.begin() + 1, counts_.end(), 0.0);
        range_ = value;
        return;
    }
    const auto factor = static_cast<int64_t>(ratio);
    std::vector<double> merged(counts_.size(), 0.0);
    for (int k = 0; k < bins; ++k)
        merged[static_cast<size_t>(k / factor)] += counts_[static_cast<size_t>(k)];
    counts_ = std::move(merged);
    range_ *= static_cast<double>(factor);
}

namespace {

// min and max of the finite values, and how many are non-finite or exactly zero: one SSE2 pass
// (baseline x86-64), four lanes at a time. minps/maxps return their second operand when the
// first is NaN, so NaNs never reach lo/hi; infinities do and are counted from them.
// Bits set in a 4-bit movemask (a table: the baseline ISA has no popcnt instruction).
constexpr int kBitsSet[16] = {0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4};

void scanValues(const float* values, int64_t count, float& lo, float& hi, int64_t& nonFinite,
                int64_t& zeros) {
    __m128 low = _mm_set1_ps(INFINITY), high = _mm_set1_ps(-INFINITY);
    const __m128 zero = _mm_setzero_ps(), infinity = _mm_set1_ps(INFINITY);
    const __m128 absMask = _mm_castsi128_ps(_mm_set1_epi32(0x7fffffff));
    int64_t k = 0;
    for (; k + 4 <= count; k += 4) {
        const __m128 v = _mm_loadu_ps(values + k);
        const __m128 finite =
            _mm_cmplt_ps(_mm_and_ps(v, absMask), infinity);  // false for NaN and inf
        low = _mm_min_ps(_mm_or_ps(_mm_and_ps(finite, v), _mm_andnot_ps(finite, infinity)), low);
        high = _mm_max_ps(
            _mm_or_ps(_mm_and_ps(finite, v), _mm_andnot_ps(finite, _mm_sub_ps(zero, infinity))),
            high);
        nonFinite += 4 - kBitsSet[_mm_movemask_ps(finite)];
        zeros += kBitsSet[_mm_movemask_ps(_mm_cmpeq_ps(v, zero))];
    }
    alignas(16) float lows[4], highs[4];
    _mm_store_ps(lows, low);
    _mm_store_ps(highs, high);
    lo = std::min({lows[0], lows[1], lows[2], lows[3]});
    hi = std::max({highs[0], highs[1], highs[2], highs[3]});
    for (; k < count; ++k) {
        const float v = values[k];
        const bool finite = std::fabs(v) <= FLT_MAX;
        nonFinite += !finite;
        zeros += v == 0.0f;
        if (finite) {
            lo = std::min(lo, v);
            hi = std::max(hi, v);
        }
    }
}

}  // namespace

void AbsHistogram::add(const float* values, int64_t count) {
    // NaN and infinities are skipped: they have no magnitude to calibrate against, and would
    // break the binning (a NaN bin index is undefined behaviour, an infinite range cannot grow).
    // The common case has none, and takes two branch-free passes the compiler vectorizes.
    float lo = INFINITY, hi = -INFINITY;
    int64_t nonFinite = 0, zeros = 0;
    scanValues(values, count, lo, hi, nonFinite, zeros);
    const int64_t finite = count - nonFinite;
    if (finite == 0) return;
    zeros_ += static_cast<double>(zeros);
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
    // Float math is exact enough for a bin index (the range sits above the largest value and
    // the index is clamped); integer counts per call are cheaper to bump than doubles.
    const auto toBin = static_cast<float>(static_cast<double>(counts_.size()) / range_);
    const auto lastBin = static_cast<float>(counts_.size() - 1);
    // Only the bins this call's values reach are counted and merged (a tensor's later images
    // rarely reach the range its largest value set).
    const auto reached =
        static_cast<size_t>(std::min(lastBin, static_cast<float>(batchAbsMax) * toBin)) + 1;
    // Zeros (already counted) and non-finite values go to a slot of their own past the bins,
    // chosen without a branch: a ReLU's zeros come at random and would mispredict. Four
    // interleaved sets of counters take consecutive values, so runs of equal bins (smooth
    // activations, runs of zeros) do not wait on one counter's previous increment.
    const size_t stride = reached + 1;
    std::vector<uint32_t> lanes(4 * stride, 0);
    lanes[0] = static_cast<uint32_t>(zeros);
    // Four values at a time, without a branch (SSE2, the x86-64 baseline): the bin of each
    // magnitude, clamped in float first (with a denormal range toBin is infinite), or the
    // uncounted slot for zeros, NaN (which fails every comparison) and infinities. Bin indices
    // fit int32: a histogram has far fewer bins.
    const __m128 absMask = _mm_castsi128_ps(_mm_set1_epi32(0x7fffffff));
    const __m128 scale = _mm_set1_ps(toBin), top = _mm_set1_ps(lastBin);
    const __m128 zero = _mm_setzero_ps(), largest = _mm_set1_ps(FLT_MAX);
    const __m128i uncounted = _mm_set1_epi32(static_cast<int>(reached));
    const __m128i laneOffsets = _mm_setr_epi32(
        0, static_cast<int>(stride), static_cast<int>(2 * stride), static_cast<int>(3 * stride));
    int64_t k = 0;
    alignas(16) int32_t slots[4];
    for (; k + 4 <= count; k += 4) {
        const __m128 magnitude = _mm_and_ps(_mm_loadu_ps(values + k), absMask);
        const __m128 counted =
            _mm_and_ps(_mm_cmpgt_ps(magnitude, zero), _mm_cmple_ps(magnitude, largest));
        const __m128i bin = _mm_cvttps_epi32(_mm_min_ps(_mm_mul_ps(magnitude, scale), top));
        const __m128i mask = _mm_castps_si128(counted);
        const __m128i slot =
            _mm_or_si128(_mm_and_si128(mask, bin), _mm_andnot_si128(mask, uncounted));
        _mm_store_si128(reinterpret_cast<__m128i*>(slots), _mm_add_epi32(slot, laneOffsets));
        ++lanes[static_cast<size_t>(slots[0])];
        ++lanes[static_cast<size_t>(slots[1])];
        ++lanes[static_cast<size_t>(slots[2])];
        ++lanes[static_cast<size_t>(slots[3])];
    }
    for (; k < count; ++k) {
        const float magnitude = std::fabs(values[k]);
        if (magnitude > 0.0f && magnitude <= FLT_MAX)
            ++lanes[static_cast<size_t>(std::min(lastBin, magnitude * toBin))];
    }
    for (size_t b = 0; b < reached; ++b)
        counts_[b] += static_cast<double>(lanes[b]) + lanes[stride + b] + lanes[2 * stride + b] +
                      lanes[3 * stride + b];
}

AbsHistogram AbsHistogram::fromParts(std::vector<double> counts, double range, double min,
                                     double max, double zeros) {
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

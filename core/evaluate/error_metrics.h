#pragma once
#include <cstdint>
#include <limits>

namespace qf {

// Accumulates how far a tensor (test) is from its reference over any number of images:
// cosine similarity, SQNR in dB (signal power over error power) and max |difference|.
class ErrorAccumulator {
public:
    void add(const float* reference, const float* test, int64_t count);

    double cosine() const;
    double sqnrDb() const;
    double maxAbsDiff() const { return maxAbsDiff_; }
    double worstImageCosine() const { return worstImageCosine_; }

private:
    double dot_ = 0.0, referenceNorm_ = 0.0, testNorm_ = 0.0, errorPower_ = 0.0, maxAbsDiff_ = 0.0;
    double worstImageCosine_ = 1.0;
};

}  // namespace qf

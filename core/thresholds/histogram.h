#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

namespace qf {

// Streaming statistics of one tensor over a calibration set: min, max, and a histogram of |x|
// over [0, range) in a fixed number of bins. When a value beyond the range arrives the range
// grows by a whole factor and bins merge exactly (k old bins into one), so nothing is
// re-collected and memory stays fixed whatever the number of images.
class AbsHistogram {
public:
    static constexpr int kDefaultBins = 2048;
    explicit AbsHistogram(int bins = kDefaultBins) : counts_(static_cast<size_t>(bins), 0.0) {}

    void add(const float* values, int64_t count);

    const std::vector<double>& counts() const { return counts_; }
    double binWidth() const { return range_ / static_cast<double>(counts_.size()); }
    double range() const { return range_; }
    double min() const { return min_; }
    double max() const { return max_; }
    double absMax() const { return absMax_; }
    double total() const { return total_; }
    double zeros() const { return zeros_; }  // values exactly 0, also counted in bin 0
    bool empty() const { return total_ == 0.0; }

    // Builds one from stored parts (a calibration file); counts.size() is the bin count.
    static AbsHistogram fromParts(std::vector<double> counts, double range, double min, double max,
                                  double zeros = 0.0);

private:
    void growTo(double value);

    std::vector<double> counts_;
    double range_ = 0.0;  // 0 until the first non-zero value
    double min_ = 0.0, max_ = 0.0, absMax_ = 0.0, total_ = 0.0, zeros_ = 0.0;
};

}  // namespace qf

#pragma once
// Timing shared by the benchmarks: medians, which a single slow run (another process, a page
// fault storm) does not move.
#include <algorithm>
#include <chrono>
#include <vector>

namespace qfbench {

using Clock = std::chrono::steady_clock;

inline double millisecondsSince(Clock::time_point start) {
    return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

inline double median(std::vector<double> values) {
    if (values.empty()) return 0.0;
    std::nth_element(values.begin(), values.begin() + values.size() / 2, values.end());
    return values[values.size() / 2];
}

// One warm-up call (first-touch allocations, lazy set-up), then the median of `repeats` calls.
template <typename Run>
double medianMilliseconds(Run run, int repeats) {
    run();
    std::vector<double> times;
    for (int k = 0; k < repeats; ++k) {
        const auto start = Clock::now();
        run();
        times.push_back(millisecondsSince(start));
    }
    return median(std::move(times));
}

}  // namespace qfbench

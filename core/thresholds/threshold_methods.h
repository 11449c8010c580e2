#pragma once
#include <string>
#include <vector>

#include "thresholds/histogram.h"

namespace qf {

// Each method maps a tensor's |x| histogram to a clipping threshold T: values are quantized
// as round(x * levels / T) and saturated. `levels` is 127 for int8, 255 for a non-negative
// tensor in uint8.
// Auto is not computed from the histogram: calibration searches, per tensor, the threshold that
// makes the int8 layers reading it err least (calibration/threshold_search.h).
enum class ThresholdMethod { Kl, MinMax, Percentile, Mse, Aciq, Auto };

// The methods computed from a histogram alone (every method but Auto).
const std::vector<ThresholdMethod>& allThresholdMethods();
// Every method a user can choose: the histogram methods and Auto.
const std::vector<ThresholdMethod>& selectableMethods();
std::string methodName(ThresholdMethod method);
bool parseMethod(const std::string& name, ThresholdMethod& method);

struct ThresholdOptions {
    double percentile = 99.99;  // for Percentile
    int levels = 127;
};

// TensorRT's entropy calibration: candidate thresholds from bin `quantizedLevels` (128) to
// the last, outliers clipped into the last kept bin, quantized to that many levels and
// expanded back; the candidate with the smallest KL(P || Q) wins. Exact zeros are left out.
// A tensor quantized to uint8 has 256 levels of |x|, so computeThreshold passes 256 for it.
double klThreshold(const AbsHistogram& histogram, int quantizedLevels = 128);
double minMaxThreshold(const AbsHistogram& histogram);
double percentileThreshold(const AbsHistogram& histogram, double percentile);
// Minimises the expected squared error: clipping error beyond T plus uniform rounding noise
// (T/levels)^2 / 12 for the values inside.
double mseThreshold(const AbsHistogram& histogram, int levels);
// Analytical clipping (Banner et al.): fits a Laplace and a Gaussian to the histogram, keeps
// the better fit and uses its optimal 8-bit clipping ratio.
double aciqThreshold(const AbsHistogram& histogram);

// Why the kl and mse methods chose what they chose: their objective against the candidate
// threshold, over the candidates each method searches (klThreshold and mseThreshold return the
// candidate of the smallest value, ties to the first). For the GUI's second plot.
struct ThresholdCurve {
    std::vector<double> thresholds;  // ascending
    std::vector<double> values;      // the objective at each threshold
};
// KL(P || Q) of klThreshold per candidate (candidates with no histogram mass are left out).
ThresholdCurve klDivergenceCurve(const AbsHistogram& histogram, int quantizedLevels = 128);
// The expected squared quantization error per value of mseThreshold (clipping plus rounding
// noise, divided by the number of values) per candidate.
ThresholdCurve quantizationMseCurve(const AbsHistogram& histogram, int levels);

// Dispatches to the method (Auto, which needs the search, falls back to Kl here); an empty or
// all-zero histogram gives a small positive threshold, never 0 or NaN, so scales stay finite.
double computeThreshold(const AbsHistogram& histogram, ThresholdMethod method,
                        const ThresholdOptions& options = {});

}  // namespace qf

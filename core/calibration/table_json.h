#pragma once
#include <string>

#include "thresholds/calibration_table.h"

namespace qf {

// QuantFold's own calibration file: everything a CalibrationTable holds, so a saved calibration
// can be reloaded, its thresholds recomputed with other methods, or edited by hand.
//
//   {
//     "format": "quantfold-calibration",
//     "version": 1,
//     "images": 100,
//     "method": "kl",                        // shared by every tensor, or "mixed"
//     "percentile": 99.99,                   // ThresholdOptions the thresholds came from
//     "levels": 127,
//     "tensors": {
//       "conv1_out": {
//         "method": "kl",                    // kl, minmax, percentile, mse or aciq
//         "threshold": 3.1,                  // the one in use; repeats manual_threshold or
//                                            // thresholds[method], and must agree with them
//         "manual_threshold": null,          // or a number, set by hand: it wins
//         "thresholds": {"kl": 3.1, "minmax": 5.5, "percentile": 4.9, "mse": 3.3, "aciq": 3.6},
//         "min": -1.25, "max": 5.5,
//         "histogram": {"bins": 2048, "range": 5.5000000000000009,
//                       "zeros": 790,                          // exact zeros, within bin 0
//                       "nonzero": [[0, 812], [3, 17], ...]}   // [bin, count], ascending
//       }
//     }
//   }
//
// The histogram is of |x| over [0, range) in `bins` equal bins (see AbsHistogram); only its
// non-empty bins are stored, as [index, count] pairs. A dense "counts": [c0, c1, ...] of length
// `bins` is read too. Numbers are written by nlohmann::json as text that reads back to the same
// double (histogram counts as integers), so a table survives a round trip exactly, whatever the
// C locale. Thresholds must be finite and
// positive. Unknown keys are ignored, so later versions can add some. NaN and Infinity, which
// JSON lacks, are read only to be reported against the tensor that holds them.

std::string calibrationJsonText(const CalibrationTable& table);
// Throws qf::Error naming the tensor for a value JSON cannot hold (NaN, infinity) or a
// threshold that is not positive.
void writeCalibrationJson(const CalibrationTable& table, const std::string& path);

// Throws qf::Error "<file>:<line>:<column>: <problem>" naming the tensor (its diagnostic() has
// the same fields) for invalid JSON, a key twice in one object, another format tag or a newer
// version, an unknown method, a threshold that is NaN, infinite, zero or
// negative, and a histogram that is inconsistent (bins out of range, counts negative).
CalibrationTable parseCalibrationJson(const std::string& text, const std::string& fileName);
CalibrationTable readCalibrationJson(const std::string& path);

}  // namespace qf

#pragma once
#include <map>
#include <string>

#include "thresholds/calibration_table.h"
#include "graph/graph.h"

namespace qf {

// TensorRT's calibration cache, as IInt8Calibrator::writeCalibrationCache stores it:
//
//   TRT-8601-EntropyCalibration2
//   input: 3c010204
//   conv1_out: 3d4ccccd
//
// The first line names the TensorRT version and the calibrator; TensorRT ignores a cache whose
// calibrator differs from the one in use. Every other line is `<tensor>: <hex>`, the hex being
// the IEEE-754 bits of the float32 scale threshold / 127, big-endian, lowercase, 8 digits.
// Tensor names may contain ':' (the last ": " separates name and value), not line breaks.

constexpr int kDefaultTensorRtVersion = 8601;

struct TensorRtCache {
    int version = 0;
    std::string calibrator;                    // "EntropyCalibration2", "MinMaxCalibration", ...
    std::map<std::string, double> thresholds;  // tensor -> scale * 127
};

// The hex of threshold / 127 as a float32, e.g. 127 -> "3f800000".
std::string tensorRtScaleHex(double threshold);

// The cache text: one line per tensor of the table, with its threshold in use (manual
// overrides included). The calibrator is MinMaxCalibration when every tensor uses minmax,
// EntropyCalibration2 otherwise. Throws qf::Error for a name with a line break or a threshold
// that is not finite and positive.
std::string tensorRtCacheText(const CalibrationTable& table, int version = kDefaultTensorRtVersion);
void writeTensorRtCache(const CalibrationTable& table, const std::string& path,
                        int version = kDefaultTensorRtVersion);

// Parses a cache; throws qf::Error "<file>:<line>: <problem>" for a bad header, bad hex, a
// duplicate tensor, a scale that is NaN, infinite, zero or negative, and (when graph is given)
// a tensor that is neither a graph input nor a node output.
TensorRtCache parseTensorRtCache(const std::string& text, const std::string& fileName,
                                 const Graph* graph = nullptr);
TensorRtCache readTensorRtCache(const std::string& path, const Graph* graph = nullptr);

}  // namespace qf

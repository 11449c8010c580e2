#pragma once
// A QuantFold project (.qfproj) as the desktop app saves it and the CLI's --project reads it:
// JSON with "format_version" (1), the model paths relative to the project, the images the fold
// verification runs on, the fold choices in the order they were made and, after a calibration,
// an "int8" object: the calibration settings, the calibration table (a JSON table file beside
// the project, holding the manual thresholds and per-tensor methods), the weight granularity,
// bias correction, equalization and the nodes kept in FP32. One reader and one writer for both
// front ends.
#include <optional>
#include <string>
#include <vector>

#include "images/preprocessing.h"
#include "thresholds/threshold_methods.h"

namespace qf {

struct ProjectImages {
    std::string folder;  // absolute; "" when none was chosen
    Preprocessing preprocessing;
    int maxImages = 0;  // 0: all
};

struct ProjectInt8 {
    ProjectImages images;  // calibration and comparison images
    ThresholdMethod method = ThresholdMethod::Auto;
    bool perChannelWeights = true;
    bool biasCorrection = true;
    // Cross-layer equalization of the folded model before calibration (passes/equalize.h);
    // the table then describes the equalized tensors.
    bool equalize = false;
    std::string table;  // absolute path of the JSON table; "" when none
    std::vector<std::string> keepFp32;
};

struct Project {
    std::string model;    // absolute
    std::string weights;  // absolute; "" for a single-file model
    ProjectImages images;
    std::vector<std::string> folds;  // affine node names, in the order they were folded
    std::optional<ProjectInt8> int8;
    // A TensorFlow graph's input shape as given for its unknown dimensions (TensorFlow's order,
    // -1 unknown; see loadModel); empty when none was given.
    Shape inputShape;
};

constexpr int kProjectFormatVersion = 1;

// Throws qf::Error naming the file and the problem (bad JSON, a missing key, a newer format
// version). Relative paths resolve against the project's folder.
Project readProject(const std::string& path);
// Paths are written relative to the project's folder. Atomic.
void writeProject(const std::string& path, const Project& project);

// The table file a project keeps beside itself: <folder>/<name>.int8.json.
std::string projectTablePath(const std::string& projectPath);

}  // namespace qf

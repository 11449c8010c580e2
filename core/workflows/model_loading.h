#pragma once
#include <string>

#include "graph/graph.h"
#include "passes/fold_batchnorm.h"
#include "util/diagnostic.h"

namespace qf {

// The model as the int8 commands (calibrate, compare, export) and the GUI's calibration work
// on it: loaded, then folded unless `fold` is false (folding first is what deployment does, and
// the thresholds then describe the tensors the folded model really produces).
struct LoadedModel {
    Graph graph;
    FoldReport folds;      // empty when not folded
    Diagnostics warnings;  // what loading reported (see loadModel)
};
LoadedModel loadForQuantization(const std::string& modelPath, const std::string& weightsPath,
                                bool fold = true);

}  // namespace qf

#pragma once
#include <string>

#include "graph/graph.h"
#include "passes/fold_batchnorm.h"
#include "util/diagnostic.h"
#include "workflows/project_file.h"

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

// The model as a project (workflows/project_file.h) has it: loaded as it is, then the project's
// folds applied one by one in their order with passes' foldOne, as the desktop app does when it
// opens the project, so the CLI's --project works on the very graph the app showed. Throws
// qf::Error naming the project and the node when a fold no longer applies.
LoadedModel loadProjectModel(const Project& project, const std::string& projectPath);

}  // namespace qf

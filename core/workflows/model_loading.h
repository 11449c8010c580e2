#pragma once
#include <optional>
#include <string>

#include "graph/graph.h"
#include "passes/equalize.h"
#include "passes/fold_batchnorm.h"
#include "util/diagnostic.h"
#include "workflows/project_file.h"

namespace qf {

// The model as the int8 commands (calibrate, compare, export) and the GUI's calibration work
// on it: loaded, then folded unless `fold` is false (folding first is what deployment does, and
// the thresholds then describe the tensors the folded model really produces), then, when
// `equalize` is set, its conv pairs equalized (passes/equalize.h) on the folded weights.
// Calibrate, compare and export must agree on `equalize`: a table describes the tensors of the
// graph it was calibrated on.
struct LoadedModel {
    Graph graph;
    FoldReport folds;                            // empty when not folded
    std::optional<EqualizeReport> equalization;  // set when equalized
    Diagnostics warnings;                        // what loading reported (see loadModel)
};
// `inputShape` as for loadModel (TensorFlow graphs only).
LoadedModel loadForQuantization(const std::string& modelPath, const std::string& weightsPath,
                                bool fold = true, bool equalize = false,
                                const Shape& inputShape = {});

// Equalizes the loaded graph (after its folds) and keeps the report, without its undo data.
void equalizeLoaded(LoadedModel& loaded);

// The model as a project (workflows/project_file.h) has it: loaded as it is, then the project's
// folds applied one by one in their order with passes' foldOne, as the desktop app does when it
// opens the project, so the CLI's --project works on the very graph the app showed; equalized
// when the project's int8 settings say so. Throws qf::Error naming the project and the node
// when a fold no longer applies.
// `inputShape`, when given, replaces the project's own (Project::inputShape).
LoadedModel loadProjectModel(const Project& project, const std::string& projectPath,
                             const Shape& inputShape = {});

}  // namespace qf

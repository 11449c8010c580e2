#include "workflows/model_loading.h"

#include "formats/model_io.h"
#include "passes/graph_edit.h"
#include "util/error.h"

namespace qf {

LoadedModel loadForQuantization(const std::string& modelPath, const std::string& weightsPath,
                                bool fold, bool equalize, const Shape& inputShape) {
    LoadedModel loaded;
    loaded.graph = loadModel(modelPath, weightsPath, &loaded.warnings, {}, inputShape);
    if (fold) {
        loaded.folds = foldBatchNorm(loaded.graph);
        // Nothing undoes this fold, and the undo data would keep the unfolded weights alive.
        loaded.folds.forgetUndo();
    }
    if (equalize) equalizeLoaded(loaded);
    return loaded;
}

void equalizeLoaded(LoadedModel& loaded) {
    loaded.equalization = equalizeConvPairs(loaded.graph);
    // As for the folds: nothing undoes it, and the undo edit holds the unequalized weights.
    loaded.equalization->undo = GraphEdit();
}

LoadedModel loadProjectModel(const Project& project, const std::string& projectPath,
                             const Shape& inputShape) {
    LoadedModel loaded;
    loaded.graph = loadModel(project.model, project.weights, &loaded.warnings, {},
                             inputShape.empty() ? project.inputShape : inputShape);
    for (const auto& affine : project.folds) {
        try {
            foldOne(loaded.graph, affine);
        } catch (const Error& error) {
            throw Error(projectPath + ": the project's fold of '" + affine +
                        "' does not apply: " + error.what());
        }
    }
    if (project.int8 && project.int8->equalize) equalizeLoaded(loaded);
    return loaded;
}

}  // namespace qf

#include "workflows/model_loading.h"

#include "formats/model_io.h"
#include "util/error.h"

namespace qf {

LoadedModel loadForQuantization(const std::string& modelPath, const std::string& weightsPath,
                                bool fold) {
    LoadedModel loaded;
    loaded.graph = loadModel(modelPath, weightsPath, &loaded.warnings);
    if (fold) {
        loaded.folds = foldBatchNorm(loaded.graph);
        // Nothing undoes this fold, and the undo data would keep the unfolded weights alive.
        loaded.folds.forgetUndo();
    }
    return loaded;
}

}  // namespace qf

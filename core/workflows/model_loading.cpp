#include "workflows/model_loading.h"

#include "formats/model_io.h"
#include "util/error.h"

namespace qf {

LoadedModel loadForQuantization(const std::string& modelPath, const std::string& weightsPath,
                                bool fold) {
    LoadedModel loaded;
    loaded.graph = loadModel(modelPath, weightsPath, &loaded.warnings);
    if (fold) loaded.folds = foldBatchNorm(loaded.graph);
    return loaded;
}

}  // namespace qf

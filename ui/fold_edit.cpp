#include "ui/fold_edit.h"

#include "util/error.h"

namespace qf::ui {

qf::FoldRecord foldOneNode(qf::Graph& graph, const std::string& affine) {
    const FoldReport report = foldBatchNorm(graph, {affine});
    if (report.folded.size() == 1) return report.folded.front();
    for (const auto& skipped : report.skipped)
        if (skipped.affine == affine)
            throw Error("'" + affine + "' cannot fold: " + skipped.reason);
    throw Error("'" + affine + "' is not a BatchNorm, Scale or Bias node of the model");
}

}  // namespace qf::ui

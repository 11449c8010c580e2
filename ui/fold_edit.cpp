#include "ui/fold_edit.h"

namespace qf::ui {

FoldStep foldOneNode(qf::Graph& graph, const std::string& affine,
                     const std::vector<qf::FoldCandidate>& candidates) {
    FoldStep step;
    step.undo = qf::foldOne(graph, affine);  // throws FoldError, graph unchanged, when it cannot
    for (const auto& candidate : candidates)
        if (candidate.affine == affine) {
            step.record.affine = candidate.affine;
            step.record.affineOp = candidate.affineOp;
            step.record.target = candidate.target;
            step.record.targetOp = candidate.targetOp;
            step.record.channels = candidate.channels;
        }
    if (step.record.affine.empty()) step.record.affine = affine;
    return step;
}

}  // namespace qf::ui

#pragma once
#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "graph/graph.h"

namespace qf {

// Folds per-channel affine nodes (BatchNormalization, Caffe Scale and Bias) into the
// Conv / ConvTranspose / Gemm (InnerProduct) that produces their input:
//   w' = w * m[c],  b' = b * m[c] + a[c],  with m = gamma / sqrt(var + eps), a = beta - mean * m.
// A Caffe BatchNorm -> Scale chain folds link by link into the same conv.
//
// Match: an affine node whose input comes from a foldable producer (directly or through
// affine nodes that fold first). Check: the producer's output feeds nothing else, parameters
// are constant, finite, variance >= 0, weights are not shared. Rewrite: scale weights, create
// or update the bias, let the producer write the affine node's output, drop the affine node.

struct FoldCandidate {
    std::string affine;  // the BatchNormalization / Scale / Bias node
    std::string affineOp;
    std::string target;  // the node it folds into (empty when it cannot fold)
    std::string targetOp;
    int64_t channels = 0;
    std::string reason;  // why it cannot fold; empty when it can
    bool foldable() const { return reason.empty(); }
};

struct FoldRecord {
    std::string affine, affineOp, target, targetOp;
    int64_t channels = 0;
    bool biasCreated = false;
};

struct FoldReport {
    std::vector<FoldRecord> folded;
    std::vector<FoldCandidate> skipped;  // each with its reason
};

bool isAffineOp(const std::string& op);

// Every affine node of the graph and whether (and into what) it can fold. Changes nothing.
std::vector<FoldCandidate> findFoldCandidates(const Graph& graph);

// Folds every foldable affine node, or only those named in `only` when it is not empty.
FoldReport foldBatchNorm(Graph& graph, const std::set<std::string>& only = {});

}  // namespace qf

#pragma once
#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "graph/graph.h"
#include "util/error.h"

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
//
// One fold as an undoable edit: foldOne in passes/graph_edit.h.

// Why an affine node cannot fold, for code that reacts to it (the text says it for people).
enum class FoldRefusal {
    None,
    UnknownNode,              // no node of that name
    NotAffine,                // not a per-channel affine op
    NotPerChannel,            // Scale / Bias on another axis than 1, or over several axes
    NoFoldableProducer,       // its input is a model input or comes from a non-absorbing op
    FollowsNonLinear,         // its input comes from an activation (Relu, Sigmoid, ...)
    FollowsUnfoldedAffine,    // it follows an affine node that is not folded (yet)
    ProducerHasOtherReaders,  // the producer's output is read elsewhere or is a graph output
    ParametersNotConstant,    // a parameter (or the target's weights/bias) is missing or computed
    NonFiniteParameters,      // NaN or infinite values in a parameter or the target's weights
    NegativeVariance,         // variance < 0, or variance + epsilon == 0
    ParameterLengthsDiffer,   // parameters of different lengths
    HasTrainingOutputs,       // BatchNormalization with running mean / variance outputs
    SharedWeights,            // the target's weights or bias are read by another node too
    ChannelMismatch,          // the target's output channels differ from the parameters'
    UnsupportedTarget,        // Gemm with alpha/beta other than 1, non-2-D weights, odd bias
};
const char* foldRefusalName(FoldRefusal refusal);

struct FoldCandidate {
    std::string affine;  // the BatchNormalization / Scale / Bias node
    std::string affineOp;
    std::string target;  // the node it folds into (empty when it cannot fold)
    std::string targetOp;
    int64_t channels = 0;
    std::string reason;                       // why it cannot fold; empty when it can
    FoldRefusal refusal = FoldRefusal::None;  // the same, typed
    bool foldable() const { return reason.empty(); }
};

// What foldOne throws: a qf::Error whose message names the node and the reason.
class FoldError : public Error {
public:
    explicit FoldError(FoldCandidate candidate);
    const FoldCandidate& candidate() const { return candidate_; }
    FoldRefusal refusal() const { return candidate_.refusal; }

private:
    FoldCandidate candidate_;
};

struct FoldRecord {
    std::string affine, affineOp, target, targetOp;
    int64_t channels = 0;
    bool biasCreated = false;
    // What undoing this fold needs (passes/graph_edit.h undoFold): the affine node and its
    // index as they were just before the fold, the target node as it was, and every weight the
    // fold replaced, created or dropped as it was (null: it did not exist).
    Node affineNode;
    size_t affineIndex = 0;
    Node targetNode;
    std::vector<NamedWeight> previousWeights;
};

struct FoldReport {
    std::vector<FoldRecord> folded;
    std::vector<FoldCandidate> skipped;  // each with its reason
    // Weights no node read before the pass, which it dropped as well (see undoFolds).
    std::vector<NamedWeight> droppedUnused;

    // Drops what undoing needs. The report holds the unfolded weights, so a caller that folded
    // its only copy of a graph and will never undo frees them with this.
    void forgetUndo();
};

bool isAffineOp(const std::string& op);

// Every affine node of the graph and whether (and into what) it can fold. Changes nothing.
// Linear in the graph's size.
std::vector<FoldCandidate> findFoldCandidates(const Graph& graph);

// Folds every foldable affine node, or only those named in `only` when it is not empty, in
// graph order: the same as foldOne on each of them in turn (skipping those it refuses),
// followed by dropping every weight no node reads. Linear in the graph's size.
FoldReport foldBatchNorm(Graph& graph, const std::set<std::string>& only = {});

}  // namespace qf

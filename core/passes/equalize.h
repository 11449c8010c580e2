#pragma once
// Cross-layer equalization (Nagel et al., "Data-Free Quantization Through Weight Equalization
// and Bias Correction", ICCV 2019). For two convolutions in a row,
//   y = conv2(f(conv1(x)))  with f the identity or positively homogeneous per channel
//   (Relu, LeakyRelu, PRelu: f(x / s) = f(x) / s for s > 0),
// dividing output channel i of conv1 (its weights and bias) by s_i and multiplying input
// channel i of conv2 by s_i leaves y unchanged. Choosing s_i = sqrt(r1_i * r2_i) / r2_i, with
// r1_i the range (max |w|) of conv1's output channel i and r2_i that of conv2's input channel i,
// makes both ranges sqrt(r1_i * r2_i): the per-channel ranges even out, which is what
// per-tensor int8 (weights, and the activation between the two) needs. Depthwise-separable
// networks (depthwise -> pointwise -> depthwise ...) gain most.
//
// A chain conv -> conv -> conv shares its middle layer between two pairs, so the pass sweeps
// all pairs repeatedly until the scales settle. Run it on the folded graph (after BatchNorm
// folding), before calibration: the thresholds must describe the equalized tensors.
#include <cstdint>
#include <string>
#include <vector>

#include "graph/graph.h"
#include "passes/graph_edit.h"

namespace qf {

struct EqualizeOptions {
    // RetinaFace's 27-layer backbone chain needs about 100 sweeps (milliseconds each).
    int maxIterations = 500;
    // Sweeps stop once no channel's scale moves by more than this factor (|log s| below it).
    double tolerance = 1e-4;
    // A channel whose range is below this fraction of its layer's largest is left alone
    // (s = 1): all-zero and decayed channels (RetinaFace has ~1e-8 ones) would otherwise get
    // a huge 1/s, turning their bias into a large constant activation that spoils the
    // per-tensor int8 range of the tensor between the two layers.
    double negligibleRange = 1e-3;
};

// One conv -> (activation) -> conv pair that was equalized.
struct EqualizedPair {
    std::string first, second;  // node names
    std::string between;        // the activation op between them; "" when none
    int64_t channels = 0;
    int64_t unscaled = 0;  // channels left at s = 1 (zero or negligible range)
    // Of the total per-channel scale s_i (the product over all sweeps): conv1's output channel
    // i was divided by it, conv2's input channel i multiplied.
    double minScale = 1.0, maxScale = 1.0;
};

// A conv -> conv pair the pass did not touch, and why.
struct EqualizeSkip {
    std::string first, second;
    std::string reason;
};

// How uneven one layer's per-output-channel weight ranges are: largest / smallest, over the
// channels that are not negligible (see EqualizeOptions::negligibleRange).
struct RangeSpread {
    std::string node;
    double ratioBefore = 1.0, ratioAfter = 1.0;
};

struct EqualizeReport {
    std::vector<EqualizedPair> pairs;
    std::vector<EqualizeSkip> skipped;
    std::vector<RangeSpread> layers;  // every node the pass rescaled, in graph order
    int iterations = 0;
    bool converged = false;
    // The worst ratio over `layers`, before and after.
    double worstRatioBefore = 1.0, worstRatioAfter = 1.0;
    // Applying it restores the weights as they were (empty when nothing changed).
    GraphEdit undo;
};

// Equalizes every eligible pair of the graph in place, as one edit (bumps the revision when it
// changes anything). Eligible: two Conv nodes, the first's output read only by the second
// (directly or through one Relu / LeakyRelu / PRelu that is its only reader, itself read only
// by the second), not a graph output, constant finite float weights (and bias) read by no other
// node, and the second's input channels matching the first's output channels for its group
// count. ReLU6 / Clip between them is not positively homogeneous: such pairs are skipped.
EqualizeReport equalizeConvPairs(Graph& graph, const EqualizeOptions& options = {});

}  // namespace qf

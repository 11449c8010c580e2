#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "graph/graph.h"

namespace qf {

// What one layer costs: its learned parameters and its multiply-accumulates for one run.
//
// Parameters: the elements of the floating-point weights the node reads (integer constants such
// as Reshape's shape or Gather's indices are not learned and not counted); a weight read twice
// by the node counts once.
//
// MACs: one per multiply of a product summed into an output, the figure Conv/Gemm tables use:
//   Conv            N·Cout·Ho·Wo · (Cin/g)·kh·kw      (bias additions not counted)
//   ConvTranspose   N·Cin·H·W · (Cout/g)·kh·kw        (every input pixel scatters its kernel)
//   Gemm            M·N·K                            (from the output [M, N] and K of A or B)
//   MatMul          numel(Y) · K
//   BatchNormalization, Scale, PRelu, Mul, Div   one per output element (y = m·x + a)
// Every other op (activations, pooling, additions, shape ops) has no multiplies counted: 0.
// macs is empty when a shape it needs is unknown (a layer after an unsupported one).
struct LayerCost {
    int64_t parameters = 0;
    std::optional<int64_t> macs;
};

// `shapes` maps tensor names to shapes (runtime/shape_inference.h); missing tensors are unknown.
LayerCost layerCost(const Graph& graph, const Node& node,
                    const std::map<std::string, Shape>& shapes);

struct ModelCost {
    std::vector<LayerCost> layers;  // one per graph.nodes entry, same order
    int64_t parameters = 0;         // each weight counted once, even when shared by nodes
    int64_t macs = 0;               // sum over the layers whose MACs are known
    int unknownMacLayers = 0;       // layers whose MACs could not be counted
};
ModelCost modelCost(const Graph& graph, const std::map<std::string, Shape>& shapes);

}  // namespace qf

#pragma once
#include <string>
#include <vector>

#include "graph/graph.h"

namespace qf::ui {

// The boxes and links a graph view draws: one box per graph input (that is not a weight) and
// per node, one link per (producer, consumer, tensor) where the tensor is not a weight.
// Layout, scene and tests read this one definition.
struct TopologyBox {
    enum class Kind { Input, Node };
    Kind kind = Kind::Node;
    std::string name;  // the input tensor's or the node's name
    int nodeIndex = -1;
};
struct TopologyLink {
    int from = 0;  // box indices
    int to = 0;
    std::string tensor;
};
struct GraphTopology {
    std::vector<TopologyBox> boxes;
    std::vector<TopologyLink> links;
    int inputBoxes =
        0;  // boxes [0, inputBoxes) are graph inputs, then node k is box inputBoxes + k
};
GraphTopology topologyOf(const Graph& graph);

}  // namespace qf::ui

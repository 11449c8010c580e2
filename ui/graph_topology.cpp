#include "ui/graph_topology.h"

#include <map>
#include <set>
#include <tuple>

namespace qf::ui {

GraphTopology topologyOf(const Graph& graph) {
    GraphTopology topology;
    std::map<std::string, int> producerBox;  // tensor -> box that writes it
    for (const auto& input : graph.inputs) {
        if (graph.isWeight(input.name)) continue;
        producerBox[input.name] = static_cast<int>(topology.boxes.size());
        topology.boxes.push_back({TopologyBox::Kind::Input, input.name, -1});
    }
    topology.inputBoxes = static_cast<int>(topology.boxes.size());
    for (size_t k = 0; k < graph.nodes.size(); ++k) {
        const int box = static_cast<int>(topology.boxes.size());
        topology.boxes.push_back(
            {TopologyBox::Kind::Node, graph.nodes[k].name, static_cast<int>(k)});
        for (const auto& output : graph.nodes[k].outputs)
            if (!output.empty()) producerBox[output] = box;
    }
    // Caffe's in-place layers write the tensor they read: a reader links to the producer that
    // came before it, so walk the nodes in order and track the latest writer of each tensor.
    std::map<std::string, int> latest;
    for (const auto& [tensor, box] : producerBox)
        if (box < topology.inputBoxes) latest[tensor] = box;
    std::set<std::tuple<int, int, std::string>> seen;
    for (size_t k = 0; k < graph.nodes.size(); ++k) {
        const int box = topology.inputBoxes + static_cast<int>(k);
        for (const auto& input : graph.nodes[k].inputs) {
            if (input.empty() || graph.isWeight(input)) continue;
            const auto it = latest.find(input);
            if (it == latest.end()) continue;
            if (seen.insert({it->second, box, input}).second)
                topology.links.push_back({it->second, box, input});
        }
        for (const auto& output : graph.nodes[k].outputs)
            if (!output.empty()) latest[output] = box;
    }
    return topology;
}

}  // namespace qf::ui

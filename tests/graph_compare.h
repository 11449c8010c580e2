#pragma once
// Structural equality of two graphs for round-trip tests: same nodes (op, name, wiring,
// attributes) and bit-identical weights. Returns the first difference, or "" when equal.
#include <cstring>
#include <string>

#include "graph/graph.h"

namespace qftest {

inline std::string firstDifference(const qf::Graph& a, const qf::Graph& b) {
    if (a.nodes.size() != b.nodes.size())
        return "node counts " + std::to_string(a.nodes.size()) + " vs " +
               std::to_string(b.nodes.size());
    for (size_t k = 0; k < a.nodes.size(); ++k) {
        const qf::Node& x = a.nodes[k];
        const qf::Node& y = b.nodes[k];
        if (x.name != y.name || x.op != y.op) return "node " + x.name + " vs " + y.name;
        if (x.inputs != y.inputs || x.outputs != y.outputs) return "wiring of node " + x.name;
        if (x.attrs.size() != y.attrs.size()) return "attribute count of node " + x.name;
        for (const auto& attr : x.attrs) {
            const auto other = y.attrs.find(attr.first);
            if (other == y.attrs.end() || other->second.toString() != attr.second.toString())
                return "attribute " + attr.first + " of node " + x.name;
        }
    }
    if (a.weights.size() != b.weights.size()) return "weight counts differ";
    for (const auto& weight : a.weights) {
        const auto other = b.weights.find(weight.first);
        if (other == b.weights.end()) return "weight " + weight.first + " missing";
        const qf::Tensor& x = weight.second;
        const qf::Tensor& y = other->second;
        if (x.dtype != y.dtype || x.shape != y.shape || x.i != y.i || x.f.size() != y.f.size() ||
            (!x.f.empty() &&  // memcmp of an empty vector's null data is undefined
             std::memcmp(x.f.data(), y.f.data(), x.f.size() * sizeof(float)) != 0))
            return "weight " + weight.first + " differs";
    }
    if (a.inputs.size() != b.inputs.size() || a.outputs.size() != b.outputs.size())
        return "graph inputs/outputs";
    for (size_t k = 0; k < a.inputs.size(); ++k)
        if (a.inputs[k].name != b.inputs[k].name || a.inputs[k].shape != b.inputs[k].shape)
            return "input " + a.inputs[k].name;
    for (size_t k = 0; k < a.outputs.size(); ++k)
        if (a.outputs[k].name != b.outputs[k].name) return "output " + a.outputs[k].name;
    return "";
}

}  // namespace qftest

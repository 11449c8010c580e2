#include "graph/graph.h"

#include <algorithm>
#include <functional>
#include <queue>
#include <set>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

#include "util/error.h"

namespace qf {

int64_t Node::attrInt(const std::string& attr, int64_t fallback) const {
    const auto it = attrs.find(attr);
    if (it == attrs.end()) return fallback;
    if (it->second.kind == Attribute::Kind::Float) return static_cast<int64_t>(it->second.f);
    return it->second.i;
}

float Node::attrFloat(const std::string& attr, float fallback) const {
    const auto it = attrs.find(attr);
    if (it == attrs.end()) return fallback;
    if (it->second.kind == Attribute::Kind::Int) return static_cast<float>(it->second.i);
    return it->second.f;
}

std::string Node::attrString(const std::string& attr, const std::string& fallback) const {
    const auto it = attrs.find(attr);
    return it == attrs.end() ? fallback : it->second.s;
}

std::vector<int64_t> Node::attrInts(const std::string& attr, std::vector<int64_t> fallback) const {
    const auto it = attrs.find(attr);
    return it == attrs.end() ? fallback : it->second.ints;
}

std::vector<float> Node::attrFloats(const std::string& attr, std::vector<float> fallback) const {
    const auto it = attrs.find(attr);
    return it == attrs.end() ? fallback : it->second.floats;
}

const std::string& Node::input(size_t k) const {
    static const std::string absent;
    return k < inputs.size() ? inputs[k] : absent;
}

Node makeNode(std::string name, std::string op, std::vector<std::string> inputs,
              std::vector<std::string> outputs, std::map<std::string, Attribute> attrs) {
    Node node;
    node.name = std::move(name);
    node.op = std::move(op);
    node.inputs = std::move(inputs);
    node.outputs = std::move(outputs);
    node.attrs = std::move(attrs);
    return node;
}

Node& Graph::addNode(Node node) { return insertNode(nodes.size(), std::move(node)); }

Node& Graph::insertNode(size_t index, Node node) {
    if (node.id == 0)
        node.id = newNodeId();
    else if (node.id > lastNodeId)
        lastNodeId = node.id;
    ++revision;
    return *nodes.insert(nodes.begin() + static_cast<std::ptrdiff_t>(std::min(index, nodes.size())),
                         std::move(node));
}

void Graph::assignMissingIds() {
    for (const auto& node : nodes) lastNodeId = std::max(lastNodeId, node.id);
    bool assigned = false;
    for (auto& node : nodes)
        if (node.id == 0) {
            node.id = newNodeId();
            assigned = true;
        }
    if (assigned) ++revision;
}

const Node* Graph::nodeById(uint64_t id) const {
    const int index = nodeIndexById(id);
    return index < 0 ? nullptr : &nodes[static_cast<size_t>(index)];
}

int Graph::nodeIndexById(uint64_t id) const {
    if (id == 0) return -1;
    for (size_t k = 0; k < nodes.size(); ++k)
        if (nodes[k].id == id) return static_cast<int>(k);
    return -1;
}

const Tensor* Graph::weight(const std::string& tensor) const { return weights.get(tensor); }

int Graph::producerIndex(const std::string& tensor) const {
    for (size_t k = 0; k < nodes.size(); ++k)
        for (const auto& out : nodes[k].outputs)
            if (out == tensor) return static_cast<int>(k);
    return -1;
}

std::vector<int> Graph::consumerIndices(const std::string& tensor) const {
    std::vector<int> found;
    for (size_t k = 0; k < nodes.size(); ++k)
        for (const auto& in : nodes[k].inputs)
            if (in == tensor) {
                found.push_back(static_cast<int>(k));
                break;
            }
    return found;
}

bool Graph::isGraphOutput(const std::string& tensor) const {
    for (const auto& out : outputs)
        if (out.name == tensor) return true;
    return false;
}

int Graph::nodeIndex(const std::string& nodeName) const {
    for (size_t k = 0; k < nodes.size(); ++k)
        if (nodes[k].name == nodeName) return static_cast<int>(k);
    return -1;
}

void Graph::sortTopologically() {
    // Caffe's in-place layers write a tensor that already exists, so a tensor counts as
    // available once any node placed so far writes it (or it is an input or a weight). Each
    // step places the ready node that comes first in file order (so an in-place chain keeps its
    // order): Kahn's algorithm with a min-heap of ready indices, N log N.
    std::unordered_set<std::string> available;
    for (const auto& in : inputs) available.insert(in.name);
    for (const auto& w : weights) available.insert(w.first);
    std::vector<int> missing(nodes.size(), 0);
    std::unordered_map<std::string, std::vector<size_t>> waiting;  // tensor -> nodes reading it
    std::priority_queue<size_t, std::vector<size_t>, std::greater<>> ready;
    for (size_t k = 0; k < nodes.size(); ++k) {
        std::unordered_set<std::string> counted;
        for (const auto& in : nodes[k].inputs)
            if (!in.empty() && !available.count(in) && counted.insert(in).second) {
                ++missing[k];
                waiting[in].push_back(k);
            }
        if (missing[k] == 0) ready.push(k);
    }
    std::vector<size_t> order;
    order.reserve(nodes.size());
    while (!ready.empty()) {
        const size_t k = ready.top();
        ready.pop();
        order.push_back(k);
        for (const auto& out : nodes[k].outputs) {
            if (!available.insert(out).second) continue;
            const auto readers = waiting.find(out);
            if (readers == waiting.end()) continue;
            for (const size_t reader : readers->second)
                if (--missing[reader] == 0) ready.push(reader);
        }
    }
    if (order.size() < nodes.size()) {
        std::vector<bool> placed(nodes.size(), false);
        for (const size_t k : order) placed[k] = true;
        for (size_t k = 0; k < nodes.size(); ++k) {
            if (placed[k]) continue;
            for (const auto& in : nodes[k].inputs)
                if (!in.empty() && !available.count(in))
                    throw Error("node '" + nodes[k].name + "' (" + nodes[k].op +
                                ") reads tensor '" + in +
                                "' that no node, input or weight provides");
        }
    }
    bool reordered = false;
    std::vector<Node> ordered;
    ordered.reserve(nodes.size());
    for (size_t position = 0; position < order.size(); ++position) {
        reordered = reordered || order[position] != position;
        ordered.push_back(std::move(nodes[order[position]]));
    }
    nodes = std::move(ordered);
    if (reordered) ++revision;
}

std::string Graph::addWeight(const std::string& base, Tensor value) {
    std::string name = base;
    for (int k = 2; isWeight(name) || producerIndex(name) >= 0; ++k)
        name = base + "_" + std::to_string(k);
    weights.set(name, std::move(value));
    ++revision;
    return name;
}

void Graph::removeUnusedWeights() {
    std::unordered_set<std::string_view> used;
    for (const auto& node : nodes) used.insert(node.inputs.begin(), node.inputs.end());
    for (const auto& out : outputs) used.insert(out.name);
    std::vector<std::string> unused;
    for (const auto& weight : weights)
        if (!used.count(weight.first)) unused.push_back(weight.first);
    for (const auto& name : unused) weights.erase(name);
    if (!unused.empty()) ++revision;
}

std::map<std::string, int> Graph::opCounts() const {
    std::map<std::string, int> counts;
    for (const auto& node : nodes) ++counts[node.op];
    return counts;
}

}  // namespace qf

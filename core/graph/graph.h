#pragma once
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "graph/attribute.h"
#include "graph/tensor.h"
#include "graph/weight_store.h"

namespace qf {

// One operation. Ops use ONNX names (Conv, BatchNormalization, Gemm, ...) where the semantics
// match; Caffe layers without an ONNX twin keep their Caffe name (Scale, Bias, Power, ...).
// Weights are inputs that name entries of Graph::weights.
struct Node {
    // Unique within its graph, kept by copies and by every edit (indices shift when an edit
    // removes or inserts nodes; ids never do). 0 until a graph hands one out (Graph::addNode,
    // Graph::assignMissingIds).
    uint64_t id = 0;
    std::string name;
    std::string op;
    std::vector<std::string> inputs;  // "" marks an absent optional input
    std::vector<std::string> outputs;
    std::map<std::string, Attribute> attrs;
    // The node as its file wrote it (a serialized NodeProto / LayerParameter, or a layer's
    // prototxt text): exporters start from it so what the IR does not model survives a round trip.
    std::string source;

    bool has(const std::string& attr) const { return attrs.count(attr) != 0; }
    int64_t attrInt(const std::string& attr, int64_t fallback) const;
    float attrFloat(const std::string& attr, float fallback) const;
    std::string attrString(const std::string& attr, const std::string& fallback) const;
    std::vector<int64_t> attrInts(const std::string& attr,
                                  std::vector<int64_t> fallback = {}) const;
    std::vector<float> attrFloats(const std::string& attr, std::vector<float> fallback = {}) const;
    const std::string& input(size_t k) const;  // "" when absent
};

// A node built by a pass or exporter (no original source, no id yet).
Node makeNode(std::string name, std::string op, std::vector<std::string> inputs,
              std::vector<std::string> outputs, std::map<std::string, Attribute> attrs = {});

struct ValueInfo {
    std::string name;
    Shape shape;  // 0 or negative entries are unknown dimensions
    DataType dtype = DataType::Float32;
};

struct Graph {
    std::string format;  // "caffe" or "onnx"
    std::string name;
    std::vector<Node> nodes;  // kept in topological order by importers and passes
    WeightStore weights;      // shared with copies of the graph until written
    std::vector<ValueInfo> inputs;
    std::vector<ValueInfo> outputs;
    // Format-specific remainder of the file (model metadata, opset imports, net header), opaque.
    std::string source;
    std::map<std::string, std::string>
        sourceInfo;  // small facts exporters need (opset, ir version)
    // Bumped by every edit (folds, undo, redo, passes that change something), so a view or a
    // cached result can tell that the graph it saw is no longer the graph.
    uint64_t revision = 0;
    uint64_t lastNodeId = 0;  // the highest id handed out; see newNodeId

    // A fresh node id, never handed out before in this graph (copies continue the count).
    uint64_t newNodeId() { return ++lastNodeId; }
    // Appends / inserts a node, giving it a fresh id unless it has one; bumps the revision.
    Node& addNode(Node node);
    Node& insertNode(size_t index, Node node);
    // Gives every node with id 0 a fresh id (for nodes a caller pushed into `nodes` directly).
    void assignMissingIds();
    const Node* nodeById(uint64_t id) const;  // nullptr when no node has that id
    int nodeIndexById(uint64_t id) const;     // -1 when no node has that id

    bool isWeight(const std::string& tensor) const { return weights.contains(tensor); }
    const Tensor* weight(const std::string& tensor) const;
    int producerIndex(const std::string& tensor) const;  // -1 when a graph input or weight
    std::vector<int> consumerIndices(const std::string& tensor) const;
    bool isGraphOutput(const std::string& tensor) const;
    int nodeIndex(const std::string& nodeName) const;

    // Reorders nodes topologically; throws naming a node when the graph has a cycle or a
    // tensor nobody produces.
    void sortTopologically();
    // Stores a new weight under `base`, or `base_2`, `base_3`, ... when that names a weight or a
    // node output already; returns the name used.
    std::string addWeight(const std::string& base, Tensor value);
    // Drops weights no node reads any more (bumps the revision when it drops any).
    void removeUnusedWeights();
    std::map<std::string, int> opCounts() const;
};

}  // namespace qf

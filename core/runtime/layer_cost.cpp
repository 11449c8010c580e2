#include "runtime/layer_cost.h"

#include <set>

namespace qf {

namespace {

// The shape of a tensor: a weight's own shape, else the inferred one; empty when unknown.
std::optional<Shape> shapeOf(const Graph& graph, const std::string& tensor,
                             const std::map<std::string, Shape>& shapes) {
    if (tensor.empty()) return std::nullopt;
    if (const Tensor* weight = graph.weight(tensor)) return weight->shape;
    const auto found = shapes.find(tensor);
    if (found == shapes.end()) return std::nullopt;
    for (const int64_t d : found->second)
        if (d <= 0) return std::nullopt;
    return found->second;
}

// Product of the dimensions from `first` on (1 for an empty range).
int64_t productFrom(const Shape& shape, size_t first) {
    int64_t product = 1;
    for (size_t k = first; k < shape.size(); ++k) product *= shape[k];
    return product;
}

std::optional<int64_t> macsOf(const Graph& graph, const Node& node,
                              const std::map<std::string, Shape>& shapes) {
    const auto input = [&](size_t k) { return shapeOf(graph, node.input(k), shapes); };
    const auto output = [&]() -> std::optional<Shape> {
        if (node.outputs.empty()) return std::nullopt;
        return shapeOf(graph, node.outputs[0], shapes);
    };
    const std::string& op = node.op;
    if (op == "Conv") {
        const auto y = output();
        const auto w = input(1);
        if (!y || !w || w->size() < 2) return std::nullopt;
        return shapeNumel(*y) * productFrom(*w, 1);
    }
    if (op == "ConvTranspose") {
        const auto x = input(0);
        const auto w = input(1);
        if (!x || !w || w->size() < 2) return std::nullopt;
        return shapeNumel(*x) * productFrom(*w, 1);
    }
    if (op == "Gemm") {
        const auto y = output();
        if (!y) return std::nullopt;
        std::optional<int64_t> k;
        if (const auto b = input(1); b && b->size() == 2)
            k = node.attrInt("transB", 0) ? (*b)[1] : (*b)[0];
        else if (const auto a = input(0); a && a->size() == 2)
            k = node.attrInt("transA", 0) ? (*a)[0] : (*a)[1];
        if (!k) return std::nullopt;
        return shapeNumel(*y) * *k;
    }
    if (op == "MatMul") {
        const auto y = output();
        const auto a = input(0);
        if (!y || !a || a->empty()) return std::nullopt;
        return shapeNumel(*y) * a->back();
    }
    if (op == "BatchNormalization" || op == "Scale" || op == "PRelu" || op == "Mul" ||
        op == "Div") {
        const auto y = output();
        if (!y) return std::nullopt;
        return shapeNumel(*y);
    }
    return 0;
}

bool isParameter(const Graph& graph, const std::string& tensor) {
    const Tensor* weight = graph.weight(tensor);
    return weight && weight->isFloat();
}

}  // namespace

LayerCost layerCost(const Graph& graph, const Node& node,
                    const std::map<std::string, Shape>& shapes) {
    LayerCost cost;
    std::set<std::string> counted;
    for (const auto& tensor : node.inputs)
        if (isParameter(graph, tensor) && counted.insert(tensor).second)
            cost.parameters += graph.weight(tensor)->numel();
    cost.macs = macsOf(graph, node, shapes);
    return cost;
}

ModelCost modelCost(const Graph& graph, const std::map<std::string, Shape>& shapes) {
    ModelCost model;
    std::set<std::string> counted;
    for (const auto& node : graph.nodes) {
        model.layers.push_back(layerCost(graph, node, shapes));
        if (model.layers.back().macs)
            model.macs += *model.layers.back().macs;
        else
            ++model.unknownMacLayers;
        for (const auto& tensor : node.inputs)
            if (isParameter(graph, tensor) && counted.insert(tensor).second)
                model.parameters += graph.weight(tensor)->numel();
    }
    return model;
}

}  // namespace qf

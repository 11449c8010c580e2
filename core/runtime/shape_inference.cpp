#include "runtime/shape_inference.h"

#include "runtime/executor.h"

namespace qf {

std::map<std::string, Shape> inferShapes(const Graph& graph) {
    TensorMap feeds;
    for (const auto& input : graph.inputs) {
        if (graph.isWeight(input.name)) continue;
        Shape shape = input.shape;
        for (auto& d : shape)
            if (d <= 0) d = 1;
        Tensor zeros = Tensor::floats(shape, 0.0f);
        if (!isFloating(input.dtype))
            zeros = Tensor::ints(shape, std::vector<int64_t>(zeros.f.size(), 0), input.dtype);
        feeds[input.name] = std::move(zeros);
    }
    std::map<std::string, Shape> shapes;
    for (const auto& value : Executor(graph).run(feeds, nullptr, true))
        shapes[value.first] = value.second.shape;
    for (const auto& weight : graph.weights) shapes[weight.first] = weight.second.shape;
    return shapes;
}

}  // namespace qf

#include "runtime/shape_inference.h"

#include "runtime/executor.h"
#include "util/error.h"

namespace qf {

namespace {

// Shapes are found by running the model, so a declared input of 1x3x6000x6000 would hold
// gigabytes; past this many values per input the shapes are refused instead.
constexpr int64_t kMaxInputValues = int64_t{3} * 4096 * 4096;

}  // namespace

std::map<std::string, Shape> inferShapes(const Graph& graph) {
    TensorMap feeds;
    for (const auto& input : graph.inputs) {
        if (graph.isWeight(input.name)) continue;
        Shape shape = input.shape;
        int64_t values = 1;
        for (auto& d : shape) {
            if (d <= 0) d = 1;
            values = d > kMaxInputValues / values ? kMaxInputValues + 1 : values * d;
        }
        if (values > kMaxInputValues)
            throw Error("input '" + input.name + "' is declared " + shapeToString(shape) +
                        ": too large to infer the shapes by running the model (more than " +
                        std::to_string(kMaxInputValues / 1000000) + " M values)");
        Tensor zeros = Tensor::floats(shape, 0.0f);
        if (!isFloating(input.dtype))
            zeros = Tensor::ints(shape, std::vector<int64_t>(zeros.f.size(), 0), input.dtype);
        feeds[input.name] = std::move(zeros);
    }
    std::map<std::string, Shape> shapes;
    for (const auto& [name, value] : feeds) shapes[name] = value.shape;
    // Only the shapes are kept: each intermediate is freed after its last reader, as in any run.
    Executor(graph).run(feeds, [&shapes](const Node&, const std::string& name,
                                         const Tensor& value) { shapes[name] = value.shape; });
    for (const auto& weight : graph.weights) shapes[weight.first] = weight.second.shape;
    return shapes;
}

}  // namespace qf

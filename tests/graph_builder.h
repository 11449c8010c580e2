#pragma once
// Builds small graphs directly in the IR for tests: random weights, one node at a time.
#include <map>
#include <random>
#include <string>
#include <vector>

#include "graph/graph.h"

namespace qftest {

class GraphBuilder {
public:
    explicit GraphBuilder(const std::string& format = "onnx", unsigned seed = 7) : random_(seed) {
        graph_.format = format;
    }

    GraphBuilder& input(const std::string& name, qf::Shape shape) {
        graph_.inputs.push_back({name, std::move(shape), qf::DataType::Float32});
        return *this;
    }
    GraphBuilder& output(const std::string& name) {
        graph_.outputs.push_back({name, {}, qf::DataType::Float32});
        return *this;
    }
    // Uniform random values in [low, high).
    GraphBuilder& weight(const std::string& name, qf::Shape shape, float low = -1.0f,
                         float high = 1.0f) {
        std::uniform_real_distribution<float> uniform(low, high);
        qf::Tensor t = qf::Tensor::floats(std::move(shape));
        for (auto& v : t.f) v = uniform(random_);
        graph_.weights.set(name, std::move(t));
        return *this;
    }
    GraphBuilder& weight(const std::string& name, qf::Tensor tensor) {
        graph_.weights.set(name, std::move(tensor));
        return *this;
    }
    GraphBuilder& node(const std::string& name, const std::string& op,
                       std::vector<std::string> inputs, std::vector<std::string> outputs,
                       std::map<std::string, qf::Attribute> attrs = {}) {
        qf::Node n;
        n.name = name;
        n.op = op;
        n.inputs = std::move(inputs);
        n.outputs = std::move(outputs);
        n.attrs = std::move(attrs);
        graph_.addNode(std::move(n));
        return *this;
    }
    // A BatchNormalization with random statistics (variance in [0.2, 2)).
    GraphBuilder& batchNorm(const std::string& name, const std::string& in, const std::string& out,
                            int64_t channels) {
        weight(name + ".gamma", {channels}, 0.5f, 1.5f);
        weight(name + ".beta", {channels}, -0.5f, 0.5f);
        weight(name + ".mean", {channels}, -0.5f, 0.5f);
        weight(name + ".var", {channels}, 0.2f, 2.0f);
        return node(name, "BatchNormalization",
                    {in, name + ".gamma", name + ".beta", name + ".mean", name + ".var"}, {out},
                    {{"epsilon", qf::Attribute::ofFloat(1e-5f)}});
    }

    qf::Tensor randomInput(qf::Shape shape) {
        std::uniform_real_distribution<float> uniform(-1.0f, 1.0f);
        qf::Tensor t = qf::Tensor::floats(std::move(shape));
        for (auto& v : t.f) v = uniform(random_);
        return t;
    }

    qf::Graph& graph() { return graph_; }

private:
    qf::Graph graph_;
    std::mt19937 random_;
};

// Largest |a - b| / (1 + |b|) over two tensors of equal shape.
inline double maxRelativeDifference(const qf::Tensor& a, const qf::Tensor& b) {
    if (a.shape != b.shape) return 1e30;
    double worst = 0.0;
    for (size_t k = 0; k < a.f.size(); ++k) {
        const double d = std::abs(static_cast<double>(a.f[k]) - b.f[k]) / (1.0 + std::abs(b.f[k]));
        if (!(d <= worst)) worst = d;  // NaN counts as the worst
    }
    return worst;
}

}  // namespace qftest

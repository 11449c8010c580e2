// How the graph algorithms scale with the node count: a chain of Conv -> BatchNormalization ->
// Relu blocks on a 1x4x4x4 input (so the work is the algorithms', not the kernels'), from 3 000
// to 100 000 nodes: topological sort, fold candidates, folding, shape inference, ONNX write and
// read. Linear algorithms keep the per-node time flat as the graph grows.
// Usage: quantfold-bench-graph-scale [MAX_NODES]
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <string>

#include "bench_timing.h"
#include "formats/model_io.h"
#include "passes/fold_batchnorm.h"
#include "runtime/shape_inference.h"
#include "util/error.h"

namespace {

qf::Graph chain(int blocks) {
    qf::Graph graph;
    graph.format = "onnx";
    graph.name = "chain";
    graph.inputs.push_back({"x", {1, 4, 4, 4}, qf::DataType::Float32});
    std::string previous = "x";
    for (int k = 0; k < blocks; ++k) {
        const std::string id = std::to_string(k);
        graph.weights.set("w" + id, qf::Tensor::floats({4, 4, 1, 1}, 0.25f));
        for (const char* p : {"g", "b", "m", "v"})
            graph.weights.set(std::string(p) + id, qf::Tensor::floats({4}, 1.0f));
        qf::Node conv;
        conv.name = "conv" + id;
        conv.op = "Conv";
        conv.inputs = {previous, "w" + id};
        conv.outputs = {"c" + id};
        graph.addNode(conv);
        qf::Node bn;
        bn.name = "bn" + id;
        bn.op = "BatchNormalization";
        bn.inputs = {"c" + id, "g" + id, "b" + id, "m" + id, "v" + id};
        bn.outputs = {"n" + id};
        graph.addNode(bn);
        qf::Node relu;
        relu.name = "relu" + id;
        relu.op = "Relu";
        relu.inputs = {"n" + id};
        relu.outputs = {"r" + id};
        graph.addNode(relu);
        previous = relu.outputs[0];
    }
    graph.outputs.push_back({previous, {}, qf::DataType::Float32});
    return graph;
}

double timed(const std::function<void()>& step) {
    const auto start = qfbench::Clock::now();
    step();
    return qfbench::millisecondsSince(start);
}

}  // namespace

int main(int argc, char** argv) {
    const int maxNodes = argc > 1 ? std::atoi(argv[1]) : 100000;
    const std::string file =
        (std::filesystem::temp_directory_path() / "quantfold-bench-graph-scale.onnx").string();
    std::printf("%8s %10s %10s %10s %10s %10s %10s   (ms)\n", "nodes", "sort", "candidates", "fold",
                "shapes", "write", "read");
    try {
        for (int nodes = 3000; nodes <= maxNodes; nodes *= 3) {
            qf::Graph graph = chain(nodes / 3);
            const double sort = timed([&] { graph.sortTopologically(); });
            const double candidates = timed([&] { qf::findFoldCandidates(graph); });
            const double fold = timed([&] { qf::foldBatchNorm(graph); });
            const double shapes = timed([&] { qf::inferShapes(graph); });
            const double write = timed([&] { qf::saveModel(graph, file, ""); });
            const double read = timed([&] { qf::loadModel(file); });
            std::printf("%8d %10.1f %10.1f %10.1f %10.1f %10.1f %10.1f\n", nodes, sort, candidates,
                        fold, shapes, write, read);
            std::fflush(stdout);
        }
    } catch (const qf::Error& error) {
        std::fprintf(stderr, "quantfold-bench-graph-scale: %s\n", error.what());
        return 1;
    }
    std::filesystem::remove(file);
    return 0;
}

// 3×3 stride-1 convolutions of ResNet-18 (224²) and ResNet-20 (32²): im2col + GEMM against
// Winograd F(4×4, 3×3) and the direct kernel, 1 and 2 threads, in the same run. The evidence
// for winogradPays() and direct3x3Pays(); the last column says which path the executor takes.
//   quantfold-bench-conv3x3 [repeats]
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>

#include "bench_timing.h"
#include "graph/graph.h"
#include "runtime/kernels/direct3x3.h"
#include "runtime/kernels/kernels.h"
#include "runtime/kernels/winograd.h"
#include "runtime/parallel.h"

namespace {

struct Layer {
    const char* name;
    int64_t channels, size;
};

qf::Tensor randomTensor(qf::Shape shape, unsigned seed) {
    std::mt19937 random(seed);
    std::normal_distribution<float> normal(0.0f, 0.1f);
    qf::Tensor t = qf::Tensor::floats(std::move(shape));
    for (float& v : t.f) v = normal(random);
    return t;
}

}  // namespace

int main(int argc, char** argv) {
    const int repeats = argc > 1 ? std::atoi(argv[1]) : 20;
    const char* only = argc > 2 ? argv[2] : nullptr;  // a layer name: time that one only
    const Layer layers[] = {{"resnet18 layer1", 64, 56},  {"resnet18 layer2", 128, 28},
                            {"resnet18 layer3", 256, 14}, {"resnet18 layer4", 512, 7},
                            {"resnet20 layer1", 16, 32},  {"resnet20 layer2", 32, 16},
                            {"resnet20 layer3", 64, 8}};
    std::printf(
        "| layer | threads | im2col + GEMM | Winograd | ratio | direct | ratio | executor takes "
        "|\n");
    std::printf("|---|---|---|---|---|---|---|---|\n");
    for (const Layer& layer : layers) {
        if (only && std::string(only) != layer.name) continue;
        const int64_t c = layer.channels, s = layer.size;
        qf::Node node;
        node.name = layer.name;
        node.op = "Conv";
        node.attrs["pads"] = qf::Attribute::ofInts({1, 1, 1, 1});
        const qf::Tensor x = randomTensor({1, c, s, s}, 1);
        const qf::Tensor w = randomTensor({c, c, 3, 3}, 2);
        const qf::Tensor b = randomTensor({c}, 3);
        const std::vector<const qf::Tensor*> inputs{&x, &w, &b};
        for (const int threads : {1, 2}) {
            const qf::ScopedThreads scope(threads);
            std::vector<qf::Tensor> outputs(1);
            const double im2colTime = qfbench::medianMilliseconds(
                [&] { qf::kernels::conv(node, inputs, outputs); }, repeats);
            // Winograd by hand (the executor would not take it for every layer).
            const qf::kernels::WinogradWeights u =
                qf::kernels::transformWinogradWeights(w.f.data(), c, c);
            std::vector<float> out(static_cast<size_t>(c * s * s));
            const double winograd = qfbench::medianMilliseconds(
                [&] {
                    qf::kernels::winogradConv3x3(u, x.f.data(), s, s, 1, 1, s, s, b.f.data(),
                                                 out.data());
                },
                repeats);
            const qf::kernels::Direct3x3Weights reordered =
                qf::kernels::reorderDirect3x3Weights(w.f.data(), c, c);
            double directKernel = 0.0;
            if (qf::kernels::direct3x3Available())
                directKernel = qfbench::medianMilliseconds(
                    [&] {
                        qf::kernels::direct3x3(reordered, x.f.data(), s, s, 1, 1, b.f.data(), s, s,
                                               out.data());
                    },
                    repeats);
            const char* taken =
                qf::kernels::winogradPays(c, c, s, s) ? "Winograd"
                : qf::kernels::direct3x3Available() && qf::kernels::direct3x3Pays(c, c, s, s)
                    ? "direct"
                    : "im2col";
            std::printf(
                "| %s (%lldx%lld, %lld ch) | %d | %.3f ms | %.3f ms | %.2fx | %.3f ms | %.2fx | %s "
                "|\n",
                layer.name, static_cast<long long>(s), static_cast<long long>(s),
                static_cast<long long>(c), threads, im2colTime, winograd, winograd / im2colTime,
                directKernel, directKernel / im2colTime, taken);
        }
    }
}

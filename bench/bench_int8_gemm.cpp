// Int8 GEMM (each kernel this CPU runs) against Eigen's float GEMM of the same M x K x N, for the
// im2col shapes of ResNet-18 and MobileNetV2 convolutions at 224 x 224, with 1 and 2 threads.
// Prints the median of the repeats and the ratio int8 / float (below 1: int8 is faster).
// The int8 time includes packing B (done per call); the weights are packed once, outside.
// Usage: quantfold-bench-int8-gemm [budget ms per measurement, 300] [min]. `min` prints the
// fastest repeat instead of the median: on a machine shared with other jobs, a thread that
// gets preempted makes the median of the 2-thread runs measure the scheduler.
#include <omp.h>

#include <Eigen/Core>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "quantize/int8_gemm.h"
#include "runtime/parallel.h"

namespace {

using RowMajor = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

struct Shape {
    const char* layer;
    int64_t m, k, n;
};

// Output channels x (input channels x kernel area) x output pixels.
// clang-format off
const std::vector<Shape> kShapes = {
    {"resnet18 conv1 7x7/2", 64, 147, 12544},
    {"resnet18 layer1 3x3", 64, 576, 3136},
    {"resnet18 layer2 3x3", 128, 1152, 784},
    {"resnet18 layer3 3x3", 256, 2304, 196},
    {"resnet18 layer4 3x3", 512, 4608, 49},
    {"mobilenetv2 conv 3x3/2", 32, 27, 12544},
    {"mobilenetv2 1x1 16->96", 96, 16, 12544},
    {"mobilenetv2 1x1 24->144", 144, 24, 3136},
    {"mobilenetv2 1x1 144->24", 24, 144, 3136},
    {"mobilenetv2 1x1 32->192", 192, 32, 784},
    {"mobilenetv2 1x1 64->384", 384, 64, 196},
    {"mobilenetv2 1x1 160->960", 960, 160, 49},
    {"mobilenetv2 1x1 320->1280", 1280, 320, 49},
};
// clang-format on

// The median (or the fastest) of enough repeats to last about `budgetMs` (at least 5), after a
// warm-up run.
template <typename Run>
double milliseconds(Run run, double budgetMs, bool fastest) {
    const auto timeOnce = [&run] {
        const auto start = std::chrono::steady_clock::now();
        run();
        return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
            .count();
    };
    const double first = timeOnce();
    const int repeats = std::clamp(static_cast<int>(budgetMs / std::max(first, 1e-3)), 5, 200);
    std::vector<double> times;
    for (int i = 0; i < repeats; ++i) times.push_back(timeOnce());
    if (fastest) return *std::min_element(times.begin(), times.end());
    std::nth_element(times.begin(), times.begin() + repeats / 2, times.end());
    return times[repeats / 2];
}

}  // namespace

int main(int argc, char** argv) {
    const double budgetMs = argc > 1 ? std::atof(argv[1]) : 300.0;
    const bool fastest = argc > 2 && std::string(argv[2]) == "min";
    std::vector<qf::Int8Kernel> kernels;
    for (const auto kernel :
         {qf::Int8Kernel::Avx512Vnni, qf::Int8Kernel::Avx2, qf::Int8Kernel::Reference})
        if (qf::int8KernelAvailable(kernel)) kernels.push_back(kernel);

    std::printf("Eigen float GEMM uses: %s; times are the %s of the repeats\n",
                Eigen::SimdInstructionSetsInUse(), fastest ? "fastest" : "median");
    std::printf("%-26s %5s %5s %6s %3s %10s", "layer", "M", "K", "N", "thr", "f32 ms");
    for (const auto kernel : kernels)
        std::printf(" %12s ms %6s", qf::int8KernelName(kernel), "ratio");
    std::printf("\n");

    std::mt19937 random(1);
    for (const Shape& shape : kShapes) {
        std::vector<int8_t> weights(shape.m * shape.k);
        std::vector<uint8_t> activations(shape.k * shape.n);
        std::uniform_int_distribution<int> weight(-127, 127), activation(0, 255);
        for (auto& value : weights) value = static_cast<int8_t>(weight(random));
        for (auto& value : activations) value = static_cast<uint8_t>(activation(random));
        const qf::PackedInt8Weights packed = qf::packInt8Weights(weights.data(), shape.m, shape.k);
        std::vector<int32_t> c(shape.m * shape.n);

        const std::vector<float> aFloat(weights.begin(), weights.end());
        const std::vector<float> bFloat(activations.begin(), activations.end());
        std::vector<float> cFloat(shape.m * shape.n);
        const Eigen::Map<const RowMajor> aMap(aFloat.data(), shape.m, shape.k);
        const Eigen::Map<const RowMajor> bMap(bFloat.data(), shape.k, shape.n);
        Eigen::Map<RowMajor> cMap(cFloat.data(), shape.m, shape.n);

        for (const int threads : {1, 2}) {
            omp_set_num_threads(threads);             // Eigen's reference GEMM
            const qf::ScopedThreads scoped(threads);  // ours
            const double floatMs =
                milliseconds([&] { cMap.noalias() = aMap * bMap; }, budgetMs, fastest);
            std::printf("%-26s %5lld %5lld %6lld %3d %10.3f", shape.layer,
                        static_cast<long long>(shape.m), static_cast<long long>(shape.k),
                        static_cast<long long>(shape.n), threads, floatMs);
            for (const auto kernel : kernels) {
                const double int8Ms = milliseconds(
                    [&] { qf::int8Gemm(packed, activations.data(), shape.n, c.data(), kernel); },
                    budgetMs, fastest);
                std::printf(" %15.3f %6.2f", int8Ms, int8Ms / floatMs);
            }
            std::printf("\n");
            std::fflush(stdout);
        }
    }
    return 0;
}

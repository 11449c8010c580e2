// ResNet-18 FP32 and int8 at 2 threads on an idle machine and with a second busy thread (what a
// GUI or a second job does), median of repeats. The runtime must not spin-wait: with a busy
// neighbour the time should grow by the CPU share it loses, not many times over.
// Usage: quantfold-bench-contention [DATA_DIR] [REPEATS] [THREADS]
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <random>
#include <thread>

#include "bench_timing.h"
#include "formats/model_io.h"
#include "passes/fold_batchnorm.h"
#include "quantize/int8_model.h"
#include "runtime/executor.h"
#ifdef QF_BENCH_OPENMP_RUNTIME
// Built against a revision whose runtime still used OpenMP (for the before/after figures).
#define QF_SET_THREADS(n) qf::setRuntimeThreads(n)
#else
#include "runtime/parallel.h"
#define QF_SET_THREADS(n) const qf::ScopedThreads scopedThreads(n)
#endif

using qfbench::medianMilliseconds;

namespace {

qf::Tensor randomImage(std::mt19937& random) {
    std::normal_distribution<float> normal;
    qf::Tensor t = qf::Tensor::floats({1, 3, 224, 224});
    for (auto& v : t.f) v = normal(random);
    return t;
}

// A thread that keeps one core busy until stopped.
class BusyThread {
public:
    BusyThread()
        : thread_([this] {
              volatile double sink = 1.0;
              while (!stop_.load(std::memory_order_relaxed))
                  for (int k = 0; k < 10000; ++k) sink = sink * 1.0000001 + 1e-9;
          }) {}
    ~BusyThread() {
        stop_ = true;
        thread_.join();
    }

private:
    std::atomic_bool stop_{false};
    std::thread thread_;
};

}  // namespace

int main(int argc, char** argv) {
    const std::string dir = argc > 1 ? argv[1] : "../shared/data";
    const int repeats = argc > 2 ? std::atoi(argv[2]) : 15;
    const int threads = argc > 3 ? std::atoi(argv[3]) : 2;
    const std::string path = dir + "/bench/resnet18_random_bn.onnx";
    if (!std::filesystem::exists(path)) {
        std::fprintf(stderr, "%s: missing\n", path.c_str());
        return 1;
    }
    QF_SET_THREADS(threads);
    qf::Graph graph = qf::loadModel(path);
    qf::foldBatchNorm(graph);
    std::mt19937 random(1);
    const std::string input = graph.inputs.front().name;
    qf::CalibrationTable table;
    const qf::Executor fp32(graph);
    for (int k = 0; k < 2; ++k) {
        const qf::Tensor x = randomImage(random);
        table.tensors[input].histogram.add(x.f.data(), x.numel());
        fp32.run({{input, x}}, [&](const qf::Node&, const std::string& name, const qf::Tensor& v) {
            if (v.isFloat()) table.tensors[name].histogram.add(v.f.data(), v.numel());
        });
    }
    table.computeThresholds(qf::ThresholdMethod::Kl);
    const qf::Int8Model int8(graph, table);
    const qf::Tensor x = randomImage(random);
    const double fp32Idle = medianMilliseconds([&] { fp32.run({{input, x}}); }, repeats);
    const double int8Idle = medianMilliseconds([&] { int8.run({{input, x}}); }, repeats);
    double fp32Busy = 0, int8Busy = 0, fp32Loaded = 0, int8Loaded = 0;
    {
        const BusyThread busy;
        fp32Busy = medianMilliseconds([&] { fp32.run({{input, x}}); }, repeats);
        int8Busy = medianMilliseconds([&] { int8.run({{input, x}}); }, repeats);
        // Every core wanted by someone else too (a build, a second job beside the GUI).
        const BusyThread second;
        fp32Loaded = medianMilliseconds([&] { fp32.run({{input, x}}); }, repeats);
        int8Loaded = medianMilliseconds([&] { int8.run({{input, x}}); }, repeats);
    }
    std::printf("ResNet-18 224x224, %d threads, median of %d (ms)\n", threads, repeats);
    std::printf("%-6s %10s %12s %8s %14s %8s\n", "", "idle", "busy thread", "ratio",
                "2 busy threads", "ratio");
    std::printf("%-6s %10.2f %12.2f %7.2fx %14.2f %7.2fx\n", "fp32", fp32Idle, fp32Busy,
                fp32Busy / fp32Idle, fp32Loaded, fp32Loaded / fp32Idle);
    std::printf("%-6s %10.2f %12.2f %7.2fx %14.2f %7.2fx\n", "int8", int8Idle, int8Busy,
                int8Busy / int8Idle, int8Loaded, int8Loaded / int8Idle);
    return 0;
}

// FP32 inference time of this runtime against OpenCV dnn on the same models, batch 1, with 1
// and 2 threads, measured in one run so the ratio is fair. Prints the median of the repeats.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <opencv2/core/utility.hpp>
#include <opencv2/dnn.hpp>
#include <random>

#include "bench_timing.h"
#include "formats/model_io.h"
#include "passes/fold_batchnorm.h"
#include "runtime/executor.h"
#include "runtime/parallel.h"
#include "util/error.h"

using qfbench::medianMilliseconds;

namespace {

struct BenchModel {
    std::string file;        // ours
    std::string openCvFile;  // the same net in a form OpenCV 4.6 reads
};

}  // namespace

int main(int argc, char** argv) {
    const std::string dir = argc > 1 ? argv[1] : "../shared/data/bench";
    const int repeats = argc > 2 ? std::atoi(argv[2]) : 20;
    const std::vector<BenchModel> models = {
        {"resnet18_random_bn.onnx", "resnet18_random_bn.onnx"},
        // OpenCV 4.6 cannot read opset-13 Clip with inputs; the opset-10 file holds the same net.
        {"mobilenet_v2_random_bn.onnx", "mobilenet_v2_random_bn_opset10.onnx"},
    };
    std::printf("%-30s %-8s %7s %12s %12s %8s\n", "model", "folded", "threads", "ours ms",
                "opencv ms", "ratio");
    for (const auto& model : models) {
        const std::string path = dir + "/" + model.file;
        if (!std::filesystem::exists(path)) {
            std::fprintf(stderr, "%s: missing, skipped\n", path.c_str());
            continue;
        }
        try {
            for (const bool fold : {false, true}) {
                qf::Graph graph = qf::loadModel(path);
                if (fold) qf::foldBatchNorm(graph);
                const qf::Executor executor(graph);
                std::mt19937 random(1);
                std::normal_distribution<float> normal;
                qf::Tensor input = qf::Tensor::floats({1, 3, 224, 224});
                for (auto& v : input.f) v = normal(random);
                const std::string inputName = graph.inputs.front().name;
                cv::dnn::Net net = cv::dnn::readNet(dir + "/" + model.openCvFile);
                net.setPreferableBackend(cv::dnn::DNN_BACKEND_OPENCV);
                int dims[] = {1, 3, 224, 224};
                const cv::Mat blob(4, dims, CV_32F, input.f.data());
                for (const int threads : {1, 2}) {
                    const qf::ScopedThreads scoped(threads);
                    cv::setNumThreads(threads);
                    const double ours = medianMilliseconds(
                        [&] {
                            executor.run({{inputName, input}});
                        },
                        repeats);
                    const double theirs = medianMilliseconds(
                        [&] {
                            net.setInput(blob);
                            net.forward();
                        },
                        repeats);
                    std::printf("%-30s %-8s %7d %12.2f %12.2f %7.2fx\n", model.file.c_str(),
                                fold ? "yes" : "no", threads, ours, theirs, ours / theirs);
                }
            }
        } catch (const qf::Error& error) {
            std::fprintf(stderr, "%s\n", error.what());
            return 1;
        }
    }
    std::printf(
        "ratio = ours / OpenCV (lower is better; OpenCV fuses BatchNorm itself, so compare the "
        "folded rows)\n");
    return 0;
}

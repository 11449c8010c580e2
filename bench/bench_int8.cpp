// Int8 against FP32 in one run: this runtime's int8 and FP32 (both on the folded model) and
// OpenCV's Net::quantize int8 and FP32, batch 1, 1 and 2 threads; then calibration time
// (histograms + all threshold methods + bias correction) against plain FP32 inference over the
// same images. Prints medians and ratios.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <opencv2/core/utility.hpp>
#include <opencv2/dnn.hpp>
#include <random>
#include <utility>

#include "bench_timing.h"
#include "calibration/calibrator.h"
#include "formats/model_io.h"
#include "images/image_folder.h"
#include "images/image_runner.h"
#include "passes/fold_batchnorm.h"
#include "quantize/int8_model.h"
#include "runtime/executor.h"
#include "runtime/parallel.h"
#include "util/error.h"

using qfbench::medianMilliseconds;

namespace {

using Clock = std::chrono::steady_clock;

double secondsSince(Clock::time_point start) {
    return std::chrono::duration<double>(Clock::now() - start).count();
}

qf::Tensor randomImage(std::mt19937& random, int size) {
    std::normal_distribution<float> normal;
    qf::Tensor t = qf::Tensor::floats({1, 3, size, size});
    for (auto& v : t.f) v = normal(random);
    return t;
}

// A calibration table from synthetic inputs: the bench measures speed, not accuracy.
qf::CalibrationTable tableFromInputs(const qf::Graph& graph,
                                     const std::vector<qf::Tensor>& inputs) {
    qf::CalibrationTable table;
    const qf::Executor executor(graph);
    const std::string input = graph.inputs.front().name;
    for (const auto& x : inputs) {
        table.tensors[input].histogram.add(x.f.data(), x.numel());
        executor.run({{input, x}},
                     [&](const qf::Node&, const std::string& name, const qf::Tensor& value) {
                         if (value.isFloat())
                             table.tensors[name].histogram.add(value.f.data(), value.numel());
                     });
    }
    table.computeThresholds(qf::ThresholdMethod::Kl);
    return table;
}

void benchModel(const std::string& dir, const std::string& file, const std::string& openCvFile,
                int repeats) {
    qf::Graph graph = qf::loadModel(dir + "/" + file);
    qf::foldBatchNorm(graph);
    std::mt19937 random(1);
    std::vector<qf::Tensor> calibration;
    for (int k = 0; k < 4; ++k) calibration.push_back(randomImage(random, 224));
    const qf::CalibrationTable table = tableFromInputs(graph, calibration);
    const qf::Executor fp32(graph);
    const qf::Int8Model int8(graph, table);
    const std::string input = graph.inputs.front().name;
    const qf::Tensor x = randomImage(random, 224);

    cv::dnn::Net net = cv::dnn::readNet(dir + "/" + openCvFile);
    net.setPreferableBackend(cv::dnn::DNN_BACKEND_OPENCV);
    int dims[] = {4, 3, 224, 224};
    cv::Mat calibrationBlob(4, dims, CV_32F);
    for (int k = 0; k < 4; ++k)
        std::copy(calibration[static_cast<size_t>(k)].f.begin(),
                  calibration[static_cast<size_t>(k)].f.end(),
                  calibrationBlob.ptr<float>() + k * 3 * 224 * 224);
    cv::dnn::Net quantized = net.quantize(std::vector<cv::Mat>{calibrationBlob}, CV_32F, CV_32F);
    quantized.setPreferableBackend(cv::dnn::DNN_BACKEND_OPENCV);
    int one[] = {1, 3, 224, 224};
    const cv::Mat blob(4, one, CV_32F, const_cast<float*>(x.f.data()));
    const auto openCv = [&blob](cv::dnn::Net& n) {
        n.setInput(blob);
        n.forward();
    };
    for (const int threads : {1, 2}) {
        const qf::ScopedThreads scoped(threads);
        cv::setNumThreads(threads);
        const double ours32 = medianMilliseconds([&] { fp32.run({{input, x}}); }, repeats);
        const double ours8 = medianMilliseconds([&] { int8.run({{input, x}}); }, repeats);
        const double cv32 = medianMilliseconds([&] { openCv(net); }, repeats);
        const double cv8 = medianMilliseconds([&] { openCv(quantized); }, repeats);
        std::printf("%-28s %7d %9.2f %9.2f %9.2f %9.2f %14.2fx %14.2fx\n", file.c_str(), threads,
                    ours32, ours8, cv32, cv8, ours32 / ours8, cv8 / ours8);
    }
}

// Calibration seconds with method kl and with auto, interleaved and the best of `passes` each,
// so a drifting machine favours neither.
std::pair<double, double> klAgainstAuto(const qf::Graph& graph, const qf::ImageFolder& folder,
                                        qf::CalibrationOptions options, int passes) {
    double kl = 1e30, automatic = 1e30;
    for (int pass = 0; pass < passes; ++pass) {
        options.method = qf::ThresholdMethod::Kl;
        auto start = Clock::now();
        qf::calibrate(graph, folder, options);
        kl = std::min(kl, secondsSince(start));
        options.method = qf::ThresholdMethod::Auto;
        start = Clock::now();
        qf::calibrate(graph, folder, options);
        automatic = std::min(automatic, secondsSince(start));
    }
    return {kl, automatic};
}

void benchCalibration(const std::string& dataDir) {
    const std::string model = dataDir + "/cifar10/resnet20/resnet20_cifar10.onnx";
    const std::string images = dataDir + "/cifar10/images/calib";
    if (!std::filesystem::exists(model) || !std::filesystem::exists(images)) {
        std::fprintf(stderr, "calibration bench: %s or %s missing, skipped\n", model.c_str(),
                     images.c_str());
        return;
    }
    const qf::ScopedThreads scoped(1);
    qf::Graph graph = qf::loadModel(model);
    qf::foldBatchNorm(graph);
    const qf::ImageFolder folder = qf::openImageFolder(images);
    qf::CalibrationOptions options;
    options.pre.width = options.pre.height = 32;
    options.pre.scale = 1.0f / 255;
    // Plain FP32 inference over the same images, reading them included, as calibration does;
    // the best of three passes, so file caching and a busy machine favour neither side.
    const qf::Executor executor(graph);
    double inference = 1e30;
    for (int pass = 0; pass < 3; ++pass) {
        const auto start = Clock::now();
        qf::forEachImage(folder, options.pre, 3, 0, {},
                         [&](const qf::LabeledImage&, const qf::Tensor& x) {
                             executor.run({{graph.inputs.front().name, x}});
                         });
        inference = std::min(inference, secondsSince(start));
    }
    auto start = Clock::now();
    options.method = qf::ThresholdMethod::Kl;
    options.biasCorrectionImages = 0;
    double histograms = 1e30;
    qf::CalibrationTable table;
    for (int pass = 0; pass < 3; ++pass) {
        start = Clock::now();
        table = qf::calibrate(graph, folder, options);
        histograms = std::min(histograms, secondsSince(start));
    }
    start = Clock::now();
    table.computeThresholds(qf::ThresholdMethod::Kl);
    const double methods = secondsSince(start);
    options.biasCorrectionImages = qf::kDefaultBiasCorrectionImages;
    const auto [withCorrection, withSearch] = klAgainstAuto(graph, folder, options, 2);
    std::printf("\ncalibration of ResNet-20 on %zu images, 1 thread:\n", folder.images.size());
    std::printf("  FP32 inference           %8.2f s\n", inference);
    std::printf("  histograms + 5 methods   %8.2f s  (overhead %.0f %% over inference)\n",
                histograms, 100.0 * (histograms / inference - 1.0));
    std::printf("    of which the 5 methods %8.2f s  (%zu tensors)\n", methods,
                table.tensors.size());
    // Issue 8's figure: what collecting the histograms adds to inference (on the second core
    // when the kernels use one, calibration/histogram_worker.h), the methods left out.
    std::printf("  histograms alone         %8.2f s  (overhead %.0f %% over inference)\n",
                histograms - methods, 100.0 * ((histograms - methods) / inference - 1.0));
    std::printf("  + bias correction        %8.2f s  (plain calibration, method kl)\n",
                withCorrection);
    std::printf("  method auto (search)     %8.2f s  (%.2fx plain calibration)\n", withSearch,
                withSearch / withCorrection);
}

// Plain calibration (kl, with bias correction) against the auto method's search on RetinaFace at
// its declared size over the 9 face photos, interleaved, the better of three each.
void benchSearchRetinaFace(const std::string& dataDir) {
    const std::string dir = dataDir + "/faces/retinaface_mnet25";
    const std::string images = dataDir + "/faces/images";
    if (!std::filesystem::exists(dir + "/mnet25.prototxt") || !std::filesystem::exists(images)) {
        std::fprintf(stderr, "search bench: %s or %s missing, skipped\n", dir.c_str(),
                     images.c_str());
        return;
    }
    qf::Graph graph = qf::loadModel(dir + "/mnet25.prototxt", dir + "/mnet25.caffemodel");
    qf::foldBatchNorm(graph);
    const qf::ImageFolder folder = qf::openImageFolder(images);
    qf::CalibrationOptions options;
    options.pre.width = 288;
    options.pre.height = 416;
    const auto [kl, automatic] = klAgainstAuto(graph, folder, options, 3);
    std::printf("\ncalibration of RetinaFace 288x416 on %zu photos, all threads:\n",
                folder.images.size());
    std::printf("  method kl (plain)        %8.2f s\n", kl);
    std::printf("  method auto (search)     %8.2f s  (%.2fx plain calibration)\n", automatic,
                automatic / kl);
}

}  // namespace

int main(int argc, char** argv) {
    const std::string dataDir = argc > 1 ? argv[1] : "../shared/data";
    const int repeats = argc > 2 ? std::atoi(argv[2]) : 10;
    try {
        // A third argument "calibration" runs only the calibration benches.
        const bool onlyCalibration = argc > 3 && std::string(argv[3]) == "calibration";
        if (!onlyCalibration) {
            std::printf("int8 kernel: %s\n", qf::int8KernelName(qf::bestInt8Kernel()));
            std::printf("%-28s %7s %9s %9s %9s %9s %15s %15s\n", "model (folded)", "threads",
                        "fp32 ms", "int8 ms", "cv fp32", "cv int8", "our fp32/int8",
                        "cv int8/ours");
            benchModel(dataDir + "/bench", "resnet18_random_bn.onnx", "resnet18_random_bn.onnx",
                       repeats);
            benchModel(dataDir + "/bench", "mobilenet_v2_random_bn.onnx",
                       "mobilenet_v2_random_bn_opset10.onnx", repeats);
        }
        benchCalibration(dataDir);
        benchSearchRetinaFace(dataDir);
    } catch (const qf::Error& error) {
        std::fprintf(stderr, "%s\n", error.what());
        return 1;
    } catch (const cv::Exception& error) {
        std::fprintf(stderr, "OpenCV: %s\n", error.what());
        return 1;
    }
    return 0;
}

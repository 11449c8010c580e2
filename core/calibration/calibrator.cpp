#include "calibration/calibrator.h"

#include <algorithm>

#include "calibration/histogram_worker.h"
#include "calibration/threshold_search.h"
#include "graph/op_traits.h"
#include "images/image_runner.h"
#include "quantize/bias_correction.h"
#include "quantize/weight_quantization.h"
#include "runtime/executor.h"
#include "runtime/parallel.h"
#include "util/error.h"

namespace qf {

std::set<std::string> quantizedInputs(const Graph& graph) {
    std::set<std::string> tensors;
    for (const auto& node : graph.nodes) {
        if (isQuantizableOp(node.op)) {
            tensors.insert(node.input(0));
        } else if (isRescaledElementwise(node)) {
            for (const auto& in : node.inputs)
                if (!in.empty() && !graph.isWeight(in)) tensors.insert(in);
        }
    }
    return tensors;
}

namespace {

// The images of the `keep` the search and bias correction run on: spread over the images
// calibration visits, not its first ones (folders sorted by class would give one class).
std::set<std::string> keptImagePaths(const ImageFolder& folder, int maxImages, int keep) {
    std::set<std::string> paths;
    if (keep <= 0) return paths;
    const std::vector<size_t> visited = visitedPositions(folder, maxImages);
    for (const size_t k : spreadPositions(visited.size(), static_cast<size_t>(keep)))
        paths.insert(folder.images[visited[k]].path);
    return paths;
}

std::vector<Tensor> spreadSample(const std::vector<Tensor>& images, long wanted) {
    std::vector<Tensor> sample;
    if (wanted <= 0) return sample;
    for (const size_t k : spreadPositions(images.size(), static_cast<size_t>(wanted)))
        sample.push_back(images[k]);
    return sample;
}

}  // namespace

CalibrationTable calibrate(const Graph& graph, const ImageFolder& folder,
                           const CalibrationOptions& options, const Progress& progress) {
    const ImageInput input = imageInputOf(graph);
    const Preprocessing pre = withModelSize(options.pre, input.shape);
    const Executor executor(graph);
    CalibrationTable table;
    std::vector<Tensor> kept;  // images for the threshold search and bias correction
    const bool search = options.method == ThresholdMethod::Auto;
    const int keep = std::max(options.biasCorrectionImages, search ? options.searchImages : 0);
    const std::set<std::string> keptPaths = keptImagePaths(folder, options.maxImages, keep);
    const std::set<std::string> wanted = quantizedInputs(graph);
    // A core the kernels leave idle collects the histograms (the order, and so every count, is
    // that of collecting inline).
    HistogramWorker histograms(
        [&tensors = table.tensors](const std::string& name, const Tensor& value) {
            tensors[name].histogram.add(value.f.data(), static_cast<int64_t>(value.f.size()));
        },
        currentThreads() < hardwareThreads());
    const auto observe = [&histograms, &wanted](const std::string& name, const Tensor& value) {
        if (value.isFloat() && !value.f.empty() && wanted.count(name))
            histograms.offer(name, value);
    };
    // One count for the whole run, so the bar never goes back: a step per image, one for the
    // thresholds, a step per searched image (about what the search costs), a step per
    // bias-correction image.
    const long images = imagesToVisit(folder, options.maxImages);
    const long corrections = std::min<long>(images, std::max(0, options.biasCorrectionImages));
    const long searched = search ? std::min<long>(images, std::max(1, options.searchImages)) : 0;
    const long total = images + 1 + searched + corrections;
    const auto failures = forEachImage(
        folder, pre, input.channels, options.maxImages, progress.phase(0, images, total),
        [&](const LabeledImage& image, const Tensor& tensor) {
            if (keptPaths.count(image.path)) kept.push_back(tensor);
            observe(input.name, tensor);
            executor.run({{input.name, tensor}},
                         [&](const Node&, const std::string& name, const Tensor& value) {
                             observe(name, value);
                         });
            histograms.endImage();
            ++table.images;
        });
    histograms.finish();
    if (table.images == 0)
        throw Error(folder.folder + ": calibration needs at least one readable image" +
                    (failures.empty() ? std::string() : " (" + failures.front().reason + ")"));
    progress.step(images, total, "thresholds");
    table.computeThresholds(options.method, options.thresholds);
    Int8Options int8;
    int8.perChannelWeights = options.perChannelWeights;
    if (search)
        searchThresholds(graph, table, int8, spreadSample(kept, searched), {},
                         progress.phase(images + 1, searched, total));
    if (corrections > 0 && !kept.empty())
        table.biasCorrections =
            measureBiasCorrections(graph, table, int8, spreadSample(kept, corrections),
                                   progress.phase(images + 1 + searched, corrections, total));
    progress.step(total, total, "");
    return table;
}

}  // namespace qf

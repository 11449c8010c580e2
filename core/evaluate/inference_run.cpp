#include "evaluate/inference_run.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <numeric>
#include <set>

#include "evaluate/npy.h"
#include "evaluate/top_k.h"
#include "runtime/executor.h"
#include "util/error.h"

namespace qf {
namespace fs = std::filesystem;

namespace {

std::string fileSafe(std::string name) {
    for (auto& c : name)
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.')
            c = '_';
    return name;
}

}  // namespace

RunReport runImages(const Graph& graph, const ImageFolder& folder, const RunOptions& options,
                    const Progress& progress) {
    const ImageInput input = imageInputOf(graph);
    const Preprocessing pre = withModelSize(options.pre, input.shape);
    const Executor executor(graph);
    RunReport report;
    for (const auto& output : graph.outputs) report.outputs.push_back(output.name);
    if (!options.dumpDir.empty()) fs::create_directories(options.dumpDir);
    std::set<std::string> dumpStems;  // a.png and a.bmp must not write the same files
    report.skipped = forEachImage(
        folder, pre, input.channels, options.maxImages, progress,
        [&](const LabeledImage& image, const Tensor& tensor) {
            const TensorMap results = executor.run({{input.name, tensor}});
            ++report.images;
            if (!options.dumpDir.empty()) {
                const fs::path file(image.path);
                std::string stem = file.stem().string();
                if (!dumpStems.insert(stem).second) stem = file.filename().string();
                for (const auto& result : results)
                    writeNpy(
                        (fs::path(options.dumpDir) / (stem + "." + fileSafe(result.first) + ".npy"))
                            .string(),
                        result.second);
            }
            if (image.label < 0 || graph.outputs.empty()) return;
            const Tensor& scores = results.at(graph.outputs.front().name);
            requireLabelInRange(image.path, image.label, image.labelWhere, scores,
                                graph.outputs.front().name);
            const int rank = rankOfLabel(scores.f, image.label);
            ++report.labeled;
            if (rank == 0) ++report.top1Hits;
            if (rank >= 0 && rank < 5) ++report.top5Hits;
        });
    if (report.images == 0) throw Error(folder.folder + ": none of the images could be read");
    return report;
}

ComparisonReport compareModelOutputs(const Graph& first, const Graph& second,
                                     const ImageFolder& folder, const RunOptions& options,
                                     const Progress& progress) {
    const ImageInput input = imageInputOf(first);
    const Preprocessing pre = withModelSize(options.pre, input.shape);
    const Executor firstExecutor(first), secondExecutor(second);
    ComparisonReport report;
    for (const auto& output : first.outputs) report.outputs.push_back({output.name, 0.0, 0.0});
    report.skipped = forEachImage(
        folder, pre, input.channels, options.maxImages, progress,
        [&](const LabeledImage&, const Tensor& tensor) {
            const TensorMap a = firstExecutor.run({{input.name, tensor}});
            const TensorMap b = secondExecutor.run({{input.name, tensor}});
            ++report.images;
            for (auto& difference : report.outputs) {
                const auto other = b.find(difference.output);
                if (other == b.end())
                    throw Error("the second model has no output '" + difference.output + "'");
                const Tensor& x = a.at(difference.output);
                const Tensor& y = other->second;
                if (x.shape != y.shape)
                    throw Error("output '" + difference.output + "' has shape " +
                                shapeToString(x.shape) + " in one model and " +
                                shapeToString(y.shape) + " in the other");
                for (size_t k = 0; k < x.f.size(); ++k) {
                    const double delta = std::fabs(static_cast<double>(x.f[k]) - y.f[k]);
                    // NaN must not hide as a zero difference.
                    difference.maxAbsDiff =
                        std::isnan(delta) ? NAN : std::max(difference.maxAbsDiff, delta);
                    difference.maxAbsValue =
                        std::max(difference.maxAbsValue, std::fabs(static_cast<double>(x.f[k])));
                }
            }
        });
    if (report.images == 0) throw Error(folder.folder + ": none of the images could be read");
    return report;
}

}  // namespace qf

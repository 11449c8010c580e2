#include "calibration/calibrator.h"

#include "evaluate/image_runner.h"
#include "quantize/bias_correction.h"
#include "runtime/executor.h"
#include "util/error.h"

namespace qf {

CalibrationTable calibrate(const Graph& graph, const ImageFolder& folder, const CalibrationOptions& options,
                           const Progress& progress) {
    const ImageInput input = imageInputOf(graph);
    const Preprocessing pre = withModelSize(options.pre, input.shape);
    const Executor executor(graph);
    CalibrationTable table;
    std::vector<Tensor> kept;  // the first images, for bias correction
    const auto observe = [&table](const std::string& name, const Tensor& value) {
        if (value.isFloat() && !value.f.empty())
            table.tensors[name].histogram.add(value.f.data(), static_cast<int64_t>(value.f.size()));
    };
    const auto failures = forEachImage(folder, pre, input.channels, options.maxImages, progress,
                                       [&](const LabeledImage&, const Tensor& tensor) {
                                           if (static_cast<int>(kept.size()) < options.biasCorrectionImages)
                                               kept.push_back(tensor);
                                           observe(input.name, tensor);
                                           executor.run({{input.name, tensor}},
                                                        [&](const Node&, const std::string& name,
                                                            const Tensor& value) { observe(name, value); });
                                           ++table.images;
                                       });
    if (table.images == 0)
        throw Error(folder.folder + ": calibration needs at least one readable image" +
                    (failures.empty() ? std::string() : " (" + failures.front().reason + ")"));
    table.computeThresholds(options.method, options.thresholds);
    if (!kept.empty()) {
        Int8Options int8;
        int8.perChannelWeights = options.perChannelWeights;
        table.biasCorrections = measureBiasCorrections(graph, table, int8, kept, progress);
    }
    return table;
}

}  // namespace qf

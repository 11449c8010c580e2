#include "quantize/bias_correction.h"

#include "images/image_runner.h"
#include "runtime/executor.h"
#include "util/error.h"

namespace qf {

void BiasMeasurement::add(const Tensor& y, const Tensor& quantized) {
    if (quantized.shape != y.shape || y.rank() < 2) return;
    const int64_t channels = y.shape[1];
    const int64_t inner = y.numel() / (y.shape[0] * channels);
    sum_.resize(static_cast<size_t>(channels), 0.0);
    for (int64_t n = 0; n < y.shape[0]; ++n)
        for (int64_t c = 0; c < channels; ++c) {
            const int64_t base = (n * channels + c) * inner;
            for (int64_t i = 0; i < inner; ++i)
                sum_[static_cast<size_t>(c)] +=
                    static_cast<double>(y.f[base + i]) - quantized.f[base + i];
        }
    count_ += static_cast<double>(y.shape[0] * inner);
    measured_ = true;
}

BiasCorrection BiasMeasurement::result(double inputThreshold, bool perChannelWeights) const {
    BiasCorrection correction;
    correction.inputThreshold = inputThreshold;
    correction.perChannelWeights = perChannelWeights;
    for (const double s : sum_) correction.delta.push_back(static_cast<float>(s / count_));
    return correction;
}

std::map<std::string, BiasCorrection> measureBiasCorrections(const Graph& graph,
                                                             const CalibrationTable& table,
                                                             const Int8Options& options,
                                                             const std::vector<Tensor>& inputs,
                                                             const Progress& progress) {
    Int8Options uncorrected = options;
    uncorrected.biasCorrection = false;
    const Int8Model model(graph, table, uncorrected);
    const Executor fp32(model.graphSnapshot());
    const std::string inputName = imageInputOf(graph).name;
    std::map<std::string, BiasMeasurement> measurements;
    for (size_t k = 0; k < inputs.size(); ++k) {
        if (progress.cancelled()) throw Cancelled{};
        progress.step(static_cast<long>(k), static_cast<long>(inputs.size()), "bias correction");
        const TensorMap reference = fp32.run({{inputName, inputs[k]}}, nullptr, true);
        for (const auto& name : model.quantizedNodes()) {
            const Node& node = graph.nodes[static_cast<size_t>(graph.nodeIndex(name))];
            measurements[name].add(reference.at(node.outputs[0]),
                                   model.runLayer(name, reference.at(node.input(0)), false));
        }
    }
    progress.step(static_cast<long>(inputs.size()), static_cast<long>(inputs.size()), "");
    std::map<std::string, BiasCorrection> corrections;
    for (const auto& [name, measurement] : measurements) {
        if (!measurement.measured()) continue;
        const Node& node = graph.nodes[static_cast<size_t>(graph.nodeIndex(name))];
        corrections[name] =
            measurement.result(table.find(node.input(0))->threshold(), options.perChannelWeights);
    }
    return corrections;
}

}  // namespace qf

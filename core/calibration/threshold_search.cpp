#include "calibration/threshold_search.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <memory>
#include <set>
#include <string>

#include "images/image_runner.h"
#include "quantize/int8_layers.h"
#include "runtime/executor.h"

namespace qf {

namespace {

// An int8 layer reading the searched tensor, as the plan runs it.
struct Consumer {
    const Node* node = nullptr;
    std::optional<FusedActivation> activation;
    std::string result;  // the FP32 tensor its int8 result stands for
};

// The error of one layer's int8 output against FP32 over images, per output channel, with each
// channel's mean error taken out: what is left after bias correction.
class LayerNoise {
public:
    void add(const Tensor& fp32, const Tensor& int8) {
        if (fp32.shape != int8.shape || fp32.rank() < 2) return;
        const int64_t channels = fp32.shape[1];
        const int64_t inner = fp32.numel() / (fp32.shape[0] * channels);
        sum_.resize(static_cast<size_t>(channels), 0.0);
        squares_.resize(static_cast<size_t>(channels), 0.0);
        for (int64_t n = 0; n < fp32.shape[0]; ++n)
            for (int64_t c = 0; c < channels; ++c) {
                const float* y = fp32.f.data() + (n * channels + c) * inner;
                const float* q = int8.f.data() + (n * channels + c) * inner;
                double sum = 0.0, squares = 0.0, energy = 0.0;
                for (int64_t i = 0; i < inner; ++i) {
                    const double d = static_cast<double>(y[i]) - q[i];
                    sum += d;
                    squares += d * d;
                    energy += static_cast<double>(y[i]) * y[i];
                }
                sum_[static_cast<size_t>(c)] += sum;
                squares_[static_cast<size_t>(c)] += squares;
                energy_ += energy;
            }
        count_ += static_cast<double>(fp32.shape[0] * inner);
    }
    // Noise power over signal power; 0 when nothing was measured.
    double noiseToSignal() const {
        if (count_ == 0.0) return 0.0;
        double noise = 0.0;
        for (size_t c = 0; c < sum_.size(); ++c)
            noise += std::max(0.0, squares_[c] - sum_[c] * sum_[c] / count_);
        return energy_ > 0.0 ? noise / energy_ : (noise > 0.0 ? 1.0 : 0.0);
    }

private:
    std::vector<double> sum_, squares_;
    double energy_ = 0.0, count_ = 0.0;
};

// The methods' thresholds and a geometric grid between the smallest and the largest, ascending.
std::vector<double> candidateThresholds(const TensorCalibration& calibration, int gridSteps) {
    std::vector<double> candidates;
    for (const auto method : allThresholdMethods()) {
        const auto it = calibration.thresholds.find(method);
        if (it != calibration.thresholds.end() && it->second > 0.0 && std::isfinite(it->second))
            candidates.push_back(it->second);
    }
    if (candidates.empty()) return candidates;
    const auto [low, high] = std::minmax_element(candidates.begin(), candidates.end());
    const double lo = *low, hi = *high;
    for (int k = 1; k < gridSteps && hi > lo; ++k)
        candidates.push_back(lo * std::pow(hi / lo, static_cast<double>(k) / gridSteps));
    std::sort(candidates.begin(), candidates.end());
    candidates.erase(std::unique(candidates.begin(), candidates.end()), candidates.end());
    return candidates;
}

double sqnrDb(double noiseToSignal) {
    return noiseToSignal > 0.0 ? -10.0 * std::log10(noiseToSignal) : 200.0;
}

}  // namespace

void searchThresholds(const Graph& graph, CalibrationTable& table, const Int8Options& options,
                      const std::vector<Tensor>& images, const ThresholdSearchOptions& search,
                      const Progress& progress) {
    for (auto& [name, calibration] : table.tensors) {
        const auto minMax = calibration.thresholds.find(ThresholdMethod::MinMax);
        calibration.thresholds[ThresholdMethod::Auto] =
            minMax != calibration.thresholds.end()
                ? minMax->second
                : computeThreshold(calibration.histogram, ThresholdMethod::MinMax);
        calibration.candidates.clear();
    }
    if (images.empty()) return;

    Int8Options planOptions = options;
    planOptions.biasCorrection = false;
    const Int8Plan plan = planInt8(graph, table, planOptions);
    std::map<std::string, std::vector<Consumer>> consumers;  // searched tensor -> int8 layers
    std::set<std::string> cached;                            // tensors the search reads
    for (const NodePlan& node : plan.nodes) {
        if (node.precision != NodePrecision::Int8 || node.inputs.empty()) continue;
        consumers[node.inputs[0].tensor].push_back(
            {&graph.nodes[node.index], node.activation, node.result});
        cached.insert(node.inputs[0].tensor);
        cached.insert(node.result);
    }

    // FP32 inputs and results of the int8 layers, image by image, within the memory budget.
    const Executor executor(graph);
    const std::string inputName = imageInputOf(graph).name;
    std::vector<TensorMap> kept;
    size_t bytes = 0;
    for (const Tensor& image : images) {
        progress.throwIfCancelled();
        TensorMap values;
        if (cached.count(inputName)) values[inputName] = image;
        executor.run({{inputName, image}},
                     [&](const Node&, const std::string& name, const Tensor& value) {
                         if (cached.count(name)) values[name] = value;
                     });
        size_t imageBytes = 0;
        for (const auto& entry : values) imageBytes += entry.second.f.size() * sizeof(float);
        if (!kept.empty() && bytes + imageBytes > search.memoryBudgetBytes) break;
        bytes += imageBytes;
        kept.push_back(std::move(values));
    }

    const Int8LayerOptions layerOptions{options.perChannelWeights, options.kernel};
    long done = 0;
    const long total = static_cast<long>(consumers.size());
    for (const auto& [tensor, layers] : consumers) {
        progress.throwIfCancelled();
        progress.step(done++, total, "threshold search: " + tensor);
        TensorCalibration& calibration = table.tensors.at(tensor);
        const bool isUnsigned = options.unsignedActivations && calibration.nonNegative();
        double best = 0.0, bestError = 0.0;
        for (const double threshold : candidateThresholds(calibration, search.gridSteps)) {
            const auto quantization = ActivationQuantization::fromThreshold(threshold, isUnsigned);
            double error = 0.0;
            for (const Consumer& consumer : layers) {
                const auto layer = makeInt8Layer(graph, *consumer.node, quantization, layerOptions);
                if (consumer.activation)
                    layer->fuseActivation(consumer.activation->low, consumer.activation->high);
                LayerNoise noise;
                const int64_t perImage =
                    std::max<int64_t>(1, kept.front().at(consumer.result).numel());
                const size_t judged = static_cast<size_t>(
                    std::clamp<int64_t>((search.valuesPerLayer + perImage - 1) / perImage, 1,
                                        static_cast<int64_t>(kept.size())));
                for (size_t k = 0; k < judged; ++k) {
                    const TensorMap& values = kept[k];
                    Tensor output;
                    layer->run(values.at(tensor), output, true);
                    noise.add(values.at(consumer.result), output);
                }
                error += noise.noiseToSignal();
            }
            calibration.candidates.push_back({threshold, sqnrDb(error)});
            if (calibration.candidates.size() == 1 || error < bestError) {
                best = threshold;
                bestError = error;
            }
        }
        if (best > 0.0) calibration.thresholds[ThresholdMethod::Auto] = best;
    }
    progress.step(total, total, "");
}

}  // namespace qf

#include "evaluate/comparison_session.h"

#include <algorithm>
#include <cmath>

#include "evaluate/comparison_arithmetic.h"
#include "graph/op_traits.h"
#include "images/image_runner.h"
#include "util/error.h"

namespace qf {
namespace {

size_t bytesOf(const Tensor& t) {
    return t.f.size() * sizeof(float) + t.i.size() * sizeof(int64_t);
}

size_t bytesOf(const TensorMap& tensors) {
    size_t bytes = 0;
    for (const auto& entry : tensors) bytes += bytesOf(entry.second);
    return bytes;
}

bool staleBias(BiasCorrectionState state) {
    return state == BiasCorrectionState::DroppedThreshold ||
           state == BiasCorrectionState::DroppedGranularity ||
           state == BiasCorrectionState::DroppedChannels;
}

// The FP32 tensors the per-layer metrics and the bias measurement read: every quantizable
// node's input and output, what its lone reader (an activation it may absorb) produces, and the
// model outputs. Whatever the plan, so FP32 keeps and fusions can change without a re-run.
std::set<std::string> fp32TensorsToKeep(const Graph& graph) {
    std::set<std::string> names;
    for (const auto& output : graph.outputs) names.insert(output.name);
    for (const auto& node : graph.nodes) {
        if (!isQuantizable(node)) continue;
        if (!node.input(0).empty() && !graph.isWeight(node.input(0))) names.insert(node.input(0));
        names.insert(node.outputs.at(0));
        for (const int reader : graph.consumerIndices(node.outputs[0]))
            for (const auto& out : graph.nodes[static_cast<size_t>(reader)].outputs)
                names.insert(out);
    }
    return names;
}

}  // namespace

ComparisonSession::ComparisonSession(std::shared_ptr<const Graph> graph, const ImageFolder& folder,
                                     ComparisonSessionOptions options, const Progress& progress)
    : graph_(graph ? std::move(graph) : throw Error("ComparisonSession: no graph")),
      options_(std::move(options)),
      fp32_(graph_),
      fp32Wanted_(fp32TensorsToKeep(*graph_)) {
    const ImageInput input = imageInputOf(*graph_);
    inputName_ = input.name;
    channels_ = input.channels;
    pre_ = withModelSize(options_.comparison.pre, input.shape);
    skipped_ = readImages(folder, visitedPositions(folder, options_.comparison.maxImages), progress,
                          images_);
    if (images_.empty()) throw Error(folder.folder + ": none of the images could be read");
}

std::vector<ImageFailure> ComparisonSession::readImages(const ImageFolder& source,
                                                        const std::vector<size_t>& positions,
                                                        const Progress& progress,
                                                        std::vector<CachedImage>& into) {
    return forEachImageAt(source, positions, pre_, channels_, progress,
                          [&](const LabeledImage& image, const Tensor& x) {
                              CachedImage cached;
                              cached.input = x;
                              cached.label = image.label;
                              cached.labelWhere = image.labelWhere;
                              cached.path = image.path;
                              bytes_ += bytesOf(cached.input);
                              cacheFp32(cached);
                              into.push_back(std::move(cached));
                          });
}

const std::vector<ComparisonSession::CachedImage>& ComparisonSession::calibrationImages(
    const Progress& progress) {
    if (calibrationRead_) return calibration_;
    // Read on the first correction to measure, not with the session: most sessions never need
    // them. Into a local first, so a cancelled read leaves nothing half done.
    std::vector<CachedImage> read;
    readImages(*options_.calibrationImages,
               spreadPositions(options_.calibrationImages->images.size(),
                               static_cast<size_t>(options_.biasCorrectionImages)),
               progress, read);
    calibration_ = std::move(read);
    calibrationRead_ = true;
    return calibration_;
}

void ComparisonSession::cacheFp32(CachedImage& image) {
    TensorMap all = fp32_.run({{inputName_, image.input}}, nullptr, true);
    TensorMap kept;
    for (const auto& name : fp32Wanted_) {
        const auto it = all.find(name);
        if (it != all.end()) kept.emplace(name, std::move(it->second));
    }
    const size_t bytes = bytesOf(kept);
    if (bytes_ + bytes > options_.memoryBudget) return;  // past the budget: recomputed when needed
    image.fp32 = std::move(kept);
    image.fp32Cached = true;
    bytes_ += bytes;
}

const TensorMap& ComparisonSession::fp32Of(const CachedImage& image, TensorMap& scratch) const {
    if (image.fp32Cached) return image.fp32;
    scratch = fp32_.run({{inputName_, image.input}}, nullptr, true);
    return scratch;
}

const Int8Plan& ComparisonSession::plan() const {
    if (!model_) throw Error("the comparison session has not been updated yet");
    return model_->plan();
}

const CalibrationTable& ComparisonSession::table() const {
    if (!model_) throw Error("the comparison session has not been updated yet");
    return model_->table();
}

std::optional<BiasCorrection> ComparisonSession::remeasure(const NodePlan& entry,
                                                           const Int8Options& options,
                                                           const Progress& progress,
                                                           int& measuredNow) {
    const Graph& graph = *graph_;
    const Node& node = graph.nodes[entry.index];
    const double threshold = entry.inputs.at(0).threshold;
    for (const auto& known : measured_[entry.name])
        if (known.inputThreshold == threshold &&
            known.perChannelWeights == options.perChannelWeights)
            return known;  // measured by an earlier update
    // The layer as measureBiasCorrections builds it: uncorrected, without its activation.
    const std::unique_ptr<Int8Layer> layer = makeInt8Layer(
        graph, node, entry.inputs[0].quantization, {options.perChannelWeights, options.kernel});
    if (!layer) return std::nullopt;
    const std::vector<CachedImage>& calibration = calibrationImages(progress.phase(0, 1, 2));
    const Progress measuring = progress.phase(1, 1, 2);
    BiasMeasurement measurement;
    TensorMap scratch;
    for (size_t k = 0; k < calibration.size(); ++k) {
        measuring.throwIfCancelled();
        measuring.step(static_cast<long>(k), static_cast<long>(calibration.size()),
                       "bias correction of " + entry.name);
        const TensorMap& reference = fp32Of(calibration[k], scratch);
        Tensor quantized;
        layer->run(reference.at(node.input(0)), quantized, false);
        measurement.add(reference.at(node.outputs[0]), quantized);
    }
    if (!measurement.measured()) return std::nullopt;
    BiasCorrection correction = measurement.result(threshold, options.perChannelWeights);
    measured_[entry.name].push_back(correction);
    ++measuredNow;
    return correction;
}

const Int8ComparisonReport& ComparisonSession::update(const CalibrationTable& table,
                                                      const Int8Options& int8Options,
                                                      const Progress& progress) {
    const Graph& graph = *graph_;
    const bool perLayer = options_.comparison.perLayer;
    SessionUpdateStats stats;
    auto effective = std::make_shared<CalibrationTable>(table);
    Int8Plan plan = planInt8(graph, *effective, int8Options);

    // Bias corrections made stale by the edit, measured again for the quantization in use.
    std::vector<const NodePlan*> stale;
    if (int8Options.biasCorrection && options_.calibrationImages &&
        options_.biasCorrectionImages > 0)
        for (const auto& entry : plan.nodes)
            if (entry.precision == NodePrecision::Int8 && staleBias(entry.bias.state))
                stale.push_back(&entry);
    const long total = static_cast<long>(stale.size() + images_.size());
    bool replaced = false;
    for (size_t k = 0; k < stale.size(); ++k) {
        const std::optional<BiasCorrection> correction =
            remeasure(*stale[k], int8Options, progress.phase(static_cast<long>(k), 1, total),
                      stats.remeasuredBiasCorrections);
        if (!correction) continue;
        effective->biasCorrections[stale[k]->name] = *correction;
        replaced = true;
    }
    if (replaced) plan = planInt8(graph, *effective, int8Options);

    // The first node that executes differently; everything before it is as last time.
    const Int8Model* previous = model_.get();
    size_t first = 0;
    if (previous) {
        const Int8Plan& before = previous->plan();
        first = plan.nodes.size();
        for (size_t k = 0; k < plan.nodes.size(); ++k)
            if (!sameExecution(before, before.nodes[k], plan, plan.nodes[k])) {
                first = k;
                break;
            }
    }
    stats.firstNode = first;
    auto model = std::make_shared<const Int8Model>(graph_, effective, std::move(plan), previous);
    const Int8Plan& now = model->plan();
    const auto reusedLayer = [&](const NodePlan& entry) {
        if (!previous) return false;
        const NodePlan* before = previous->plan().find(entry.name);
        return before && before->precision == NodePrecision::Int8 &&
               sameExecution(previous->plan(), *before, now, entry);
    };

    // Which per-layer accumulators carry over: a layer before `first` sees the same int8 input
    // and gives the same output; an unchanged layer alone on FP32 inputs gives the same output.
    std::map<std::string, ErrorAccumulator> layerErrors, aloneErrors;
    std::vector<const NodePlan*> freshLayers, freshAlone;
    for (const auto& entry : now.nodes) {
        if (entry.precision != NodePrecision::Int8) continue;
        const bool reused = reusedLayer(entry);
        if (!reused) ++stats.rebuiltLayers;
        if (!perLayer) continue;
        if (reused && entry.index < first && layerErrors_.count(entry.name))
            layerErrors[entry.name] = layerErrors_.at(entry.name);
        else
            freshLayers.push_back(&entry);
        if (reused && aloneErrors_.count(entry.name))
            aloneErrors[entry.name] = aloneErrors_.at(entry.name);
        else
            freshAlone.push_back(&entry);
    }

    const bool anyChange = first < now.nodes.size();
    std::optional<Executor> tail;
    std::vector<std::string> tailInputs;
    if (previous && anyChange && first > 0) {
        tail.emplace(model->tailExecutor(first));
        tailInputs = model->tailInputs(first);
    }

    Int8ComparisonReport report;
    report.skipped = skipped_;
    report.fp32Nodes = now.fp32Nodes();
    report.droppedBiasCorrections = now.droppedBiasCorrections();
    std::map<std::string, ErrorAccumulator> outputErrors;
    // Images whose int8 cache this update rewrote: on cancel they no longer match the model kept.
    std::vector<size_t> touched;
    size_t bytes = bytes_;
    try {
        TensorMap fp32Scratch, int8Scratch;
        for (size_t k = 0; k < images_.size(); ++k) {
            progress.throwIfCancelled();
            progress.step(static_cast<long>(stale.size() + k), total, "compare");
            CachedImage& image = images_[k];
            const TensorMap& reference = fp32Of(image, fp32Scratch);
            const TensorMap* quantized = nullptr;
            if (image.int8Cached && previous && !anyChange) {
                quantized = &image.int8;
                ++stats.imagesFromCache;
            } else if (image.int8Cached && tail) {
                TensorMap feeds;
                for (const auto& name : tailInputs) feeds.emplace(name, image.int8.at(name));
                touched.push_back(k);
                TensorMap fresh = tail->run(feeds, nullptr, true);
                for (auto& [name, value] : fresh) {
                    if (feeds.count(name)) continue;
                    auto& slot = image.int8[name];
                    bytes = bytes - bytesOf(slot) + bytesOf(value);
                    slot = std::move(value);
                }
                quantized = &image.int8;
                ++stats.imagesFromCache;
            } else {
                int8Scratch = model->run({{inputName_, image.input}}, nullptr, true);
                const size_t size = bytesOf(int8Scratch);
                const size_t cachedBefore = image.int8Cached ? bytesOf(image.int8) : 0;
                if (bytes - cachedBefore + size <= options_.memoryBudget) {
                    touched.push_back(k);
                    bytes = bytes - cachedBefore + size;
                    image.int8 = std::move(int8Scratch);
                    image.int8Cached = true;
                    quantized = &image.int8;
                } else {
                    if (image.int8Cached) {
                        touched.push_back(k);  // stale now: dropped below
                        bytes -= cachedBefore;
                        image.int8.clear();
                        image.int8Cached = false;
                    }
                    quantized = &int8Scratch;
                }
            }
            ++report.images;
            for (const auto& output : graph.outputs)
                accumulate(outputErrors[output.name], reference.at(output.name),
                           quantized->at(output.name), "output '" + output.name + "'");
            if (!graph.outputs.empty()) {
                const Tensor& a = reference.at(graph.outputs.front().name);
                const Tensor& b = quantized->at(graph.outputs.front().name);
                report.top1Agreements += argmax(a) == argmax(b);
                requireLabelInRange(image.path, image.label, image.labelWhere, a,
                                    graph.outputs.front().name);
                report.fp32.add(a.f, image.label);
                report.int8.add(b.f, image.label);
                addImageTopK(report, graph, image.path, image.label, a, b);
            }
            for (const NodePlan* entry : freshLayers)
                accumulate(layerErrors[entry->name], reference.at(entry->result),
                           quantized->at(entry->result), "layer '" + entry->name + "'");
            for (const NodePlan* entry : freshAlone) {
                const Node& node = graph.nodes[entry->index];
                const Tensor* in = graph.isWeight(node.input(0)) ? graph.weight(node.input(0))
                                                                 : &reference.at(node.input(0));
                accumulate(aloneErrors[entry->name], reference.at(entry->result),
                           model->runLayer(entry->name, *in, true), "layer '" + entry->name + "'");
            }
        }
    } catch (...) {
        // Keep the previous state: images whose cache now holds this update's tensors forget
        // them (they are recomputed next time).
        for (const size_t k : touched) {
            CachedImage& image = images_[k];
            if (!image.int8Cached) continue;
            bytes -= bytesOf(image.int8);
            image.int8.clear();
            image.int8Cached = false;
        }
        bytes_ = bytes;
        throw;
    }
    progress.step(total, total, "");
    for (const auto& output : graph.outputs) {
        const ErrorAccumulator& e = outputErrors[output.name];
        report.outputs.push_back(
            {output.name, e.cosine(), e.worstImageCosine(), e.sqnrDb(), e.maxAbsDiff()});
    }
    if (perLayer)
        for (const auto& entry : now.nodes) {
            if (entry.precision != NodePrecision::Int8) continue;
            report.layers.push_back(
                {entry.name, layerErrors[entry.name].cosine(), layerErrors[entry.name].sqnrDb(),
                 aloneErrors[entry.name].cosine(), aloneErrors[entry.name].sqnrDb()});
        }
    bytes_ = bytes;
    model_ = std::move(model);
    report_ = std::move(report);
    layerErrors_ = std::move(layerErrors);
    aloneErrors_ = std::move(aloneErrors);
    stats_ = stats;
    return report_;
}

}  // namespace qf

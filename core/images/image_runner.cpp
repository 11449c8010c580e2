#include "images/image_runner.h"

#include <algorithm>
#include <filesystem>

#include "util/error.h"

namespace qf {

ImageInput imageInputOf(const Graph& graph) {
    std::vector<const ValueInfo*> inputs;
    for (const auto& input : graph.inputs)
        if (!graph.isWeight(input.name)) inputs.push_back(&input);
    if (inputs.size() != 1)
        throw Error("the model has " + std::to_string(inputs.size()) +
                    " inputs; running it on images needs exactly one");
    ImageInput result;
    result.name = inputs[0]->name;
    result.shape = inputs[0]->shape;
    if (result.shape.size() == 4 && result.shape[1] > 0)
        result.channels = static_cast<int>(result.shape[1]);
    return result;
}

long imagesToVisit(const ImageFolder& folder, int maxImages) {
    const auto all = static_cast<long>(folder.images.size());
    return maxImages > 0 ? std::min<long>(maxImages, all) : all;
}

std::vector<size_t> visitedPositions(const ImageFolder& folder, int maxImages) {
    std::vector<size_t> positions(static_cast<size_t>(imagesToVisit(folder, maxImages)));
    for (size_t k = 0; k < positions.size(); ++k) positions[k] = k;
    return positions;
}

std::vector<size_t> spreadPositions(size_t count, size_t wanted) {
    if (wanted == 0 || wanted > count) wanted = count;
    std::vector<size_t> positions(wanted);
    for (size_t j = 0; j < wanted; ++j) positions[j] = j * count / wanted;
    return positions;
}

std::vector<ImageFailure> forEachImage(
    const ImageFolder& folder, const Preprocessing& pre, int channels, int maxImages,
    const Progress& progress,
    const std::function<void(const LabeledImage&, const Tensor&)>& visit) {
    return forEachImageAt(folder, visitedPositions(folder, maxImages), pre, channels, progress,
                          visit);
}

std::vector<ImageFailure> forEachImageAt(
    const ImageFolder& folder, const std::vector<size_t>& positions, const Preprocessing& pre,
    int channels, const Progress& progress,
    const std::function<void(const LabeledImage&, const Tensor&)>& visit) {
    std::vector<ImageFailure> failures;
    const auto total = static_cast<long>(positions.size());
    for (long k = 0; k < total; ++k) {
        if (progress.cancelled()) throw Cancelled{};
        const LabeledImage& image = folder.images.at(positions[static_cast<size_t>(k)]);
        progress.step(k, total, std::filesystem::path(image.path).filename().string());
        Tensor input;
        try {
            input = loadImageTensor(image.path, pre, channels);
        } catch (const Error& error) {
            failures.push_back({image.path, error.what()});
            continue;
        }
        visit(image, input);
    }
    progress.step(total, total, "");
    return failures;
}

}  // namespace qf

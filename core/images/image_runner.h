#pragma once
#include <functional>
#include <string>
#include <vector>

#include "graph/graph.h"
#include "images/image_folder.h"
#include "images/preprocessing.h"
#include "util/progress.h"

namespace qf {

struct ImageFailure {
    std::string path;
    std::string reason;
};

// The single image input of a model: its name, channel count and declared shape.
struct ImageInput {
    std::string name;
    int channels = 3;
    Shape shape;
};
ImageInput imageInputOf(const Graph& graph);  // throws when the model has no or several inputs

// How many images forEachImage visits: all of the folder's, or at most maxImages when > 0.
long imagesToVisit(const ImageFolder& folder, int maxImages);

// The folder positions forEachImage visits: the first maxImages (all when maxImages <= 0).
std::vector<size_t> visitedPositions(const ImageFolder& folder, int maxImages);

// `wanted` positions out of 0..count-1, ascending and spread evenly (every position when
// wanted is 0 or at least count). Image folders are often sorted by class, so the first N
// images would be a sample of one class.
std::vector<size_t> spreadPositions(size_t count, size_t wanted);

// Loads each image of the folder (the first maxImages when > 0) and hands it to `visit`;
// undecodable images are collected in the returned list and skipped. Reports progress and
// throws qf::Cancelled when cancelled.
std::vector<ImageFailure> forEachImage(
    const ImageFolder& folder, const Preprocessing& pre, int channels, int maxImages,
    const Progress& progress, const std::function<void(const LabeledImage&, const Tensor&)>& visit);
// The same over the images at `positions` of the folder, in that order.
std::vector<ImageFailure> forEachImageAt(
    const ImageFolder& folder, const std::vector<size_t>& positions, const Preprocessing& pre,
    int channels, const Progress& progress,
    const std::function<void(const LabeledImage&, const Tensor&)>& visit);

}  // namespace qf

#pragma once
#include <string>
#include <vector>

#include "graph/graph.h"
#include "images/image_folder.h"
#include "images/image_runner.h"
#include "images/preprocessing.h"
#include "util/progress.h"

namespace qf {

struct RunOptions {
    Preprocessing pre;
    int maxImages = 0;    // 0: all
    std::string dumpDir;  // when set, each output of each image is written there as .npy
};

// FP32 inference over a folder. Top-k counts use the first output, read as one score per class.
struct RunReport {
    int images = 0;
    int labeled = 0;
    int top1Hits = 0;
    int top5Hits = 0;
    std::vector<ImageFailure> skipped;
    std::vector<std::string> outputs;
    double top1() const { return labeled ? static_cast<double>(top1Hits) / labeled : 0.0; }
    double top5() const { return labeled ? static_cast<double>(top5Hits) / labeled : 0.0; }
};

RunReport runImages(const Graph& graph, const ImageFolder& folder, const RunOptions& options,
                    const Progress& progress = {});

// Largest |a - b| per output of two models (e.g. before and after folding) over the images.
struct OutputDifference {
    std::string output;
    double maxAbsDiff = 0.0;
    double maxAbsValue = 0.0;  // of the first model's output, to judge the difference against
};
struct ComparisonReport {
    int images = 0;
    std::vector<ImageFailure> skipped;
    std::vector<OutputDifference> outputs;
};
ComparisonReport compareModelOutputs(const Graph& first, const Graph& second,
                                     const ImageFolder& folder, const RunOptions& options,
                                     const Progress& progress = {});

}  // namespace qf

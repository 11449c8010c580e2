#pragma once
// The engine of "drag a threshold, see the effect": an int8-vs-FP32 comparison kept alive
// across edits of the calibration table and the int8 options. It caches what does not change
// (the preprocessed images, the FP32 tensors the metrics read, the int8 tensors of the last run)
// and on update() rebuilds only the int8 layers whose plan changed, re-runs int8 from the first
// node that changed, and re-measures only the metrics that can differ. Its report is the one
// compareInt8 gives for the same table and options, bit for bit.
#include <cstddef>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "evaluate/int8_comparison.h"
#include "graph/graph.h"
#include "images/image_folder.h"
#include "quantize/bias_correction.h"
#include "quantize/int8_model.h"
#include "quantize/int8_plan.h"
#include "thresholds/calibration_table.h"
#include "util/progress.h"

namespace qf {

struct ComparisonSessionOptions {
    ComparisonOptions comparison;
    // Bytes the session may hold: the preprocessed images (always kept, even past it), then FP32
    // tensors image by image, then the int8 tensors of each image. What does not fit is
    // recomputed on every update instead.
    size_t memoryBudget = size_t{1} << 30;
    // When set, bias corrections an edit made stale (measured for another threshold or weight
    // granularity) are measured again, for the quantization now in use, on biasCorrectionImages
    // images spread over this folder (preprocessed as comparison.pre, read at the first
    // correction to measure), as calibrate() measures them when it visits the whole folder;
    // table() then holds them. Unset: stale corrections are
    // dropped (and reported).
    std::optional<ImageFolder> calibrationImages;
    int biasCorrectionImages = kDefaultBiasCorrectionImages;
};

// What the last update did, for a status bar and the benchmark.
struct SessionUpdateStats {
    size_t firstNode = 0;  // index of the first node re-run (the node count: none)
    int rebuiltLayers = 0;
    int remeasuredBiasCorrections = 0;  // measured now (earlier measurements are remembered)
    int imagesFromCache = 0;            // images whose int8 run started from cached tensors
};

class ComparisonSession {
public:
    // Reads and preprocesses the images and runs FP32 once over them. Throws qf::Error when no
    // image can be read, qf::Cancelled when cancelled.
    ComparisonSession(std::shared_ptr<const Graph> graph, const ImageFolder& folder,
                      ComparisonSessionOptions options, const Progress& progress = {});

    // Compares int8 under `table` and `options` with FP32 and returns the report. Cancelled
    // (qf::Cancelled), the session keeps its previous state and report and stays usable.
    const Int8ComparisonReport& update(const CalibrationTable& table, const Int8Options& options,
                                       const Progress& progress = {});

    // The last update's report, plan and table (the caller's, with any re-measured bias
    // corrections); compareInt8(graph(), table(), plan().options, ...) gives the same report.
    const Int8ComparisonReport& report() const { return report_; }
    const Int8Plan& plan() const;
    const CalibrationTable& table() const;
    bool hasResult() const { return model_ != nullptr; }
    const Graph& graph() const { return *graph_; }
    const SessionUpdateStats& lastUpdate() const { return stats_; }

    size_t cacheBytes() const { return bytes_; }  // everything cached, the images included
    size_t memoryBudget() const { return options_.memoryBudget; }

private:
    struct CachedImage {
        Tensor input;
        int label = -1;
        std::string path, labelWhere;
        bool fp32Cached = false;
        TensorMap fp32;  // the tensors fp32Wanted_ names
        bool int8Cached = false;
        TensorMap int8;  // every tensor of the current model's run
    };
    // The FP32 tensors of an image, from the cache or computed now into `scratch`.
    std::vector<ImageFailure> readImages(const ImageFolder& source,
                                         const std::vector<size_t>& positions,
                                         const Progress& progress, std::vector<CachedImage>& into);
    // The bias-correction images, read and run in FP32 on the first call.
    const std::vector<CachedImage>& calibrationImages(const Progress& progress);
    const TensorMap& fp32Of(const CachedImage& image, TensorMap& scratch) const;
    void cacheFp32(CachedImage& image);
    std::optional<BiasCorrection> remeasure(const NodePlan& entry, const Int8Options& options,
                                            const Progress& progress, int& measuredNow);

    std::shared_ptr<const Graph> graph_;
    ComparisonSessionOptions options_;
    std::string inputName_;
    Executor fp32_;
    std::set<std::string> fp32Wanted_;
    int channels_ = 3;
    Preprocessing pre_;
    std::vector<CachedImage> images_, calibration_;
    bool calibrationRead_ = false;
    std::vector<ImageFailure> skipped_;
    size_t bytes_ = 0;
    // Bias corrections measured by this session: node -> (threshold, granularity) -> correction.
    std::map<std::string, std::vector<BiasCorrection>> measured_;

    std::shared_ptr<const Int8Model> model_;
    Int8ComparisonReport report_;
    std::map<std::string, ErrorAccumulator> layerErrors_, aloneErrors_;
    SessionUpdateStats stats_;
};

}  // namespace qf

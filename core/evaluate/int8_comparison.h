#pragma once
#include <string>
#include <vector>

#include "evaluate/error_metrics.h"
#include "evaluate/top_k.h"
#include "graph/graph.h"
#include "images/image_folder.h"
#include "images/image_runner.h"
#include "images/preprocessing.h"
#include "quantize/int8_model.h"
#include "thresholds/calibration_table.h"
#include "util/progress.h"

namespace qf {

struct OutputError {
    std::string name;
    double cosine = 0.0, worstImageCosine = 0.0, sqnrDb = 0.0, maxAbsDiff = 0.0;
};

struct LayerError {
    std::string name;                   // the quantized node
    double cosine = 0.0, sqnrDb = 0.0;  // its output, int8 errors propagated from earlier layers
    double aloneCosine = 0.0, aloneSqnrDb = 0.0;  // the layer alone, on FP32 inputs
};

// A classifier's verdicts on one image: FP32's and int8's best classes (kImageTopK of them).
constexpr int kImageTopK = 3;
struct ImageTopK {
    std::string path;
    int label = -1;  // -1: unlabelled
    std::vector<ClassScore> fp32, int8;
    bool agrees() const {
        return !fp32.empty() && !int8.empty() && fp32.front().index == int8.front().index;
    }
};

struct Int8ComparisonReport {
    int images = 0;
    std::vector<ImageFailure> skipped;
    std::vector<OutputError> outputs;
    std::vector<LayerError> layers;
    TopK fp32, int8;
    int top1Agreements = 0;  // images where both predict the same class (first output)
    double top1Agreement() const {
        return images ? static_cast<double>(top1Agreements) / images : 0.0;
    }
    // For classifiers only (one output holding one class vector), per image in reading order;
    // empty otherwise.
    std::vector<ImageTopK> imageTopK;
    std::map<std::string, std::string> fp32Nodes;  // quantizable nodes left in FP32, with reasons
    // Bias corrections of the table that this quantization could not use, and why (the int8
    // plan's droppedBiasCorrections()).
    std::vector<DroppedBiasCorrection> droppedBiasCorrections;
};

struct ComparisonOptions {
    Preprocessing pre;
    int maxImages = 0;
    bool perLayer = true;
};

// Runs FP32 and int8 on the same images and measures how far int8 strays.
Int8ComparisonReport compareInt8(const Graph& graph, const CalibrationTable& table,
                                 const Int8Options& int8Options, const ImageFolder& folder,
                                 const ComparisonOptions& options, const Progress& progress = {});

struct LayerSensitivity {
    std::string name;
    double outputCosine = 0.0;  // of the first output with only this layer in int8
    double outputSqnrDb = 0.0;
    // The lowest worst-image cosine over all outputs with only this layer in int8 (a detector's
    // box outputs can suffer where its first output does not).
    double worstOutputCosine = 0.0;
};

// Quantizes one layer at a time and ranks the layers by the output error each causes alone
// (worst first, by the first output's SQNR).
std::vector<LayerSensitivity> rankLayerSensitivity(
    const Graph& graph, const CalibrationTable& table, const Int8Options& int8Options,
    const ImageFolder& folder, const ComparisonOptions& options, const Progress& progress = {});

}  // namespace qf

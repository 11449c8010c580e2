#pragma once
#include <cstdint>
#include <string>

#include "graph/graph.h"
#include "util/progress.h"

namespace qf {

// Eight-bit weights as TensorFlow's `transform_graph --transforms=quantize_weights` writes them:
// each float Const of at least `minimumSize` elements becomes a DT_QUINT8 Const plus its float
// min and max and a `Dequantize` (mode MIN_FIRST) of the Const's name, so every reader is
// unchanged. The range always holds 0, and values map to round(v·s) − round(min·s) with
// s = 255 / (max − min), as TensorFlow's FloatToQuantized does.
struct MinFirstQuantized {
    Tensor values;  // UInt8
    float min = 0.0f;
    float max = 0.0f;
};
MinFirstQuantized quantizeMinFirst(const Tensor& floats);
// Dequantize MIN_FIRST of quint8 values, as TensorFlow's QuantizedToFloat computes it.
Tensor dequantizeMinFirst(const Tensor& quantized, float min, float max);

// The graph written as exportTensorflow writes it, with its large float constants quantized.
std::string tensorflowQuantizedWeightsBytes(const Graph& graph, int64_t minimumSize = 1024);
void exportTensorflowQuantizedWeights(const Graph& graph, const std::string& path,
                                      const Progress& progress = {});

}  // namespace qf

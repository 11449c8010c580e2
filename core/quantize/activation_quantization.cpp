#include "quantize/activation_quantization.h"

#include <algorithm>
#include <cmath>

#include "runtime/parallel.h"

namespace qf {

ActivationQuantization ActivationQuantization::fromThreshold(double threshold, bool nonNegative) {
    ActivationQuantization q;
    q.isUnsigned = nonNegative;
    const double positive = threshold > 0.0 && std::isfinite(threshold) ? threshold : 1e-6;
    q.scale = static_cast<float>(positive / (nonNegative ? 255.0 : 127.0));
    return q;
}

namespace {

// Adding and subtracting 1.5 * 2^23 rounds a float of magnitude below 2^22 to the nearest
// integer, ties to even: what std::nearbyint does in the default rounding mode, without a libm
// call per value, so the loop vectorises. Clamping first is exact (the bounds are integers) and
// keeps the value in that range; NaN stays NaN through min/max and maps to 0. Everything is a
// parameter, not a captured reference: a store through uint8_t* may alias anything, so the
// compiler would otherwise reload each captured value per element and keep the loop scalar.
__attribute__((always_inline)) inline float quantizedStep(float value, float inverse, float lowest,
                                                          float highest) {
    constexpr float kRound = 12582912.0f;
    const float clamped = std::min(std::max(value * inverse, lowest), highest);
    const float rounded = (clamped + kRound) - kRound;
    return rounded == rounded ? rounded : 0.0f;
}

// Cloned per ISA (the loader picks the widest the CPU has), 16 values a step with AVX-512. Every
// clone gives the same bytes: one rounded multiply, then exact clamps and the rounding add.
__attribute__((target_clones("avx512f", "avx2", "default"))) void quantizeRange(
    const float* values, uint8_t* storage, int64_t begin, int64_t end, float inverse, float lowest,
    float highest, int32_t offset) {
    for (int64_t k = begin; k < end; ++k)
        storage[k] = static_cast<uint8_t>(
            static_cast<int32_t>(quantizedStep(values[k], inverse, lowest, highest)) + offset);
}

// Cloned as quantizeRange is; the product with the scale comes after the rounding, so no clone
// can fuse it with an add.
__attribute__((target_clones("avx512f", "avx2", "default"))) void fakeQuantizeRange(
    float* values, int64_t begin, int64_t end, float inverse, float scale, float lowest,
    float highest) {
    for (int64_t k = begin; k < end; ++k)
        values[k] = quantizedStep(values[k], inverse, lowest, highest) * scale;
}

}  // namespace

void quantizeToStorage(const float* values, int64_t count,
                       const ActivationQuantization& quantization, uint8_t* storage) {
    const float inverse = 1.0f / quantization.scale;
    const auto lowest = static_cast<float>(quantization.lowest());
    const auto highest = static_cast<float>(quantization.highest());
    const int32_t offset = quantization.storageOffset();
    parallelFor(count, count > 65536, [=](int64_t begin, int64_t end) {
        quantizeRange(values, storage, begin, end, inverse, lowest, highest, offset);
    });
}

void fakeQuantizeInPlace(float* values, int64_t count, const ActivationQuantization& quantization) {
    const float inverse = 1.0f / quantization.scale, scale = quantization.scale;
    const auto lowest = static_cast<float>(quantization.lowest());
    const auto highest = static_cast<float>(quantization.highest());
    parallelFor(count, count > 65536, [=](int64_t begin, int64_t end) {
        fakeQuantizeRange(values, begin, end, inverse, scale, lowest, highest);
    });
}

float fakeQuantize(float value, const ActivationQuantization& quantization) {
    const float scaled = std::nearbyint(value * (1.0f / quantization.scale));
    if (std::isnan(scaled)) return 0.0f;
    return std::clamp(scaled, static_cast<float>(quantization.lowest()),
                      static_cast<float>(quantization.highest())) *
           quantization.scale;
}

}  // namespace qf

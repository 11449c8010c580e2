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

void quantizeToStorage(const float* values, int64_t count,
                       const ActivationQuantization& quantization, uint8_t* storage) {
    const float inverse = 1.0f / quantization.scale;
    const float lowest = static_cast<float>(quantization.lowest());
    const float highest = static_cast<float>(quantization.highest());
    const int32_t offset = quantization.storageOffset();
    // Adding and subtracting 1.5 * 2^23 rounds a float of magnitude below 2^22 to the nearest
    // integer, ties to even: what std::nearbyint does in the default rounding mode, without a
    // libm call per value, so the loop vectorises. Clamping first is exact (the bounds are
    // integers) and keeps the value in that range; NaN stays NaN through min/max and maps to 0.
    constexpr float kRound = 12582912.0f;
    parallelFor(count, count > 65536, [&](int64_t kBegin, int64_t kEnd) {
        for (int64_t k = kBegin; k < kEnd; ++k) {
            const float scaled = values[k] * inverse;
            const float clamped = std::min(std::max(scaled, lowest), highest);
            const float rounded = (clamped + kRound) - kRound;
            const float q = rounded == rounded ? rounded : 0.0f;
            storage[k] = static_cast<uint8_t>(static_cast<int32_t>(q) + offset);
        }
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

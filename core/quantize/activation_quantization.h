#pragma once
#include <cstdint>

namespace qf {

// How a float activation becomes int8: symmetric, zero point 0. A tensor calibration found
// never negative uses the unsigned range [0, 255] (one more bit, the u8 x s8 form VNNI
// computes); others use [-127, 127]. For the u8 x s8 GEMM kernels a signed value is stored
// shifted by +128 (`storageOffset`), which the epilogue removes with the weights' row sums.
struct ActivationQuantization {
    float scale = 1.0f;  // real value of one step: threshold / 255 or threshold / 127
    bool isUnsigned = false;

    static ActivationQuantization fromThreshold(double threshold, bool nonNegative);
    int32_t storageOffset() const { return isUnsigned ? 0 : 128; }
    int32_t lowest() const { return isUnsigned ? 0 : -127; }
    int32_t highest() const { return isUnsigned ? 255 : 127; }
};

// Round to nearest (ties to even, as nearbyint does), saturate, and store with the offset.
void quantizeToStorage(const float* values, int64_t count,
                       const ActivationQuantization& quantization, uint8_t* storage);
// The quantized real values (what the int8 arithmetic sees), for float simulations and tests.
float fakeQuantize(float value, const ActivationQuantization& quantization);
// fakeQuantize on every value, vectorised and in parallel (the same results).
void fakeQuantizeInPlace(float* values, int64_t count, const ActivationQuantization& quantization);

}  // namespace qf

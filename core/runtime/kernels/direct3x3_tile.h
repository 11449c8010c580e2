#pragma once
// Shared by direct3x3.cpp and the AVX-512 file only: plain structs and raw pointers, so the
// ISA file instantiates nothing another file could pick up (see int8_gemm.h).
#include <cstdint>

namespace qf::kernels {

constexpr int64_t kDirectRows = 8;   // output channels per tile
constexpr int64_t kDirectCols = 32;  // output columns per tile (two zmm)

// One output row of up to 8 channels: out[r][ox] = bias[r] + Σ_ic Σ_taps w · padded. With
// twoRows (rows at most 16 wide), the tile's second vector is the next output row instead of
// columns 16-31, so narrow planes fill the tile too.
struct DirectRowTask {
    const float* padded;  // padded plane of input channel 0, at the row of output row oy
    int64_t plane, paddedW, inC;
    const float* weights;  // [ic][tap][8]
    const float* bias;     // validRows values, or null
    int64_t validRows, outW;
    bool twoRows;
    bool secondRowValid;  // with twoRows: the next output row exists
    float* out;           // channel 0 of the block, row oy
    int64_t outPlane;
};

void direct3x3RowAvx512(const DirectRowTask& task);

}  // namespace qf::kernels

#pragma once
// Int8 GEMM for the quantized convolutions: int32 C = A (int8 weights) x B (uint8 activations),
// exact in every kernel. The weights are packed once per layer; B, typically an im2col matrix,
// is packed per call, one column panel at a time inside the worker threads.
#include <cstdint>
#include <vector>

namespace qf {

// int32 C[m][n] = sum_k A[m][k] * B[k][n]: A are int8 weights in [-127, 127] (-128 is computed
// exactly too) stored row-major rows x depth; B are uint8 activations, row-major depth x cols.
// Signed activations are fed shifted by +128 by the caller, who subtracts 128 * rowSums[m].
struct PackedInt8Weights {
    int64_t rows = 0, depth = 0;
    std::vector<int8_t> data;      // layout private to the kernels, see int8_detail
    std::vector<int32_t> rowSums;  // sum_k A[m][k], for the +128 compensation
};

// Throws qf::Error on negative sizes or a depth whose int32 sums could overflow (> 65793).
PackedInt8Weights packInt8Weights(const int8_t* weights, int64_t rows, int64_t depth);

enum class Int8Kernel { Reference, Avx2, Avx512Vnni };

// The fastest kernel this CPU runs, detected once with __builtin_cpu_supports.
Int8Kernel bestInt8Kernel();
const char* int8KernelName(Int8Kernel kernel);
bool int8KernelAvailable(Int8Kernel kernel);

// C must hold rows * cols int32 (row-major). Parallel (runtime/parallel.h) over column panels (and row
// blocks when there are few panels). Throws qf::Error for a kernel this CPU lacks.
void int8Gemm(const PackedInt8Weights& a, const uint8_t* b, int64_t cols, int32_t* c,
              Int8Kernel kernel = bestInt8Kernel());

// Shared by int8_gemm.cpp and the per-ISA kernel files only.
//
// Packed weights: rows are grouped in panels of kPanelRows (the last one zero-padded) and depth
// in quads of 4 (the last one zero-padded); panel p, quad q, row r of the panel holds
// A[p * kPanelRows + r][4q .. 4q + 3] at data[((p * quads + q) * kPanelRows + r) * 4], so a
// kernel reads one row's quad, or the quads of consecutive rows, with a single load.
// B is packed per call, one panel of columns at a time, in a layout of each kernel's own.
//
// The ISA files are compiled with -mavx2 / -mavx512*: they must not instantiate templates or
// inline functions shared with other files (the linker could keep their AVX copy for everyone),
// hence plain structs and raw pointers here.
namespace int8_detail {

constexpr int64_t kPanelRows = 8;
constexpr int64_t kQuad = 4;

// Columns [colBegin, colBegin + width) of B (zero past cols) into `panel`.
struct PackTask {
    const uint8_t* b;
    int64_t depth, cols;
    int64_t colBegin, width;
    uint8_t* panel;  // 64-byte aligned
};

// Rows [rowBegin, rowEnd) of C times one packed B panel.
struct PanelTask {
    const int8_t* weights;  // PackedInt8Weights::data
    int64_t quads;
    int64_t rowBegin, rowEnd;  // rowBegin is a multiple of kPanelRows
    const uint8_t* panel;
    int64_t width;      // the kernel's panel width, or half of it on a narrow tail panel
    int64_t validCols;  // <= width
    int32_t* c;         // C[rowBegin][first column of the panel]
    int64_t ldc;
};

// Each kernel's panel: kXxxPanelCols columns (or half as many), kXxxPanelBytes bytes per column
// and quad.
constexpr int64_t kAvx2PanelCols = 16;
constexpr int64_t kAvx2PanelBytes = 8;
void packPanelAvx2(const PackTask& task);
void runPanelAvx2(const PanelTask& task);

constexpr int64_t kAvx512VnniPanelCols = 32;
constexpr int64_t kAvx512VnniPanelBytes = 4;
void packPanelAvx512Vnni(const PackTask& task);
void runPanelAvx512Vnni(const PanelTask& task);

}  // namespace int8_detail
}  // namespace qf

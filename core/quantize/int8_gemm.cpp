// Int8 GEMM: weight packing, the reference kernel, threading and the run-time choice of kernel.
// The SIMD kernels (B packing and tiles) live in one file per ISA, compiled with that ISA's flags
// and only called once the CPU is known to support it; this file stays at the x86-64 baseline.
#include "quantize/int8_gemm.h"

#include <algorithm>
#include <cstdint>
#include <string>

#include "runtime/kernels/scratch.h"
#include "runtime/parallel.h"
#include "util/error.h"

namespace qf {
namespace {

using int8_detail::kPanelRows;
using int8_detail::kQuad;

struct SimdKernel {
    int64_t panelCols;
    int64_t panelBytes;  // per column and quad
    void (*pack)(const int8_detail::PackTask&);
    void (*run)(const int8_detail::PanelTask&);
    // Below this many multiply-adds (20-30 us of work) a second thread costs more than it
    // saves, measured on a 2-core Sapphire Rapids.
    int64_t parallelMinMacs;
};

constexpr SimdKernel kAvx2{int8_detail::kAvx2PanelCols, int8_detail::kAvx2PanelBytes,
                           int8_detail::packPanelAvx2, int8_detail::runPanelAvx2, int64_t{1} << 21};
constexpr SimdKernel kAvx512Vnni{
    int8_detail::kAvx512VnniPanelCols, int8_detail::kAvx512VnniPanelBytes,
    int8_detail::packPanelAvx512Vnni, int8_detail::runPanelAvx512Vnni, int64_t{6} << 20};

// The largest depth whose sums stay within int32 for any uint8 x int8 operands.
constexpr int64_t kMaxDepth = INT32_MAX / (255 * 128);
// The reference kernel's parallelMinMacs (see SimdKernel).
constexpr int64_t kReferenceParallelMinMacs = int64_t{1} << 18;

int64_t ceilDiv(int64_t value, int64_t divisor) { return (value + divisor - 1) / divisor; }

int64_t quadsOf(int64_t depth) { return ceilDiv(depth, kQuad); }

size_t packedSize(int64_t rows, int64_t depth) {
    return static_cast<size_t>(ceilDiv(rows, kPanelRows) * kPanelRows * quadsOf(depth) * kQuad);
}

int64_t packedIndex(int64_t row, int64_t k, int64_t quads) {
    const int64_t panel = row / kPanelRows, rowInPanel = row % kPanelRows;
    return ((panel * quads + k / kQuad) * kPanelRows + rowInPanel) * kQuad + k % kQuad;
}

bool cpuSupportsAvx2() {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2");
}

bool cpuSupportsAvx512Vnni() {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
           __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512vnni");
}

void referenceGemm(const PackedInt8Weights& a, const uint8_t* b, int64_t cols, int32_t* c) {
    const int64_t quads = quadsOf(a.depth);
    parallelFor(a.rows, a.rows * a.depth * cols >= kReferenceParallelMinMacs,
                [&](int64_t mBegin, int64_t mEnd) {
                    for (int64_t m = mBegin; m < mEnd; ++m) {
                        int32_t* cRow = c + m * cols;
                        std::fill(cRow, cRow + cols, 0);
                        for (int64_t k = 0; k < a.depth; ++k) {
                            const int32_t weight = a.data[packedIndex(m, k, quads)];
                            const uint8_t* bRow = b + k * cols;
                            for (int64_t n = 0; n < cols; ++n) cRow[n] += weight * int32_t{bRow[n]};
                        }
                    }
                });
}

// One packed B panel, written before it is read, 64-byte aligned so each quad row of the panel
// fills whole cache lines.
uint8_t* aligned64(uint8_t* storage) {
    const auto misalignment = reinterpret_cast<uintptr_t>(storage) % 64;
    return storage + (misalignment ? 64 - misalignment : 0);
}

// Few column panels (deep layers have small images) leave threads idle or unbalanced; those
// calls also split the rows, at the price of packing a panel once per row block. At most
// rowPanels blocks, so none is empty.
int64_t rowBlocksFor(int64_t colPanels, int64_t rowPanels, int threads) {
    if (threads <= 1) return 1;
    for (int64_t blocks = 1; blocks < rowPanels; ++blocks) {
        const int64_t tasks = colPanels * blocks;
        if (tasks % threads == 0 || tasks >= 8 * threads) return blocks;
    }
    return std::max<int64_t>(rowPanels, 1);
}

void simdGemm(const PackedInt8Weights& a, const uint8_t* b, int64_t cols, int32_t* c,
              const SimdKernel& kernel) {
    const int64_t quads = quadsOf(a.depth);
    const int64_t colPanels = ceilDiv(cols, kernel.panelCols);
    const int64_t rowPanels = ceilDiv(a.rows, kPanelRows);
    const bool parallel = a.rows * a.depth * cols >= kernel.parallelMinMacs;
    const int64_t rowBlocks = rowBlocksFor(colPanels, rowPanels, parallel ? currentThreads() : 1);
    const int64_t tasks = colPanels * rowBlocks;

    // Column-panel major, in contiguous runs of tasks: a thread's consecutive tasks share a
    // packed panel.
    parallelFor(tasks, parallel && tasks > 1, [&](int64_t taskBegin, int64_t taskEnd) {
        // Each thread's own buffer, kept across calls so its pages are touched once (slot 2:
        // an int8 conv on this thread holds slots 0 and 1).
        const kernels::Scratch<uint8_t, 2> storage(
            static_cast<size_t>(quads * kernel.panelCols * kernel.panelBytes) + 64);
        uint8_t* const panel = aligned64(storage.data());
        int64_t packedColPanel = -1;
        for (int64_t task = taskBegin; task < taskEnd; ++task) {
            const int64_t colPanel = task / rowBlocks, rowBlock = task % rowBlocks;
            const int64_t colBegin = colPanel * kernel.panelCols;
            const int64_t validCols = std::min(kernel.panelCols, cols - colBegin);
            const int64_t width =
                validCols <= kernel.panelCols / 2 ? kernel.panelCols / 2 : kernel.panelCols;
            const int64_t rowBegin = rowBlock * rowPanels / rowBlocks * kPanelRows;
            const int64_t rowEnd =
                std::min(a.rows, (rowBlock + 1) * rowPanels / rowBlocks * kPanelRows);
            if (colPanel != packedColPanel) {
                kernel.pack({b, a.depth, cols, colBegin, width, panel});
                packedColPanel = colPanel;
            }
            kernel.run({a.data.data(), quads, rowBegin, rowEnd, panel, width, validCols,
                        c + rowBegin * cols + colBegin, cols});
        }
    });
}

}  // namespace

PackedInt8Weights packInt8Weights(const int8_t* weights, int64_t rows, int64_t depth) {
    if (rows < 0 || depth < 0)
        throw Error("int8 GEMM: invalid weight matrix " + std::to_string(rows) + " x " +
                    std::to_string(depth));
    if (depth > kMaxDepth)
        throw Error("int8 GEMM: depth " + std::to_string(depth) + " exceeds " +
                    std::to_string(kMaxDepth) + ", int32 sums could overflow");
    if (!weights && rows * depth > 0) throw Error("int8 GEMM: no weight data");
    PackedInt8Weights packed;
    packed.rows = rows;
    packed.depth = depth;
    const int64_t quads = quadsOf(depth);
    packed.data.assign(packedSize(rows, depth), 0);
    packed.rowSums.assign(static_cast<size_t>(rows), 0);
    for (int64_t m = 0; m < rows; ++m) {
        for (int64_t k = 0; k < depth; ++k) {
            const int8_t weight = weights[m * depth + k];
            packed.data[packedIndex(m, k, quads)] = weight;
            packed.rowSums[m] += weight;
        }
    }
    return packed;
}

Int8Kernel bestInt8Kernel() {
    static const Int8Kernel best = cpuSupportsAvx512Vnni() ? Int8Kernel::Avx512Vnni
                                   : cpuSupportsAvx2()     ? Int8Kernel::Avx2
                                                           : Int8Kernel::Reference;
    return best;
}

const char* int8KernelName(Int8Kernel kernel) {
    switch (kernel) {
        case Int8Kernel::Reference:
            return "reference";
        case Int8Kernel::Avx2:
            return "avx2";
        case Int8Kernel::Avx512Vnni:
            return "avx512-vnni";
    }
    return "unknown";
}

bool int8KernelAvailable(Int8Kernel kernel) {
    static const bool avx2 = cpuSupportsAvx2();
    static const bool avx512Vnni = cpuSupportsAvx512Vnni();
    switch (kernel) {
        case Int8Kernel::Reference:
            return true;
        case Int8Kernel::Avx2:
            return avx2;
        case Int8Kernel::Avx512Vnni:
            return avx512Vnni;
    }
    return false;
}

void int8Gemm(const PackedInt8Weights& a, const uint8_t* b, int64_t cols, int32_t* c,
              Int8Kernel kernel) {
    if (!int8KernelAvailable(kernel))
        throw Error(std::string("int8 GEMM: kernel ") + int8KernelName(kernel) +
                    " is not supported by this CPU");
    if (cols < 0 || a.rows < 0 || a.depth < 0 || a.data.size() != packedSize(a.rows, a.depth))
        throw Error("int8 GEMM: weights not made by packInt8Weights or invalid column count " +
                    std::to_string(cols));
    if (a.rows == 0 || cols == 0) return;
    if (!c || (!b && a.depth > 0)) throw Error("int8 GEMM: missing activation or output buffer");
    if (a.depth == 0) {
        std::fill(c, c + a.rows * cols, 0);
        return;
    }
    switch (kernel) {
        case Int8Kernel::Reference:
            referenceGemm(a, b, cols, c);
            break;
        case Int8Kernel::Avx2:
            simdGemm(a, b, cols, c, kAvx2);
            break;
        case Int8Kernel::Avx512Vnni:
            simdGemm(a, b, cols, c, kAvx512Vnni);
            break;
    }
}

}  // namespace qf

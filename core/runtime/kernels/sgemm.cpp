#include "runtime/kernels/sgemm.h"

#include <Eigen/Core>

#include "runtime/parallel.h"

namespace qf::kernels {

void sgemmBaseline(const SgemmBlock& block) {
    const auto [transA, transB, m, n, k, a, lda, b, ldb, c, ldc, accumulate] = block;
#include "runtime/kernels/sgemm_body.inc"
}

namespace {

// Below this many multiply-adds a second thread costs more than it saves.
constexpr int64_t kParallelMinMacs = int64_t{1} << 18;
constexpr int64_t kColumnStep = 16, kRowStep = 8;  // SIMD-friendly block edges

}  // namespace

SgemmKernel sgemmKernel() {
    static const SgemmKernel best = [] {
        const bool avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
        if (avx2 && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") &&
            __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512bw"))
            return SgemmKernel::Avx512;
        return avx2 ? SgemmKernel::Avx2 : SgemmKernel::Baseline;
    }();
    return best;
}

const char* sgemmKernelName(SgemmKernel kernel) {
    switch (kernel) {
        case SgemmKernel::Avx512:
            return "avx512";
        case SgemmKernel::Avx2:
            return "avx2";
        case SgemmKernel::Baseline:
            break;
    }
    return "baseline";
}

namespace {

void splitSgemm(bool transA, bool transB, int64_t m, int64_t n, int64_t k, const float* a,
                const float* b, float* c, bool accumulate) {
    static const auto run = [] {
        switch (sgemmKernel()) {
            case SgemmKernel::Avx512:
                return sgemmAvx512;
            case SgemmKernel::Avx2:
                return sgemmAvx2;
            case SgemmKernel::Baseline:
                break;
        }
        return sgemmBaseline;
    }();
    const SgemmBlock whole{transA, transB,         m, n, k,         a, transA ? m : k,
                           b,      transB ? k : n, c, n, accumulate};
    const int threads = currentThreads();
    const bool parallel = threads > 1 && m * n * k >= kParallelMinMacs;
    if (!parallel) {
        run(whole);
        return;
    }
    // One block per thread: each Eigen call packs its share of the operands once.
    if (n >= m) {
        const int64_t steps = (n + kColumnStep - 1) / kColumnStep;
        parallelFor(
            steps, true,
            [&](int64_t begin, int64_t end) {
                SgemmBlock block = whole;
                const int64_t first = begin * kColumnStep;
                block.n = std::min(n, end * kColumnStep) - first;
                block.b = b + (transB ? first * whole.ldb : first);
                block.c = c + first;
                run(block);
            },
            threads);
    } else {
        const int64_t steps = (m + kRowStep - 1) / kRowStep;
        parallelFor(
            steps, true,
            [&](int64_t begin, int64_t end) {
                SgemmBlock block = whole;
                const int64_t first = begin * kRowStep;
                block.m = std::min(m, end * kRowStep) - first;
                block.a = a + (transA ? first : first * whole.lda);
                block.c = c + first * whole.ldc;
                run(block);
            },
            threads);
    }
}

}  // namespace

void sgemm(bool transA, bool transB, int64_t m, int64_t n, int64_t k, const float* a,
           const float* b, float* c) {
    splitSgemm(transA, transB, m, n, k, a, b, c, false);
}

void sgemmAccumulate(bool transA, bool transB, int64_t m, int64_t n, int64_t k, const float* a,
                     const float* b, float* c) {
    splitSgemm(transA, transB, m, n, k, a, b, c, true);
}

}  // namespace qf::kernels

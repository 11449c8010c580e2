#pragma once
#include <cstdint>

namespace qf::kernels {

// Row-major float GEMM: C (m x n) = op(A) (m x k) * op(B) (k x n), op transposing when asked
// (A then stored k x m, B stored n x k). Runs Eigen compiled for AVX-512 (sgemm_avx512.cpp) or
// for AVX2 + FMA (sgemm_avx2.cpp), the widest the CPU has, else Eigen for the baseline ISA; large
// products are split over the run's threads (runtime/parallel.h) by columns of C, or by rows when C
// is tall and narrow.
void sgemm(bool transA, bool transB, int64_t m, int64_t n, int64_t k, const float* a,
           const float* b, float* c);
// C += op(A) * op(B): C holds a start value (a convolution's bias), split as sgemm() is.
void sgemmAccumulate(bool transA, bool transB, int64_t m, int64_t n, int64_t k, const float* a,
                     const float* b, float* c);

// The single-threaded builds on blocks of larger matrices (leading dimensions lda, ldb, ldc);
// sgemm() picks one (sgemmKernel() says which).
struct SgemmBlock {
    bool transA, transB;
    int64_t m, n, k;
    const float* a;
    int64_t lda;
    const float* b;
    int64_t ldb;
    float* c;
    int64_t ldc;
    bool accumulate = false;  // C += op(A) * op(B) instead of C = op(A) * op(B)
};
void sgemmBaseline(const SgemmBlock& block);
void sgemmAvx2(const SgemmBlock& block);
void sgemmAvx512(const SgemmBlock& block);  // AVX-512 F, DQ, VL, BW and FMA

enum class SgemmKernel { Baseline, Avx2, Avx512 };
SgemmKernel sgemmKernel();  // the build sgemm() runs on this CPU
const char* sgemmKernelName(SgemmKernel kernel);

}  // namespace qf::kernels

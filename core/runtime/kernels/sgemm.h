#pragma once
#include <cstdint>

namespace qf::kernels {

// Row-major float GEMM: C (m x n) = op(A) (m x k) * op(B) (k x n), op transposing when asked
// (A then stored k x m, B stored n x k). Runs Eigen compiled for AVX2 + FMA when the CPU has
// them (sgemm_avx2.cpp), else Eigen for the baseline ISA.
void sgemm(bool transA, bool transB, int64_t m, int64_t n, int64_t k, const float* a,
           const float* b, float* c);

// The two builds; sgemm() picks one.
void sgemmBaseline(bool transA, bool transB, int64_t m, int64_t n, int64_t k, const float* a,
                   const float* b, float* c);
void sgemmAvx2(bool transA, bool transB, int64_t m, int64_t n, int64_t k, const float* a,
               const float* b, float* c);

}  // namespace qf::kernels

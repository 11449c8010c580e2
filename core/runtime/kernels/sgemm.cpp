#include "runtime/kernels/sgemm.h"

#include <Eigen/Core>

namespace qf::kernels {

void sgemmBaseline(bool transA, bool transB, int64_t m, int64_t n, int64_t k, const float* a,
                   const float* b, float* c) {
#include "runtime/kernels/sgemm_body.inc"
}

void sgemm(bool transA, bool transB, int64_t m, int64_t n, int64_t k, const float* a,
           const float* b, float* c) {
    static const bool avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    if (avx2)
        sgemmAvx2(transA, transB, m, n, k, a, b, c);
    else
        sgemmBaseline(transA, transB, m, n, k, a, b, c);
}

}  // namespace qf::kernels

// Compiled with AVX-512 F/DQ/VL/BW + FMA (core/CMakeLists.txt) and called only on CPUs that have
// them. Eigen is renamed here for the reason sgemm_avx2.cpp gives: its template instances must
// not be shared with the other builds.
#define Eigen QuantFoldEigenAvx512
#include <Eigen/Core>
#undef Eigen

#include "runtime/kernels/sgemm.h"

namespace qf::kernels {

void sgemmAvx512(const SgemmBlock& block) {
    namespace Eigen = ::QuantFoldEigenAvx512;
    const auto [transA, transB, m, n, k, a, lda, b, ldb, c, ldc, accumulate] = block;
#include "runtime/kernels/sgemm_body.inc"
}

}  // namespace qf::kernels

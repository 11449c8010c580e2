// Compiled with -mavx2 -mfma (core/CMakeLists.txt) and called only on CPUs that have them.
// Eigen is renamed in this file so its template instances get their own symbols: otherwise
// the linker could keep these AVX2 copies for the baseline build too, and crash older CPUs.
#define Eigen QuantFoldEigenAvx2
#include <Eigen/Core>
#undef Eigen

#include "runtime/kernels/sgemm.h"

namespace qf::kernels {

void sgemmAvx2(const SgemmBlock& block) {
    namespace Eigen = ::QuantFoldEigenAvx2;
    const auto [transA, transB, m, n, k, a, lda, b, ldb, c, ldc, accumulate] = block;
#include "runtime/kernels/sgemm_body.inc"
}

}  // namespace qf::kernels

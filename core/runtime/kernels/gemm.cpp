// Gemm (also Caffe's InnerProduct, which flattens its input from `axis`) and numpy MatMul.
#include <algorithm>

#include "runtime/kernels/kernels.h"
#include "runtime/kernels/sgemm.h"

namespace qf::kernels {
void gemm(const Node& node, const std::vector<const Tensor*>& inputs,
          std::vector<Tensor>& outputs) {
    const Tensor& a = requireInput(node, inputs, 0);
    const Tensor& b = requireInput(node, inputs, 1);
    const Tensor* c = inputs.size() > 2 ? inputs[2] : nullptr;
    if (b.rank() != 2) kernelError(node, "B must be 2-D, got " + shapeToString(b.shape));
    int64_t axis = node.attrInt("axis", 1);
    if (axis < 0) axis += a.rank();
    if (a.rank() < 2 && !node.has("axis"))
        kernelError(node, "A must be 2-D, got " + shapeToString(a.shape));
    int64_t rows = 1;
    for (int64_t k = 0; k < axis; ++k) rows *= a.shape[k];
    const int64_t cols = a.numel() / std::max<int64_t>(rows, 1);
    const bool transA = node.attrInt("transA", 0) != 0;
    const bool transB = node.attrInt("transB", 0) != 0;
    const int64_t m = transA ? cols : rows;
    const int64_t inner = transA ? rows : cols;
    const int64_t n = transB ? b.shape[0] : b.shape[1];
    if ((transB ? b.shape[1] : b.shape[0]) != inner)
        kernelError(node, "A " + shapeToString(a.shape) + " and B " + shapeToString(b.shape) +
                              " cannot be multiplied");
    const float alpha = node.attrFloat("alpha", 1.0f);
    const float beta = node.attrFloat("beta", 1.0f);
    Tensor& y = outputs[0];
    if (shapeOnly(inputs, y, {m, n}, DataType::Float32)) return;
    y = Tensor::floats({m, n});
    sgemm(transA, transB, m, n, inner, a.f.data(), b.f.data(), y.f.data());
    if (alpha != 1.0f)
        for (auto& v : y.f) v *= alpha;
    if (c && beta != 0.0f) {
        // C broadcasts to [m, n]: a scalar, a row [n], a column [m, 1] or the full matrix.
        const int64_t cRows = c->rank() == 2 ? c->shape[0] : 1;
        const int64_t cCols = c->rank() >= 1 ? c->shape[c->rank() - 1] : 1;
        if ((cRows != 1 && cRows != m) || (cCols != 1 && cCols != n))
            kernelError(node, "C " + shapeToString(c->shape) + " does not broadcast to [" +
                                  std::to_string(m) + "x" + std::to_string(n) + "]");
        for (int64_t i = 0; i < m; ++i)
            for (int64_t j = 0; j < n; ++j)
                y.f[i * n + j] += beta * c->f[(cRows == 1 ? 0 : i) * cCols + (cCols == 1 ? 0 : j)];
    }
}

void matMul(const Node& node, const std::vector<const Tensor*>& inputs,
            std::vector<Tensor>& outputs) {
    const Tensor& a = requireInput(node, inputs, 0);
    const Tensor& b = requireInput(node, inputs, 1);
    if (a.rank() < 1 || b.rank() < 1) kernelError(node, "inputs must have rank 1 or more");
    // numpy semantics: 1-D operands are promoted to matrices and the added axis dropped again.
    Shape shapeA = a.shape, shapeB = b.shape;
    if (a.rank() == 1) shapeA.insert(shapeA.begin(), 1);
    if (b.rank() == 1) shapeB.push_back(1);
    const int64_t m = shapeA[shapeA.size() - 2], k = shapeA.back();
    const int64_t n = shapeB.back();
    if (shapeB[shapeB.size() - 2] != k)
        kernelError(node, shapeToString(a.shape) + " and " + shapeToString(b.shape) +
                              " cannot be multiplied");
    const size_t batchRank = std::max(shapeA.size(), shapeB.size()) - 2;
    Shape batchA(batchRank, 1), batchB(batchRank, 1), batch(batchRank, 1);
    std::copy(shapeA.begin(), shapeA.end() - 2, batchA.end() - (shapeA.size() - 2));
    std::copy(shapeB.begin(), shapeB.end() - 2, batchB.end() - (shapeB.size() - 2));
    for (size_t d = 0; d < batchRank; ++d) {
        if (batchA[d] != batchB[d] && batchA[d] != 1 && batchB[d] != 1)
            kernelError(node, "batch axes of " + shapeToString(a.shape) + " and " +
                                  shapeToString(b.shape) + " do not broadcast");
        batch[d] = std::max(batchA[d], batchB[d]);
    }
    Shape outShape = batch;
    if (a.rank() > 1) outShape.push_back(m);
    if (b.rank() > 1) outShape.push_back(n);
    Tensor& y = outputs[0];
    if (shapeOnly(inputs, y, outShape, DataType::Float32)) return;
    y = Tensor::floats(outShape);
    const int64_t batches = shapeNumel(batch);
    for (int64_t index = 0; index < batches; ++index) {
        int64_t offsetA = 0, offsetB = 0, rest = index, strideA = 1, strideB = 1;
        for (size_t d = batchRank; d-- > 0;) {
            const int64_t coord = rest % batch[d];
            rest /= batch[d];
            offsetA += (batchA[d] == 1 ? 0 : coord) * strideA;
            offsetB += (batchB[d] == 1 ? 0 : coord) * strideB;
            strideA *= batchA[d];
            strideB *= batchB[d];
        }
        sgemm(false, false, m, n, k, a.f.data() + offsetA * m * k, b.f.data() + offsetB * k * n,
              y.f.data() + index * m * n);
    }
}

}  // namespace qf::kernels

// Softmax along one axis (ONNX 13+), or over the whole trailing block from `axis` on when the
// importer marked an older opset with coerce_2d = 1.
#include <algorithm>
#include <cmath>
#include <vector>

#include "runtime/kernels/kernel_helpers.h"
#include "runtime/kernels/kernels.h"
#include "runtime/parallel.h"

namespace qf::kernels {
namespace {

// Softmax of a contiguous row.
void softmaxRow(const float* in, float* out, int64_t n) {
    const float peak = *std::max_element(in, in + n);
    float total = 0.0f;
    for (int64_t j = 0; j < n; ++j) {
        out[j] = std::exp(in[j] - peak);
        total += out[j];
    }
    const float scale = 1.0f / total;
    for (int64_t j = 0; j < n; ++j) out[j] *= scale;
}

// Softmax along a strided axis for the columns [begin, end) of one [len, inner] block: the
// columns are walked together so every read stays sequential (channel softmax on NCHW).
void softmaxColumns(const float* in, float* out, int64_t len, int64_t inner, int64_t begin,
                    int64_t end) {
    const int64_t width = end - begin;
    std::vector<float> peak(in + begin, in + end), total(static_cast<size_t>(width), 0.0f);
    for (int64_t k = 1; k < len; ++k) {
        const float* row = in + k * inner + begin;
        for (int64_t j = 0; j < width; ++j) peak[j] = std::max(peak[j], row[j]);
    }
    for (int64_t k = 0; k < len; ++k) {
        const float* row = in + k * inner + begin;
        float* target = out + k * inner + begin;
        for (int64_t j = 0; j < width; ++j) {
            target[j] = std::exp(row[j] - peak[j]);
            total[j] += target[j];
        }
    }
    for (float& t : total) t = 1.0f / t;
    for (int64_t k = 0; k < len; ++k) {
        float* target = out + k * inner + begin;
        for (int64_t j = 0; j < width; ++j) target[j] *= total[j];
    }
}

}  // namespace

void softmax(const Node& node, const std::vector<const Tensor*>& inputs,
             std::vector<Tensor>& outputs) {
    const Tensor& x = requireInput(node, inputs, 0);
    if (!x.isFloat()) kernelError(node, "expects a float input");
    if (x.rank() == 0) kernelError(node, "expects an input of rank 1 or more");
    const int axis = normalizeAxis(node, node.attrInt("axis", -1), x.rank());
    const bool coerce2d = node.attrInt("coerce_2d", 0) != 0;
    const int64_t outer = product(x.shape, 0, static_cast<size_t>(axis));
    const int64_t len = coerce2d ? product(x.shape, static_cast<size_t>(axis), x.shape.size())
                                 : x.shape[static_cast<size_t>(axis)];
    const int64_t inner =
        coerce2d ? 1 : product(x.shape, static_cast<size_t>(axis) + 1, x.shape.size());

    Tensor& y = outputs[0];
    if (shapeOnly(inputs, y, x.shape, x.dtype)) return;
    y = makeTensor(x.dtype, x.shape);
    if (x.numel() == 0) return;
    const float* in = x.f.data();
    float* out = y.f.data();
    const bool parallel = x.numel() >= (1 << 15);
    if (inner == 1) {
        parallelFor(outer, parallel, [&](int64_t rowBegin, int64_t rowEnd) {
            for (int64_t row = rowBegin; row < rowEnd; ++row) {
                softmaxRow(in + row * len, out + row * len, len);
            }
        });
        return;
    }
    constexpr int64_t kColumns = 1024;
    const int64_t chunks = (inner + kColumns - 1) / kColumns;
    parallelFor(outer * chunks, parallel, [&](int64_t taskBegin, int64_t taskEnd) {
        for (int64_t task = taskBegin; task < taskEnd; ++task) {
            const int64_t block = task / chunks, begin = (task % chunks) * kColumns;
            softmaxColumns(in + block * len * inner, out + block * len * inner, len, inner, begin,
                           std::min(begin + kColumns, inner));
        }
    });
}

}  // namespace qf::kernels

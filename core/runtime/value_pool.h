#pragma once
// Float buffers of tensors an executor run has finished with, kept (one pool for the process,
// shared by every thread) for the next tensors a kernel makes. Most of a run's outputs are written
// over entirely (a convolution, an activation, a pooling), so zeroing their storage first, and
// taking it fresh from the allocator each time, only costs memory bandwidth: at 224² a MobileNetV2
// run spent a sixth of its time zeroing outputs. A recycled buffer is also likely still in cache.
#include <cstddef>
#include <vector>

#include "graph/tensor.h"

namespace qf {

// A Float32 tensor of `shape` whose values are unspecified (recycled, or zero when the pool has
// no buffer large enough): only for kernels that write every value. Throws TensorTooLarge as
// Tensor::floats does.
Tensor floatsToOverwrite(Shape shape);

// Hands a finished tensor's float storage to the pool (which keeps at most
// kValuePoolBytes, dropping what does not fit) and leaves the tensor empty.
void recycleValues(Tensor& tensor);

inline constexpr size_t kValuePoolBytes = size_t{64} << 20;
inline constexpr size_t kValuePoolBuffers = 256;

// What this process's pool holds (for tests).
size_t valuePoolBuffers();
size_t valuePoolBytes();
void clearValuePool();

}  // namespace qf

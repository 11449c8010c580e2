#pragma once
#include <string>

#include "graph/tensor.h"

namespace qf {

// Writes a float tensor as a NumPy .npy file (format 1.0, little-endian float32), atomically.
void writeNpy(const std::string& path, const Tensor& tensor);

}  // namespace qf

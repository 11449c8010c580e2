#pragma once
#include <string>
#include <vector>

#include "graph/tensor.h"

namespace qf_tf {
class TensorProto;
}

namespace qf {

// A TensorFlow TensorProto as an IR tensor: `tensor_content` (raw little-endian bytes) or the
// typed `*_val` fields, where fewer values than the shape holds repeat the last one (a single
// value fills the tensor) as TensorFlow's Tensor::FromProto does. DT_QUINT8 reads as UInt8.
// Throws qf::Error starting with `where` for a type the IR cannot hold or a content whose size
// does not match the shape.
Tensor tensorFromTf(const qf_tf::TensorProto& proto, const std::string& where);

// The tensor as a TensorProto with its values in `tensor_content` (bit-identical floats).
// `quantized` writes UInt8 as DT_QUINT8 (what Dequantize reads).
void tensorToTf(const Tensor& tensor, qf_tf::TensorProto& proto, bool quantized = false);

// `t` with its axes permuted: axis k of the result is axis perm[k] of `t`.
Tensor transposedTensor(const Tensor& t, const std::vector<int>& perm);

}  // namespace qf

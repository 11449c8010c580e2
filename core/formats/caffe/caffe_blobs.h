#pragma once
#include <string>

#include "caffe.pb.h"
#include "graph/tensor.h"

namespace qf::caffe_format {

// The dims of a blob: `shape` when present, else the legacy num/channels/height/width with
// leading 1s dropped down to `legacyRank` (Caffe compares legacy blobs to its own shapes
// padded with leading 1s, so an InnerProduct's legacy [1, 1, N, K] is [N, K]). A negative
// legacyRank keeps all four legacy dims; a blob with neither form is a scalar, as in Caffe.
Shape blobShape(const caffe::BlobProto& blob, int legacyRank);

// The blob's values (`data`, or `double_data` narrowed) as a float tensor of blobShape().
// Throws qf::Error starting with `what` when the value count does not match the shape.
Tensor blobToTensor(const caffe::BlobProto& blob, int legacyRank, const std::string& what);

// Writes the values with a `shape` of the given dims (the modern form).
void tensorToBlob(const Tensor& tensor, const Shape& shape, caffe::BlobProto* blob);

}  // namespace qf::caffe_format

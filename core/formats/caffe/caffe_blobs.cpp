#include "formats/caffe/caffe_blobs.h"

#include "util/error.h"

namespace qf::caffe_format {

Shape blobShape(const caffe::BlobProto& blob, int legacyRank) {
    if (blob.has_shape()) return Shape(blob.shape().dim().begin(), blob.shape().dim().end());
    if (!blob.has_num() && !blob.has_channels() && !blob.has_height() && !blob.has_width())
        return {};
    Shape dims{blob.num(), blob.channels(), blob.height(), blob.width()};
    if (legacyRank < 0) return dims;
    while (static_cast<int>(dims.size()) > legacyRank && dims.front() == 1)
        dims.erase(dims.begin());
    return dims;
}

Tensor blobToTensor(const caffe::BlobProto& blob, int legacyRank, const std::string& what) {
    Tensor tensor;
    tensor.shape = blobShape(blob, legacyRank);
    if (blob.data_size() > 0 || blob.double_data_size() == 0) {
        tensor.f.assign(blob.data().begin(), blob.data().end());
    } else {
        tensor.f.reserve(static_cast<size_t>(blob.double_data_size()));
        for (const double value : blob.double_data()) tensor.f.push_back(static_cast<float>(value));
    }
    if (static_cast<int64_t>(tensor.f.size()) != tensor.numel())
        throw Error(what + " has " + std::to_string(tensor.f.size()) + " values for shape " +
                    shapeToString(tensor.shape));
    return tensor;
}

void tensorToBlob(const Tensor& tensor, const Shape& shape, caffe::BlobProto* blob) {
    if (!tensor.isFloat())
        throw Error(std::string("a Caffe blob holds floats, not ") + dataTypeName(tensor.dtype));
    if (shapeNumel(shape) != static_cast<int64_t>(tensor.f.size()))
        throw Error("cannot write " + std::to_string(tensor.f.size()) +
                    " values as a blob of shape " + shapeToString(shape));
    auto* dims = blob->mutable_shape();  // set even when empty: an empty shape is a scalar
    for (const int64_t dim : shape) dims->add_dim(dim);
    blob->mutable_data()->Add(tensor.f.begin(), tensor.f.end());
}

}  // namespace qf::caffe_format

// Conversion between qf_tf::TensorProto and the IR's Tensor.
#include "formats/tensorflow/tf_tensor.h"

#include <cstring>

#include "tf_graph.pb.h"
#include "util/error.h"

namespace qf {
namespace {

size_t elementSize(DataType type) {
    switch (type) {
        case DataType::Float64:
        case DataType::Int64:
            return 8;
        case DataType::Float32:
        case DataType::Int32:
            return 4;
        case DataType::Int8:
        case DataType::UInt8:
        case DataType::Bool:
            return 1;
    }
    return 4;
}

template <typename Stored, typename Target>
void fromBytes(const std::string& bytes, std::vector<Target>& out) {
    const size_t count = bytes.size() / sizeof(Stored);
    std::vector<Stored> values(count);
    if (count) std::memcpy(values.data(), bytes.data(), count * sizeof(Stored));
    out.assign(values.begin(), values.end());
}

template <typename Stored, typename Source>
std::string toBytes(const std::vector<Source>& values) {
    const std::vector<Stored> stored(values.begin(), values.end());
    std::string bytes(stored.size() * sizeof(Stored), '\0');
    if (!stored.empty()) std::memcpy(bytes.data(), stored.data(), bytes.size());
    return bytes;
}

// Typed values: as many as the shape holds, or fewer with the last one repeated.
template <typename Field, typename Target>
void fromValues(const Field& field, int64_t count, std::vector<Target>& out,
                const std::string& where) {
    const auto given = static_cast<int64_t>(field.size());
    if (given > count)
        throw Error(where + ": " + std::to_string(given) + " values for a shape of " +
                    std::to_string(count) + " elements");
    out.assign(field.begin(), field.end());
    out.resize(static_cast<size_t>(count), given ? out.back() : Target{});
}

}  // namespace

Tensor tensorFromTf(const qf_tf::TensorProto& proto, const std::string& where) {
    Tensor t;
    switch (proto.dtype()) {
        case qf_tf::DT_FLOAT:
            t.dtype = DataType::Float32;
            break;
        case qf_tf::DT_DOUBLE:
            t.dtype = DataType::Float64;
            break;
        case qf_tf::DT_INT32:
            t.dtype = DataType::Int32;
            break;
        case qf_tf::DT_INT64:
            t.dtype = DataType::Int64;
            break;
        case qf_tf::DT_INT8:
            t.dtype = DataType::Int8;
            break;
        case qf_tf::DT_UINT8:
        case qf_tf::DT_QUINT8:
            t.dtype = DataType::UInt8;
            break;
        case qf_tf::DT_BOOL:
            t.dtype = DataType::Bool;
            break;
        default:
            throw Error(where + ": tensor type " + qf_tf::DataType_Name(proto.dtype()) +
                        " is not supported");
    }
    for (const auto& dim : proto.tensor_shape().dim()) {
        if (dim.size() < 0)
            throw Error(where + ": a constant tensor cannot have an unknown dimension");
        t.shape.push_back(dim.size());
    }
    int64_t count = 0;
    try {  // before any byte count is computed from it
        count = allocatableNumel(t.shape);
    } catch (const TensorTooLarge& error) {
        throw Error(where + ": " + error.what());
    }
    if (!proto.tensor_content().empty()) {
        const std::string& bytes = proto.tensor_content();
        const auto expected = static_cast<size_t>(count) * elementSize(t.dtype);
        if (bytes.size() != expected)
            throw Error(where + ": tensor_content holds " + std::to_string(bytes.size()) +
                        " bytes, but shape " + shapeToString(t.shape) + " of " +
                        dataTypeName(t.dtype) + " needs " + std::to_string(expected));
        switch (t.dtype) {
            case DataType::Float32:
                fromBytes<float>(bytes, t.f);
                break;
            case DataType::Float64:
                fromBytes<double>(bytes, t.f);
                break;
            case DataType::Int32:
                fromBytes<int32_t>(bytes, t.i);
                break;
            case DataType::Int64:
                fromBytes<int64_t>(bytes, t.i);
                break;
            case DataType::Int8:
                fromBytes<int8_t>(bytes, t.i);
                break;
            case DataType::UInt8:
            case DataType::Bool:
                fromBytes<uint8_t>(bytes, t.i);
                break;
        }
        return t;
    }
    switch (t.dtype) {
        case DataType::Float32:
            fromValues(proto.float_val(), count, t.f, where);
            break;
        case DataType::Float64:
            fromValues(proto.double_val(), count, t.f, where);
            break;
        case DataType::Int64:
            fromValues(proto.int64_val(), count, t.i, where);
            break;
        case DataType::Bool:
            fromValues(proto.bool_val(), count, t.i, where);
            break;
        default:  // int32, int8, uint8 and quint8 all travel in int_val
            fromValues(proto.int_val(), count, t.i, where);
            break;
    }
    return t;
}

Tensor transposedTensor(const Tensor& t, const std::vector<int>& perm) {
    Tensor out;
    out.dtype = t.dtype;
    const int rank = t.rank();
    for (int k = 0; k < rank; ++k) out.shape.push_back(t.shape[static_cast<size_t>(perm[k])]);
    std::vector<int64_t> inStrides(static_cast<size_t>(rank), 1);
    for (int k = rank - 2; k >= 0; --k) inStrides[k] = inStrides[k + 1] * t.shape[k + 1];
    const int64_t count = t.numel();
    if (t.isFloat())
        out.f.resize(static_cast<size_t>(count));
    else
        out.i.resize(static_cast<size_t>(count));
    std::vector<int64_t> index(static_cast<size_t>(rank), 0);
    for (int64_t n = 0; n < count; ++n) {
        int64_t source = 0;
        for (int k = 0; k < rank; ++k) source += index[k] * inStrides[perm[k]];
        if (t.isFloat())
            out.f[n] = t.f[source];
        else
            out.i[n] = t.i[source];
        for (int k = rank - 1; k >= 0; --k) {
            if (++index[k] < out.shape[k]) break;
            index[k] = 0;
        }
    }
    return out;
}

void tensorToTf(const Tensor& tensor, qf_tf::TensorProto& proto, bool quantized) {
    proto.Clear();
    auto* shape = proto.mutable_tensor_shape();
    for (const int64_t d : tensor.shape) shape->add_dim()->set_size(d);
    switch (tensor.dtype) {
        case DataType::Float32:
            proto.set_dtype(qf_tf::DT_FLOAT);
            proto.set_tensor_content(toBytes<float>(tensor.f));
            break;
        case DataType::Float64:
            proto.set_dtype(qf_tf::DT_DOUBLE);
            proto.set_tensor_content(toBytes<double>(tensor.f));
            break;
        case DataType::Int32:
            proto.set_dtype(qf_tf::DT_INT32);
            proto.set_tensor_content(toBytes<int32_t>(tensor.i));
            break;
        case DataType::Int64:
            proto.set_dtype(qf_tf::DT_INT64);
            proto.set_tensor_content(toBytes<int64_t>(tensor.i));
            break;
        case DataType::Int8:
            proto.set_dtype(qf_tf::DT_INT8);
            proto.set_tensor_content(toBytes<int8_t>(tensor.i));
            break;
        case DataType::UInt8:
            proto.set_dtype(quantized ? qf_tf::DT_QUINT8 : qf_tf::DT_UINT8);
            proto.set_tensor_content(toBytes<uint8_t>(tensor.i));
            break;
        case DataType::Bool:
            proto.set_dtype(qf_tf::DT_BOOL);
            proto.set_tensor_content(toBytes<uint8_t>(tensor.i));
            break;
    }
}

}  // namespace qf

// Conversion between onnx::TensorProto and the IR's Tensor. Floats travel as raw little-endian
// bytes both ways so weights stay bit-identical through a round trip.
#include <onnx/onnx_pb.h>

#include <cstring>

#include "formats/onnx/onnx_exporter.h"
#include "formats/onnx/onnx_importer.h"
#include "util/error.h"

namespace qf {
namespace {

template <typename Stored>
std::vector<Stored> rawValues(const std::string& raw, int64_t count, const std::string& where) {
    if (static_cast<int64_t>(raw.size()) != count * static_cast<int64_t>(sizeof(Stored)))
        throw Error(where + ": raw_data holds " + std::to_string(raw.size()) + " bytes, expected " +
                    std::to_string(count * static_cast<int64_t>(sizeof(Stored))));
    std::vector<Stored> values(static_cast<size_t>(count));
    if (count) std::memcpy(values.data(), raw.data(), raw.size());
    return values;
}

template <typename Stored>
std::vector<int64_t> widen(const std::vector<Stored>& values) {
    return std::vector<int64_t>(values.begin(), values.end());
}

}  // namespace

Tensor tensorFromOnnx(const onnx::TensorProto& proto, const std::string& where) {
    if (proto.data_location() == onnx::TensorProto::EXTERNAL)
        throw Error(where + ": tensor '" + proto.name() +
                    "' keeps its data in an external file, which is not supported");
    Tensor t;
    for (const auto d : proto.dims()) t.shape.push_back(d);
    const std::string context = where + ": tensor '" + proto.name() + "'";
    int64_t count = 0;
    try {  // before any byte count is computed from it
        count = allocatableNumel(t.shape);
    } catch (const TensorTooLarge& error) {
        throw Error(context + ": " + error.what());
    }
    const bool raw = proto.has_raw_data();
    auto checkCount = [&](int64_t given) {
        if (given != count)
            throw Error(context + " has " + std::to_string(given) + " values for shape " +
                        shapeToString(t.shape));
    };
    switch (proto.data_type()) {
        case onnx::TensorProto::FLOAT:
            t.dtype = DataType::Float32;
            if (raw) {
                t.f = rawValues<float>(proto.raw_data(), count, context);
            } else {
                t.f.assign(proto.float_data().begin(), proto.float_data().end());
                checkCount(static_cast<int64_t>(t.f.size()));
            }
            break;
        case onnx::TensorProto::DOUBLE: {
            t.dtype = DataType::Float64;
            std::vector<double> values =
                raw ? rawValues<double>(proto.raw_data(), count, context)
                    : std::vector<double>(proto.double_data().begin(), proto.double_data().end());
            checkCount(static_cast<int64_t>(values.size()));
            t.f.assign(values.begin(), values.end());
            break;
        }
        case onnx::TensorProto::INT64:
            t.dtype = DataType::Int64;
            if (raw) {
                t.i = rawValues<int64_t>(proto.raw_data(), count, context);
            } else {
                t.i.assign(proto.int64_data().begin(), proto.int64_data().end());
                checkCount(static_cast<int64_t>(t.i.size()));
            }
            break;
        case onnx::TensorProto::INT32:
            t.dtype = DataType::Int32;
            t.i = raw ? widen(rawValues<int32_t>(proto.raw_data(), count, context))
                      : std::vector<int64_t>(proto.int32_data().begin(), proto.int32_data().end());
            checkCount(static_cast<int64_t>(t.i.size()));
            break;
        case onnx::TensorProto::INT8:
        case onnx::TensorProto::UINT8:
        case onnx::TensorProto::BOOL:
            t.dtype = proto.data_type() == onnx::TensorProto::INT8    ? DataType::Int8
                      : proto.data_type() == onnx::TensorProto::UINT8 ? DataType::UInt8
                                                                      : DataType::Bool;
            if (raw && t.dtype == DataType::Int8)
                t.i = widen(rawValues<int8_t>(proto.raw_data(), count, context));
            else if (raw)
                t.i = widen(rawValues<uint8_t>(proto.raw_data(), count, context));
            else
                t.i.assign(proto.int32_data().begin(), proto.int32_data().end());
            checkCount(static_cast<int64_t>(t.i.size()));
            break;
        default:
            throw Error(context + " has element type " + std::to_string(proto.data_type()) +
                        ", which is not supported");
    }
    return t;
}

void tensorToOnnx(const Tensor& tensor, const std::string& name, onnx::TensorProto& proto) {
    proto.Clear();
    proto.set_name(name);
    for (const auto d : tensor.shape) proto.add_dims(d);
    auto setRaw = [&proto](const void* data, size_t bytes) {
        proto.set_raw_data(std::string(static_cast<const char*>(data), bytes));
    };
    switch (tensor.dtype) {
        case DataType::Float32:
            proto.set_data_type(onnx::TensorProto::FLOAT);
            setRaw(tensor.f.data(), tensor.f.size() * sizeof(float));
            break;
        case DataType::Float64: {
            proto.set_data_type(onnx::TensorProto::DOUBLE);
            const std::vector<double> values(tensor.f.begin(), tensor.f.end());
            setRaw(values.data(), values.size() * sizeof(double));
            break;
        }
        case DataType::Int64:
            proto.set_data_type(onnx::TensorProto::INT64);
            setRaw(tensor.i.data(), tensor.i.size() * sizeof(int64_t));
            break;
        case DataType::Int32: {
            proto.set_data_type(onnx::TensorProto::INT32);
            const std::vector<int32_t> values(tensor.i.begin(), tensor.i.end());
            setRaw(values.data(), values.size() * sizeof(int32_t));
            break;
        }
        case DataType::Int8: {
            proto.set_data_type(onnx::TensorProto::INT8);
            const std::vector<int8_t> values(tensor.i.begin(), tensor.i.end());
            setRaw(values.data(), values.size());
            break;
        }
        case DataType::UInt8:
        case DataType::Bool: {
            proto.set_data_type(tensor.dtype == DataType::Bool ? onnx::TensorProto::BOOL
                                                               : onnx::TensorProto::UINT8);
            const std::vector<uint8_t> values(tensor.i.begin(), tensor.i.end());
            setRaw(values.data(), values.size());
            break;
        }
    }
}

}  // namespace qf

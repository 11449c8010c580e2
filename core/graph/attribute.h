#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "graph/tensor.h"

namespace qf {

// A node attribute: one of the kinds ONNX and Caffe parameters reduce to.
struct Attribute {
    enum class Kind { Int, Float, String, Ints, Floats, Strings, Tensor };
    Kind kind = Kind::Int;
    int64_t i = 0;
    float f = 0.0f;
    std::string s;
    std::vector<int64_t> ints;
    std::vector<float> floats;
    std::vector<std::string> strings;
    qf::Tensor t;

    static Attribute ofInt(int64_t v);
    static Attribute ofFloat(float v);
    static Attribute ofString(std::string v);
    static Attribute ofInts(std::vector<int64_t> v);
    static Attribute ofFloats(std::vector<float> v);
    static Attribute ofStrings(std::vector<std::string> v);
    static Attribute ofTensor(qf::Tensor v);

    std::string toString() const;  // short, for the property panel and `info`
};

}  // namespace qf

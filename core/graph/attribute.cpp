#include "graph/attribute.h"

#include <sstream>

namespace qf {

Attribute Attribute::ofInt(int64_t v) {
    Attribute a;
    a.kind = Kind::Int;
    a.i = v;
    return a;
}
Attribute Attribute::ofFloat(float v) {
    Attribute a;
    a.kind = Kind::Float;
    a.f = v;
    return a;
}
Attribute Attribute::ofString(std::string v) {
    Attribute a;
    a.kind = Kind::String;
    a.s = std::move(v);
    return a;
}
Attribute Attribute::ofInts(std::vector<int64_t> v) {
    Attribute a;
    a.kind = Kind::Ints;
    a.ints = std::move(v);
    return a;
}
Attribute Attribute::ofFloats(std::vector<float> v) {
    Attribute a;
    a.kind = Kind::Floats;
    a.floats = std::move(v);
    return a;
}
Attribute Attribute::ofStrings(std::vector<std::string> v) {
    Attribute a;
    a.kind = Kind::Strings;
    a.strings = std::move(v);
    return a;
}
Attribute Attribute::ofTensor(qf::Tensor v) {
    Attribute a;
    a.kind = Kind::Tensor;
    a.t = std::move(v);
    return a;
}

std::string Attribute::toString() const {
    std::ostringstream out;
    auto list = [&out](const auto& values) {
        out << "[";
        for (size_t k = 0; k < values.size(); ++k) out << (k ? ", " : "") << values[k];
        out << "]";
    };
    switch (kind) {
        case Kind::Int:
            out << i;
            break;
        case Kind::Float:
            out << f;
            break;
        case Kind::String:
            out << s;
            break;
        case Kind::Ints:
            list(ints);
            break;
        case Kind::Floats:
            list(floats);
            break;
        case Kind::Strings:
            list(strings);
            break;
        case Kind::Tensor:
            out << "tensor " << dataTypeName(t.dtype) << shapeToString(t.shape);
            break;
    }
    return out.str();
}

}  // namespace qf

#pragma once
#include <string>
#include <vector>

#include "caffe.pb.h"
#include "util/diagnostic.h"

namespace qf::caffe_format {

struct PrototxtLayer {
    caffe::LayerParameter param;  // V1 `layers` upgraded to the current form
    std::string text;             // the `layer { ... }` block exactly as the file has it
    size_t begin = 0;             // where the block stands in the file text
    size_t end = 0;
};

struct Prototxt {
    caffe::NetParameter header;  // the net's own fields (name, input, ...), without layers
    std::vector<PrototxtLayer> layers;
    bool v1 = false;  // the file uses V1 `layers`
    // Fields the schema lacks, which the parser skipped (forked layers' parameters, typos):
    // warnings with file, line and column, and the field's name as message.
    Diagnostics unknownFields;
};

// Parses a deploy prototxt, tolerating the fields of forked layers the schema lacks.
// Throws qf::Error "<path>:<line>:<column>: <message>" (1-based, also as diagnostic fields) on a
// syntax error.
Prototxt readPrototxt(const std::string& text, const std::string& path);

// Parses one block as readPrototxt() slices it (`layer { ... }` or V1 `layers { ... }`).
caffe::LayerParameter parseLayerBlock(const std::string& block);

}  // namespace qf::caffe_format

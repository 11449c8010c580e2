#pragma once
#include <string>
#include <vector>

#include "caffe.pb.h"
#include "graph/graph.h"

namespace qf::caffe_format {

struct LayerBlock {
    std::string type;  // the Caffe type
    std::string text;  // `layer { ... }`
};

// Writes a node that has no usable prototxt text (a pass created it, or changed its op or
// attributes) as a Caffe layer, the inverse of graph/OPS.md. Throws qf::Error naming the node
// for ops or attributes Caffe cannot express.
LayerBlock layerFromNode(const Node& node, const Graph& graph,
                         const std::vector<std::string>& bottoms,
                         const std::vector<std::string>& tops);

// A LayerParameter as a `layer { ... }` block in protobuf's text format.
std::string layerBlockText(const caffe::LayerParameter& layer);

}  // namespace qf::caffe_format

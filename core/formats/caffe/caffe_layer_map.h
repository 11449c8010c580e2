#pragma once
#include <map>
#include <string>

#include "caffe.pb.h"
#include "graph/attribute.h"

namespace qf::caffe_format {

struct LayerOp {
    std::string op;
    std::map<std::string, Attribute> attrs;
};

// The IR op and attributes of a Caffe layer, as graph/OPS.md maps them. `text` is the layer's
// prototxt block, read for forked layers whose parameters the schema lacks (Clip, Permute).
// Types without a mapping keep their Caffe type as op and get no attributes.
// Throws qf::Error naming the layer when its parameters are unusable (no kernel size, ...).
LayerOp mapLayer(const caffe::LayerParameter& layer, const std::string& text);

// The parameter message that carries a layer's bias_term ("" for types without one).
std::string biasTermParam(const std::string& caffeType);
// The layer's bias_term as its prototxt sets it (Caffe's defaults: conv and InnerProduct
// true, Scale false); false for types without one.
bool biasTerm(const caffe::LayerParameter& layer);

}  // namespace qf::caffe_format

#pragma once
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "caffe.pb.h"
#include "graph/graph.h"

namespace qf::caffe_format {

// One blob a mapped layer needs from the caffemodel.
struct BlobSpec {
    std::string role;            // "weights", "bias", "mean", ... for messages
    int legacyRank = 1;          // how far legacy num/channels/height/width collapse
    std::optional<Shape> shape;  // what the prototxt implies; -1 entries match any size
};

// The blobs a layer of a type the importer maps needs, in caffemodel order (empty for layers
// without parameters); nullopt for types whose blobs are carried over unchecked. `node` is
// the mapped node (its attributes, inputs); inputChannels is -1 when unknown.
std::optional<std::vector<BlobSpec>> blobSpecs(const caffe::LayerParameter& layer, const Node& node,
                                               int64_t inputChannels);

// Throws qf::Error (starting with `where`, naming the blob, the expected and the actual
// shape) unless the blobs match their specs.
void checkBlobShapes(const std::string& where, const std::vector<BlobSpec>& specs,
                     const std::vector<Tensor>& blobs);

// The channel count (axis 1) of a layer's first top when it follows from the layer and its
// inputs' channels (by tensor name), else -1. Only used to check blob shapes.
int64_t outputChannels(const caffe::LayerParameter& layer, const Node& node,
                       const std::map<std::string, int64_t>& channels);

}  // namespace qf::caffe_format

#include "formats/caffe/caffe_blob_names.h"

#include "util/error.h"

namespace qf::caffe_format {

BlobNames::BlobNames(const Graph& graph) {
    const std::string prefix = "blob:";
    for (const auto& [key, blob] : graph.sourceInfo)
        if (key.compare(0, prefix.size(), prefix) == 0) blobOf_[key.substr(prefix.size())] = blob;
    // Each round frees one tensor from its blob; the graph has finitely many.
    for (std::string tensor = conflict(graph); !tensor.empty(); tensor = conflict(graph))
        if (!keepOwnName_.insert(tensor).second)
            throw Error("tensor '" + tensor + "' cannot be given an unambiguous Caffe blob name");
}

std::string BlobNames::operator()(const std::string& tensor) const {
    if (keepOwnName_.count(tensor)) return tensor;
    const auto it = blobOf_.find(tensor);
    return it == blobOf_.end() ? tensor : it->second;
}

// Replays the nodes in order, as Caffe runs the layers, and returns the first tensor that
// would not be its blob's latest value where it is read (or where the net ends).
std::string BlobNames::conflict(const Graph& graph) const {
    std::map<std::string, std::string> latest;  // blob → tensor written last
    for (const auto& input : graph.inputs) latest[(*this)(input.name)] = input.name;
    for (const auto& node : graph.nodes) {
        for (const auto& input : node.inputs) {
            if (input.empty() || graph.isWeight(input)) continue;
            const auto it = latest.find((*this)(input));
            if (it != latest.end() && it->second != input) return input;
        }
        for (const auto& output : node.outputs) latest[(*this)(output)] = output;
    }
    for (const auto& output : graph.outputs) {
        const auto it = latest.find((*this)(output.name));
        if (it != latest.end() && it->second != output.name) return output.name;
    }
    return "";
}

}  // namespace qf::caffe_format

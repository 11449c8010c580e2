#pragma once
#include <map>
#include <set>
#include <string>

#include "graph/graph.h"

namespace qf::caffe_format {

// The Caffe blob each tensor of a graph is written as. The importer's SSA names of in-place
// layers (`<blob>@<layer>`, listed in Graph::sourceInfo as `blob:<tensor>`) go back to their
// blob, so in-place chains stay in place; a tensor whose blob a pass has made ambiguous (a
// reader would see another write of the blob) keeps its own name instead.
class BlobNames {
public:
    explicit BlobNames(const Graph& graph);
    std::string operator()(const std::string& tensor) const;

private:
    std::string conflict(const Graph& graph) const;

    std::map<std::string, std::string> blobOf_;
    std::set<std::string> keepOwnName_;
};

}  // namespace qf::caffe_format

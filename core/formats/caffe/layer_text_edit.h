#pragma once
#include <string>
#include <vector>

namespace qf::caffe_format {

// Edits of a layer block's text (`layer { ... }` as the prototxt has it) that keep everything
// else as written: the fields of forked layers the schema lacks, comments, layout.

// Replaces the block's bottom and top fields (written where the first of them was).
std::string withConnections(const std::string& block, const std::vector<std::string>& bottoms,
                            const std::vector<std::string>& tops);

// Sets `bias_term` inside the block's parameter message `param` (e.g. convolution_param),
// adding the field or the message when absent.
std::string withBiasTerm(const std::string& block, const std::string& param, bool biasTerm);

}  // namespace qf::caffe_format

#pragma once
#include <string>
#include <vector>

#include "caffe.pb.h"

namespace qf::caffe_format {

// The parameters a layer of a type the importer maps sets but the importer does not read, so
// the model may compute other than its file says: fields of the layer's own parameter message
// outside those graph/OPS.md maps (set to a value other than their default), and parameter
// messages of other layer types. Training-only fields (fillers, engines, use_global_stats, ...)
// are not listed. Each entry reads "convolution_param.axis". Empty for unknown types, which
// are reported as not executable instead.
std::vector<std::string> unreadParameters(const caffe::LayerParameter& layer);

}  // namespace qf::caffe_format

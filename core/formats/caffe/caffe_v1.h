#pragma once
#include "caffe.pb.h"

namespace qf::caffe_format {

// Caffe's V1 `layers` (enum types, before 2015) as a current LayerParameter, the way Caffe's
// UpgradeV1LayerParameter does it, so the rest of the importer sees one kind of layer.
// Throws qf::Error for a V0 layer (the `layer` field inside `layers`), which predates V1.
caffe::LayerParameter upgradeV1Layer(const caffe::V1LayerParameter& v1);

// Caffe's type string for a V1 enum type ("" for NONE).
const char* v1TypeName(caffe::V1LayerParameter::LayerType type);

}  // namespace qf::caffe_format

#pragma once
#include <string>
#include <vector>

namespace qf {

struct LabeledImage {
    std::string path;
    int label = -1;  // -1: no label known
};

// The images (jpg, jpeg, png, bmp) of a folder in name order, with labels from a `file label`
// list (default: labels.txt in the folder, when present).
struct ImageFolder {
    std::string folder;
    std::vector<LabeledImage> images;
    bool hasLabels = false;
};

// Throws qf::Error when the folder is missing, holds no images, or the labels file is
// malformed (naming the file and line).
ImageFolder openImageFolder(const std::string& folder, const std::string& labelsPath = "");

}  // namespace qf

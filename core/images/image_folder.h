#pragma once
#include <string>
#include <vector>

#include "util/diagnostic.h"

namespace qf {

struct LabeledImage {
    std::string path;
    int label = -1;          // -1: no label known
    std::string labelWhere;  // "<labels file>:<line>" the label came from
};

// The images (jpg, jpeg, png, bmp) of a folder in name order, with labels from a `file label`
// list (default: labels.txt in the folder, when present).
struct ImageFolder {
    std::string folder;
    std::vector<LabeledImage> images;
    bool hasLabels = false;
    // Labels for files the folder lacks, and images the labels file does not name (each with
    // the labels file and line where there is one).
    Diagnostics warnings;
};

// Throws qf::Error when the folder is missing, holds no images, or the labels file is
// malformed (naming the file and line). A labels line is `<file name> <class index>`; the file
// name may hold spaces (the index is the line's last word).
ImageFolder openImageFolder(const std::string& folder, const std::string& labelsPath = "");

}  // namespace qf

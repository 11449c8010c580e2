#include "images/image_folder.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "util/error.h"

namespace qf {
namespace fs = std::filesystem;

namespace {

bool isImageFile(const fs::path& path) {
    std::string ext = path.extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(),
                   [](unsigned char c) { return std::tolower(c); });
    return ext == ".jpg" || ext == ".jpeg" || ext == ".png" || ext == ".bmp";
}

std::map<std::string, int> readLabels(const std::string& path) {
    std::ifstream in(path);
    if (!in) throw Error(path + ": cannot open the labels file");
    std::map<std::string, int> labels;
    std::string line;
    for (int number = 1; std::getline(in, line); ++number) {
        if (line.find_first_not_of(" \t\r") == std::string::npos || line[0] == '#') continue;
        std::istringstream fields(line);
        std::string file;
        int label = -1;
        if (!(fields >> file >> label) || label < 0)
            throw Error(path + ":" + std::to_string(number) +
                        ": expected 'file label' with a label of 0 or more, got '" + line + "'");
        labels[fs::path(file).filename().string()] = label;
    }
    return labels;
}

}  // namespace

ImageFolder openImageFolder(const std::string& folder, const std::string& labelsPath) {
    std::error_code error;
    if (!fs::is_directory(folder, error)) throw Error(folder + ": not a folder");
    ImageFolder result;
    result.folder = folder;
    for (const auto& entry : fs::directory_iterator(folder, error))
        if (entry.is_regular_file() && isImageFile(entry.path()))
            result.images.push_back({entry.path().string(), -1});
    if (result.images.empty())
        throw Error(folder + ": no images (jpg, jpeg, png, bmp) in this folder");
    std::sort(result.images.begin(), result.images.end(),
              [](const LabeledImage& a, const LabeledImage& b) { return a.path < b.path; });

    const std::string defaultLabels = (fs::path(folder) / "labels.txt").string();
    const std::string labelsFile = !labelsPath.empty()         ? labelsPath
                                   : fs::exists(defaultLabels) ? defaultLabels
                                                               : std::string();
    if (!labelsFile.empty()) {
        const auto labels = readLabels(labelsFile);
        for (auto& image : result.images) {
            const auto it = labels.find(fs::path(image.path).filename().string());
            if (it != labels.end()) {
                image.label = it->second;
                result.hasLabels = true;
            }
        }
    }
    return result;
}

}  // namespace qf

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

struct LabelLine {
    int label = -1;
    int line = 0;
};

std::map<std::string, LabelLine> readLabels(const std::string& path) {
    std::ifstream in(path);
    if (!in) throw Error(path + ": cannot open the labels file");
    std::map<std::string, LabelLine> labels;
    std::string line;
    for (int number = 1; std::getline(in, line); ++number) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        const size_t first = line.find_first_not_of(" \t");
        if (first == std::string::npos || line[first] == '#') continue;
        const size_t last = line.find_last_not_of(" \t");
        const size_t split = line.find_last_of(" \t", last);
        const auto malformed = [&] {
            return Error(Diagnostic{
                Severity::Error, path, number, 0, "", "",
                "expected '<file> <label>' with a label of 0 or more, got '" + line + "'"});
        };
        if (split == std::string::npos || split < first) throw malformed();
        const std::string word = line.substr(split + 1, last - split);
        const std::string file =
            line.substr(first, line.find_last_not_of(" \t", split) - first + 1);
        size_t used = 0;
        int label = -1;
        try {
            label = std::stoi(word, &used);
        } catch (const std::exception&) {
            throw malformed();
        }
        if (used != word.size() || label < 0) throw malformed();
        const std::string name = fs::path(file).filename().string();
        if (labels.count(name))
            throw Error(Diagnostic{Severity::Error, path, number, 0, "", "",
                                   "'" + name + "' is labelled twice (first on line " +
                                       std::to_string(labels.at(name).line) + ")"});
        labels[name] = {label, number};
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
        std::map<std::string, bool> used;
        for (auto& image : result.images) {
            const std::string name = fs::path(image.path).filename().string();
            const auto it = labels.find(name);
            if (it == labels.end()) {
                result.warnings.push_back(
                    {Severity::Warning, labelsFile, 0, 0, "", "",
                     "'" + name + "' has no label: it counts in no accuracy"});
                continue;
            }
            image.label = it->second.label;
            image.labelWhere = labelsFile + ":" + std::to_string(it->second.line);
            used[name] = true;
            result.hasLabels = true;
        }
        for (const auto& [name, line] : labels)
            if (!used.count(name))
                result.warnings.push_back({Severity::Warning, labelsFile, line.line, 0, "", "",
                                           "'" + name + "' is not an image of " + folder});
        std::stable_sort(result.warnings.begin(), result.warnings.end(),
                         [](const Diagnostic& a, const Diagnostic& b) { return a.line < b.line; });
    }
    return result;
}

}  // namespace qf

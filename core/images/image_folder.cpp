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
        std::vector<std::string> unlabelled;
        for (auto& image : result.images) {
            const std::string name = fs::path(image.path).filename().string();
            const auto it = labels.find(name);
            if (it == labels.end()) {
                unlabelled.push_back(name);
                continue;
            }
            image.label = it->second.label;
            image.labelWhere = labelsFile + ":" + std::to_string(it->second.line);
            used[name] = true;
            result.hasLabels = true;
        }
        // One warning per file while they are few, one summary when many.
        constexpr size_t kListed = 3;
        if (!unlabelled.empty() && unlabelled.size() <= kListed) {
            for (const auto& name : unlabelled)
                result.warnings.push_back(
                    {Severity::Warning, labelsFile, 0, 0, "", "",
                     "'" + name + "' has no label: it counts in no accuracy"});
        } else if (!unlabelled.empty()) {
            result.warnings.push_back({Severity::Warning, labelsFile, 0, 0, "", "",
                                       std::to_string(unlabelled.size()) +
                                           " images have no label and count in no accuracy (the "
                                           "first: '" +
                                           unlabelled.front() + "')"});
        }
        std::vector<std::pair<std::string, int>> missing;
        for (const auto& [name, line] : labels)
            if (!used.count(name)) missing.emplace_back(name, line.line);
        std::sort(missing.begin(), missing.end(),
                  [](const auto& a, const auto& b) { return a.second < b.second; });
        if (missing.size() <= kListed) {
            for (const auto& [name, line] : missing)
                result.warnings.push_back({Severity::Warning, labelsFile, line, 0, "", "",
                                           "'" + name + "' is not an image of " + folder});
        } else {
            result.warnings.push_back(
                {Severity::Warning, labelsFile, missing.front().second, 0, "", "",
                 std::to_string(missing.size()) + " labelled files are not images of " + folder +
                     " (the first: '" + missing.front().first + "')"});
        }
    }
    return result;
}

}  // namespace qf

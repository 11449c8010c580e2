#include "images/image_folder.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>

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

struct NamedLine {
    std::string name;
    int line = 0;  // in the labels file; 0: none
};

// One warning per file while they are few, one summary (at the first) when many.
void warnAbout(const std::vector<NamedLine>& files, const std::string& labelsFile,
               const std::string& each, const std::string& many, Diagnostics& warnings) {
    constexpr size_t kListed = 3;
    if (files.size() <= kListed) {
        for (const auto& file : files)
            warnings.push_back({Severity::Warning, labelsFile, file.line, 0, "", "",
                                "'" + file.name + "' " + each});
        return;
    }
    warnings.push_back(
        {Severity::Warning, labelsFile, files.front().line, 0, "", "",
         std::to_string(files.size()) + " " + many + " (the first: '" + files.front().name + "')"});
}

}  // namespace

ImageFolder openImageFolder(const std::string& folder, const std::string& labelsPath) {
    std::error_code error;
    if (!fs::is_directory(folder, error)) throw Error(folder + ": not a folder");
    ImageFolder result;
    result.folder = folder;
    for (const auto& entry : fs::directory_iterator(folder, error))
        if (entry.is_regular_file() && isImageFile(entry.path()))
            result.images.push_back({entry.path().string(), -1, ""});
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
        std::set<std::string> used;
        std::vector<NamedLine> unlabelled;
        for (auto& image : result.images) {
            const std::string name = fs::path(image.path).filename().string();
            const auto it = labels.find(name);
            if (it == labels.end()) {
                unlabelled.push_back({name, 0});
                continue;
            }
            image.label = it->second.label;
            image.labelWhere = labelsFile + ":" + std::to_string(it->second.line);
            used.insert(name);
            result.hasLabels = true;
        }
        std::vector<NamedLine> missing;
        for (const auto& [name, line] : labels)
            if (!used.count(name)) missing.push_back({name, line.line});
        std::sort(missing.begin(), missing.end(),
                  [](const NamedLine& a, const NamedLine& b) { return a.line < b.line; });
        warnAbout(unlabelled, labelsFile, "has no label: it counts in no accuracy",
                  "images have no label and count in no accuracy", result.warnings);
        warnAbout(missing, labelsFile, "is not an image of " + folder,
                  "labelled files are not images of " + folder, result.warnings);
    }
    return result;
}

}  // namespace qf

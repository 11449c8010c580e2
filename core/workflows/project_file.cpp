#include "workflows/project_file.h"

#include <filesystem>
#include <nlohmann/json.hpp>

#include "util/atomic_file.h"
#include "util/error.h"

namespace qf {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

std::string cleaned(const fs::path& path) {
    std::string text = path.lexically_normal().string();
    if (text.size() > 1 && text.back() == '/') text.pop_back();
    return text;
}

fs::path folderOf(const std::string& projectPath) {
    return fs::absolute(fs::path(projectPath)).lexically_normal().parent_path();
}

// As QDir::relativeFilePath: lexical, so links are not resolved and moved folders still match.
std::string relativeTo(const fs::path& base, const std::string& path) {
    if (path.empty()) return path;
    const fs::path absolute = fs::absolute(fs::path(path)).lexically_normal();
    const fs::path relative = absolute.lexically_relative(base);
    return relative.empty() ? cleaned(absolute) : cleaned(relative);
}

std::string absoluteFrom(const fs::path& base, const std::string& path) {
    if (path.empty()) return {};
    const fs::path given(path);
    return cleaned(given.is_absolute() ? given : base / given);
}

json preprocessingJson(const Preprocessing& pre) {
    return {{"width", pre.width},
            {"height", pre.height},
            {"scale", pre.scale},
            {"mean", pre.mean},
            {"std", pre.std},
            {"channel_order", pre.rgb ? "rgb" : "bgr"},
            {"resize_shorter", pre.resizeShorter},
            {"center_crop", pre.centerCrop}};
}

Preprocessing preprocessingFrom(const json& value) {
    Preprocessing pre;
    pre.width = value.value("width", 0);
    pre.height = value.value("height", 0);
    pre.scale = value.value("scale", 1.0f);
    if (value.contains("mean")) pre.mean = value.at("mean").get<std::array<float, 3>>();
    if (value.contains("std")) pre.std = value.at("std").get<std::array<float, 3>>();
    pre.rgb = value.value("channel_order", std::string("rgb")) != "bgr";
    pre.resizeShorter = value.value("resize_shorter", 0);
    pre.centerCrop = value.value("center_crop", false);
    return pre;
}

json imagesJson(const fs::path& base, const ProjectImages& images) {
    return {{"folder", relativeTo(base, images.folder)},
            {"max_images", images.maxImages},
            {"preprocessing", preprocessingJson(images.preprocessing)}};
}

ProjectImages imagesFrom(const fs::path& base, const json& value) {
    ProjectImages images;
    images.folder = absoluteFrom(base, value.value("folder", std::string()));
    images.maxImages = value.value("max_images", 0);
    if (value.contains("preprocessing"))
        images.preprocessing = preprocessingFrom(value.at("preprocessing"));
    return images;
}

ProjectInt8 int8From(const fs::path& base, const json& value, const std::string& file) {
    ProjectInt8 int8;
    if (value.contains("images")) int8.images = imagesFrom(base, value.at("images"));
    const std::string method = value.value("method", std::string("kl"));
    if (!parseMethod(method, int8.method))
        throw Error(file + ": unknown calibration method '" + method + "' in \"int8\"");
    int8.perChannelWeights = value.value("per_channel_weights", true);
    int8.biasCorrection = value.value("bias_correction", true);
    int8.equalize = value.value("equalize", false);
    int8.table = absoluteFrom(base, value.value("table", std::string()));
    for (const auto& node : value.value("keep_fp32", json::array()))
        int8.keepFp32.push_back(node.get<std::string>());
    return int8;
}

}  // namespace

Project readProject(const std::string& file) {
    const std::string text = readFile(file);
    json root;
    try {
        root = json::parse(text);
    } catch (const json::parse_error& error) {
        throw Error(file + ": not a QuantFold project (JSON error at byte " +
                    std::to_string(error.byte) + "): " + error.what());
    } catch (const json::exception& error) {  // a number beyond double's range (found by fuzzing)
        throw Error(file + ": not a QuantFold project: " + error.what());
    }
    try {
        if (!root.is_object()) throw Error(file + ": a project is a JSON object");
        if (!root.contains("format_version"))
            throw Error(file + ": not a QuantFold project (no \"format_version\")");
        const int version = root.at("format_version").get<int>();
        if (version > kProjectFormatVersion)
            throw Error(file + ": project format version " + std::to_string(version) +
                        " is newer than this QuantFold reads (" +
                        std::to_string(kProjectFormatVersion) + ")");
        if (!root.contains("model")) throw Error(file + ": the project names no \"model\"");
        const fs::path base = folderOf(file);
        Project project;
        project.model = absoluteFrom(base, root.at("model").get<std::string>());
        project.weights = absoluteFrom(base, root.value("weights", std::string()));
        if (root.contains("images")) project.images = imagesFrom(base, root.at("images"));
        for (const auto& name : root.value("folds", json::array()))
            project.folds.push_back(name.get<std::string>());
        if (root.contains("int8")) project.int8 = int8From(base, root.at("int8"), file);
        for (const auto& dim : root.value("input_shape", json::array())) {
            const int64_t value = dim.get<int64_t>();
            if (value == 0 || value < -1)
                throw Error(file + ": \"input_shape\" has a dimension of " + std::to_string(value) +
                            " (each must be positive, or -1)");
            project.inputShape.push_back(value);
        }
        return project;
    } catch (const json::exception& error) {
        throw Error(file + ": malformed project: " + error.what());
    }
}

void writeProject(const std::string& path, const Project& project) {
    const fs::path base = folderOf(path);
    json root = {{"format_version", kProjectFormatVersion},
                 {"model", relativeTo(base, project.model)},
                 {"folds", project.folds}};
    if (!project.weights.empty()) root["weights"] = relativeTo(base, project.weights);
    if (!project.inputShape.empty()) root["input_shape"] = project.inputShape;
    root["images"] = imagesJson(base, project.images);
    if (project.int8) {
        const ProjectInt8& int8 = *project.int8;
        root["int8"] = {{"images", imagesJson(base, int8.images)},
                        {"method", methodName(int8.method)},
                        {"per_channel_weights", int8.perChannelWeights},
                        {"bias_correction", int8.biasCorrection},
                        {"equalize", int8.equalize},
                        {"table", relativeTo(base, int8.table)},
                        {"keep_fp32", int8.keepFp32}};
    }
    writeFileAtomically(path, root.dump(2) + "\n");
}

std::string projectTablePath(const std::string& projectPath) {
    const fs::path absolute = fs::absolute(fs::path(projectPath)).lexically_normal();
    return (absolute.parent_path() / (absolute.stem().string() + ".int8.json")).string();
}

}  // namespace qf

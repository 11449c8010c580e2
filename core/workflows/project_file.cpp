#include "workflows/project_file.h"

#include <cmath>
#include <filesystem>
#include <limits>
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

// A member that is not what its reader needs; readProject adds the file. Numbers are checked
// here because nlohmann converts a float or an out-of-range number to int or float with
// undefined behaviour (found by fuzzing).
struct BadMember {
    std::string problem;
};

int64_t integerMember(const json& object, const std::string& key, int64_t fallback, int64_t low,
                      int64_t high) {
    const auto found = object.find(key);
    if (found == object.end()) return fallback;
    if (!found->is_number_integer() ||
        (found->is_number_unsigned() && found->get<uint64_t>() > static_cast<uint64_t>(high)))
        throw BadMember{"\"" + key + "\" is not a whole number from " + std::to_string(low) +
                        " to " + std::to_string(high)};
    const int64_t value = found->get<int64_t>();
    if (value < low || value > high)
        throw BadMember{"\"" + key + "\" is " + std::to_string(value) + ", not from " +
                        std::to_string(low) + " to " + std::to_string(high)};
    return value;
}

float floatOf(const json& value, const std::string& what) {
    const double number = value.is_number() ? value.get<double>() : 0.0;
    if (!value.is_number() || !std::isfinite(number) ||
        std::abs(number) > std::numeric_limits<float>::max())
        throw BadMember{"\"" + what + "\" is not a finite number"};
    return static_cast<float>(number);
}

std::array<float, 3> threeFloats(const json& object, const std::string& key,
                                 std::array<float, 3> fallback) {
    const auto found = object.find(key);
    if (found == object.end()) return fallback;
    if (!found->is_array() || found->size() != 3)
        throw BadMember{"\"" + key + "\" is not an array of 3 numbers"};
    for (size_t k = 0; k < 3; ++k) fallback[k] = floatOf((*found)[k], key);
    return fallback;
}

Preprocessing preprocessingFrom(const json& value) {
    constexpr int64_t kSide = 1 << 20;
    Preprocessing pre;
    pre.width = static_cast<int>(integerMember(value, "width", 0, 0, kSide));
    pre.height = static_cast<int>(integerMember(value, "height", 0, 0, kSide));
    if (value.contains("scale")) pre.scale = floatOf(value.at("scale"), "scale");
    pre.mean = threeFloats(value, "mean", pre.mean);
    pre.std = threeFloats(value, "std", pre.std);
    pre.rgb = value.value("channel_order", std::string("rgb")) != "bgr";
    pre.resizeShorter = static_cast<int>(integerMember(value, "resize_shorter", 0, 0, kSide));
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
    images.maxImages =
        static_cast<int>(integerMember(value, "max_images", 0, 0, std::numeric_limits<int>::max()));
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
        const int version = static_cast<int>(
            integerMember(root, "format_version", 0, 0, std::numeric_limits<int>::max()));
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
            if (!dim.is_number_integer() ||
                (dim.is_number_unsigned() &&
                 dim.get<uint64_t>() > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())))
                throw Error(file + ": \"input_shape\" holds something other than whole numbers");
            const int64_t value = dim.get<int64_t>();
            if (value == 0 || value < -1)
                throw Error(file + ": \"input_shape\" has a dimension of " + std::to_string(value) +
                            " (each must be positive, or -1)");
            project.inputShape.push_back(value);
        }
        return project;
    } catch (const json::exception& error) {
        throw Error(file + ": malformed project: " + error.what());
    } catch (const BadMember& bad) {
        throw Error(file + ": malformed project: " + bad.problem);
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

#include "ui/project_file.h"

#include <QDir>
#include <QFileInfo>
#include <nlohmann/json.hpp>

#include "util/atomic_file.h"
#include "util/error.h"

namespace qf::ui {
namespace {

using nlohmann::json;

QString relativeTo(const QDir& base, const QString& path) {
    if (path.isEmpty()) return path;
    return base.relativeFilePath(QFileInfo(path).absoluteFilePath());
}

QString absoluteFrom(const QDir& base, const std::string& path) {
    if (path.empty()) return {};
    return QDir::cleanPath(base.absoluteFilePath(QString::fromStdString(path)));
}

json preprocessingJson(const qf::Preprocessing& pre) {
    return {{"width", pre.width},
            {"height", pre.height},
            {"scale", pre.scale},
            {"mean", pre.mean},
            {"std", pre.std},
            {"channel_order", pre.rgb ? "rgb" : "bgr"},
            {"resize_shorter", pre.resizeShorter},
            {"center_crop", pre.centerCrop}};
}

qf::Preprocessing preprocessingFrom(const json& value) {
    qf::Preprocessing pre;
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

}  // namespace

ProjectFile readProject(const QString& path) {
    const std::string file = path.toStdString();
    const std::string text = qf::readFile(file);
    json root;
    try {
        root = json::parse(text);
    } catch (const json::parse_error& error) {
        throw Error(file + ": not a QuantFold project (JSON error at byte " +
                    std::to_string(error.byte) + "): " + error.what());
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
        const QDir base = QFileInfo(path).absoluteDir();
        ProjectFile project;
        project.model = absoluteFrom(base, root.at("model").get<std::string>());
        project.weights = absoluteFrom(base, root.value("weights", std::string()));
        if (root.contains("images")) {
            const json& images = root.at("images");
            project.settings.imageFolder =
                absoluteFrom(base, images.value("folder", std::string()));
            project.settings.maxImages = images.value("max_images", 0);
            if (images.contains("preprocessing"))
                project.settings.preprocessing = preprocessingFrom(images.at("preprocessing"));
        }
        for (const auto& name : root.value("folds", json::array()))
            project.folds << QString::fromStdString(name.get<std::string>());
        return project;
    } catch (const json::exception& error) {
        throw Error(file + ": malformed project: " + error.what());
    }
}

void writeProject(const QString& path, const ProjectFile& project) {
    const QDir base = QFileInfo(path).absoluteDir();
    json folds = json::array();
    for (const auto& name : project.folds) folds.push_back(name.toStdString());
    json root = {{"format_version", kProjectFormatVersion},
                 {"model", relativeTo(base, project.model).toStdString()},
                 {"folds", folds}};
    if (!project.weights.isEmpty())
        root["weights"] = relativeTo(base, project.weights).toStdString();
    root["images"] = {{"folder", relativeTo(base, project.settings.imageFolder).toStdString()},
                      {"max_images", project.settings.maxImages},
                      {"preprocessing", preprocessingJson(project.settings.preprocessing)}};
    qf::writeFileAtomically(path.toStdString(), root.dump(2) + "\n");
}

}  // namespace qf::ui

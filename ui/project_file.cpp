#include "ui/project_file.h"

#include <QFileInfo>

namespace qf::ui {
namespace {

QString fromStd(const std::string& text) { return QString::fromStdString(text); }

ProjectSettings settingsFrom(const qf::ProjectImages& images) {
    ProjectSettings settings;
    settings.imageFolder = fromStd(images.folder);
    settings.preprocessing = images.preprocessing;
    settings.maxImages = images.maxImages;
    return settings;
}

qf::ProjectImages imagesFrom(const ProjectSettings& settings) {
    qf::ProjectImages images;
    images.folder = settings.imageFolder.toStdString();
    images.preprocessing = settings.preprocessing;
    images.maxImages = settings.maxImages;
    return images;
}

}  // namespace

ProjectFile readProject(const QString& path) {
    const qf::Project read = qf::readProject(path.toStdString());
    ProjectFile project;
    project.model = fromStd(read.model);
    project.weights = fromStd(read.weights);
    project.settings = settingsFrom(read.images);
    for (const auto& name : read.folds) project.folds << fromStd(name);
    project.inputShape = read.inputShape;
    return project;
}

void writeProject(const QString& path, const ProjectFile& project) {
    qf::Project written;
    written.model = QFileInfo(project.model).absoluteFilePath().toStdString();
    written.weights = project.weights.isEmpty()
                          ? std::string()
                          : QFileInfo(project.weights).absoluteFilePath().toStdString();
    written.images = imagesFrom(project.settings);
    for (const auto& name : project.folds) written.folds.push_back(name.toStdString());
    written.inputShape = project.inputShape;
    qf::writeProject(path.toStdString(), written);
}

}  // namespace qf::ui

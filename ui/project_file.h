#pragma once
#include <QString>
#include <QStringList>

#include "images/preprocessing.h"
#include "workflows/project_file.h"

namespace qf::ui {

// What a project remembers besides the model: the images the fold verification (and, next,
// calibration) runs on and how they are preprocessed.
struct ProjectSettings {
    QString imageFolder;  // absolute; empty when none was chosen
    qf::Preprocessing preprocessing;
    int maxImages = 0;  // 0: all
};

// A .qfproj file: JSON with "format_version" (1), the model paths relative to the project
// where possible, the image settings and the fold choices in the order they were made. The file
// is read and written by the core (workflows/project_file.h), which the CLI's --project reads
// too; the int8 part is QuantSession's.
struct ProjectFile {
    QString model;    // absolute
    QString weights;  // absolute; empty for a single-file model
    ProjectSettings settings;
    QStringList folds;     // affine node names
    qf::Shape inputShape;  // a TensorFlow graph's, as given (qf::Project::inputShape)
};

constexpr int kProjectFormatVersion = qf::kProjectFormatVersion;

// Throws qf::Error naming the file and the problem (bad JSON with line and column, a missing
// key, a newer format version).
ProjectFile readProject(const QString& path);
// Written atomically, without an "int8" object (QuantSession adds its own right after).
void writeProject(const QString& path, const ProjectFile& project);

}  // namespace qf::ui

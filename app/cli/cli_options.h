#pragma once
// What every quantfold-cli sub-command shares: model arguments, preprocessing flags, progress
// on stderr and JSON on stdout.
#include <QCommandLineParser>
#include <QStringList>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "calibration/table_files.h"
#include "graph/graph.h"
#include "images/preprocessing.h"
#include "passes/equalize.h"
#include "quantize/int8_model.h"
#include "util/diagnostic.h"
#include "util/progress.h"
#include "workflows/int8_setup.h"
#include "workflows/project_file.h"

namespace qf::cli {

struct ModelArguments {
    std::string model;
    std::string weights;  // Caffe only
    QStringList rest;     // positional arguments after the model's own
    // --project P.qfproj: what the desktop app saved (model, folds, calibration settings, table,
    // keeps); explicit arguments and options override what it says.
    std::optional<Project> project;
    std::string projectPath;
    // --input-shape N,H,W,C: a TensorFlow graph's unknown Placeholder dimensions (-1 keeps one
    // unknown); empty when not given.
    Shape inputShape;
};

// MODEL [WEIGHTS] from the positional arguments: a .prototxt takes the next one as weights.
ModelArguments modelArguments(const QStringList& positional, const QString& command);

// --project P.qfproj for calibrate, compare and export.
void addProjectOption(QCommandLineParser& parser);
// --input-shape for every command that loads a model (addModelOptions includes it).
void addInputShapeOption(QCommandLineParser& parser);
// The model from the positional arguments, or from --project (when the command has it) when
// none are given; the project (when given) is read here, and --input-shape (when the command has
// it) checked. Throws qf::Error naming the project file when it cannot be read.
ModelArguments modelArguments(const QCommandLineParser& parser, const QString& command);
// The model the last modelArguments() call named (empty before): run-time errors that name a
// node but no file get it as their prefix.
const std::string& commandModelPath();
// The images a project's int8 work used (its calibration images, else its verification images);
// nullptr without a project.
const ProjectImages* projectImages(const ModelArguments& args);
// --images DIR, else the project's; throws naming `command` when neither says.
std::string imageFolderFrom(const QCommandLineParser& parser, const ModelArguments& args,
                            const QString& command);
// --max-images N, else the project's, else 0 (all).
// Throws on positional arguments past the model (and its weights) beyond `allowed` of them.
void refuseExtraArguments(const ModelArguments& args, int allowed = 0);
// --max-images, checked (0 when absent: all images).
int maxImagesOption(const QCommandLineParser& parser);
// The value of --name as a whole number >= minimum, or fallback when not given; an Error
// naming the option otherwise.
int64_t wholeNumberOption(const QCommandLineParser& parser, const QString& name, int64_t fallback,
                          int64_t minimum);
int maxImagesFrom(const QCommandLineParser& parser, const ModelArguments& args);

void addPreprocessingOptions(QCommandLineParser& parser);

// Loads the model as it is; each loading warning goes to stderr ("warning: <text>", one line
// each) and into `warnings`, for the JSON output.
Graph loadModelWithWarnings(const ModelArguments& args, Diagnostics& warnings);

// --no-fold: quantization commands work on the folded model unless told otherwise.
// --equalize / --no-equalize: cross-layer equalization after folding (off unless a project
// says so).
void addModelOptions(QCommandLineParser& parser);
// With a project: the model with the project's folds (as the app showed it), unless --no-fold;
// then equalized when asked (a one-line summary goes to stderr, the report into
// `equalization` when given).
// `foldByDefault` false: without a project, the model is used as it is even without --no-fold.
Graph loadForQuantization(const ModelArguments& args, const QCommandLineParser& parser,
                          Diagnostics& warnings,
                          std::optional<EqualizeReport>* equalization = nullptr,
                          bool foldByDefault = true);
void refuseToOverwriteInputs(const std::string& output, const ModelArguments& args);

// --table, --method, --keep-fp32, --per-tensor-weights / --per-channel-weights,
// --bias-correction / --no-bias-correction: how compare and export quantize. Each falls back to
// the project's choice when a project is given (--keep-fp32 replaces the project's keeps).
void addInt8Options(QCommandLineParser& parser);
using Int8Setup = qf::Int8Setup;  // workflows/int8_setup.h
Int8Setup int8SetupFrom(const QCommandLineParser& parser, const Graph& graph,
                        const ModelArguments& args);
// Refuses a JSON table calibrated on an equalized graph for a graph that is not, and the other
// way round (ncnn and TensorRT tables do not say), naming the table and the option to give.
void requireTableEqualization(const Int8Setup& setup, const std::optional<EqualizeReport>& done,
                              const std::string& tablePath);
// The table file compare and export read: --table, else the project's.
std::string tablePathFrom(const QCommandLineParser& parser, const ModelArguments& args);
// --size WxH, checked (width, height).
std::pair<int, int> sizeOption(const QCommandLineParser& parser);
// The preprocessing flags applied over `base` (a project's preprocessing, or the defaults).
Preprocessing preprocessingFrom(const QCommandLineParser& parser, Preprocessing base = {});

// Parses `arguments` (sub-command first) with --help handled; exits on bad usage.
void parseOrExit(QCommandLineParser& parser, const QStringList& arguments);

// A progress reporter that redraws one line on stderr.
Progress stderrProgress(const std::string& task);

void printWarnings(const Diagnostics& warnings);

// Prints `object` plus its "warnings" array (empty when none) as one line on stdout.
void printJson(nlohmann::json object, const Diagnostics& warnings);

}  // namespace qf::cli

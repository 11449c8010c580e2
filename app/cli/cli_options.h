#pragma once
// What every quantfold-cli sub-command shares: model arguments, preprocessing flags, progress
// on stderr and JSON on stdout.
#include <QCommandLineParser>
#include <QStringList>
#include <nlohmann/json.hpp>
#include <string>

#include "calibration/table_files.h"
#include "graph/graph.h"
#include "images/preprocessing.h"
#include "quantize/int8_model.h"
#include "util/diagnostic.h"
#include "util/progress.h"
#include "workflows/int8_setup.h"

namespace qf::cli {

struct ModelArguments {
    std::string model;
    std::string weights;  // Caffe only
    QStringList rest;     // positional arguments after the model's own
};

// MODEL [WEIGHTS] from the positional arguments: a .prototxt takes the next one as weights.
ModelArguments modelArguments(const QStringList& positional, const QString& command);

void addPreprocessingOptions(QCommandLineParser& parser);

// Loads the model as it is; each loading warning goes to stderr ("warning: <text>", one line
// each) and into `warnings`, for the JSON output.
Graph loadModelWithWarnings(const ModelArguments& args, Diagnostics& warnings);

// --no-fold: quantization commands work on the folded model unless told otherwise.
void addModelOptions(QCommandLineParser& parser);
Graph loadForQuantization(const ModelArguments& args, const QCommandLineParser& parser,
                          Diagnostics& warnings);
void refuseToOverwriteInputs(const std::string& output, const ModelArguments& args);

// --table, --method, --keep-fp32, --per-tensor-weights: how compare and export quantize.
void addInt8Options(QCommandLineParser& parser);
using Int8Setup = qf::Int8Setup;  // workflows/int8_setup.h
Int8Setup int8SetupFrom(const QCommandLineParser& parser, const Graph& graph);
Preprocessing preprocessingFrom(const QCommandLineParser& parser);

// Parses `arguments` (sub-command first) with --help handled; exits on bad usage.
void parseOrExit(QCommandLineParser& parser, const QStringList& arguments);

// A progress reporter that redraws one line on stderr.
Progress stderrProgress(const std::string& task);

void printWarnings(const Diagnostics& warnings);

// Prints `object` plus its "warnings" array (empty when none) as one line on stdout.
void printJson(nlohmann::json object, const Diagnostics& warnings);

}  // namespace qf::cli

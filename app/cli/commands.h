#pragma once
#include <QStringList>

// Each sub-command takes its arguments (its own name first) and returns the exit code.
namespace qf::cli {
int runInfoCommand(const QStringList& arguments);
int runFoldCommand(const QStringList& arguments);
int runRunCommand(const QStringList& arguments);
int runCalibrateCommand(const QStringList& arguments);
int runCompareCommand(const QStringList& arguments);
int runExportCommand(const QStringList& arguments);
int runBenchCommand(const QStringList& arguments);
}  // namespace qf::cli

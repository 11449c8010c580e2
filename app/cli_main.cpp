// quantfold-cli: the headless front end. Each sub-command lives in cli/command_*.cpp.
#include <QCoreApplication>
#include <cstdio>
#include <iostream>

#include "cli/cli_options.h"
#include "cli/commands.h"
#include "util/error.h"
#include "util/progress.h"

namespace {

void printUsage() {
    std::cout
        << "usage: quantfold-cli <command> [options]\n\n"
           "commands:\n"
           "  info MODEL [WEIGHTS]                       describe a model\n"
           "  fold MODEL [WEIGHTS] -o OUT [OUT_WEIGHTS]  fold BatchNorm/Scale into convs\n"
           "  run MODEL [WEIGHTS] --images DIR           FP32 inference, accuracy\n"
           "  calibrate MODEL [WEIGHTS] --images DIR -o TABLE   int8 thresholds\n"
           "  compare MODEL [WEIGHTS] --table TABLE --images DIR   int8 against FP32\n"
           "  export MODEL [WEIGHTS] --table TABLE --format F -o OUT   QDQ ONNX, ncnn, TensorRT\n"
           "  bench MODEL [WEIGHTS] [--precision int8 --table TABLE]  inference time, memory\n\n"
           "'quantfold-cli <command> --help' lists a command's options;\n"
           "'quantfold-cli --version' prints the version.\n";
}

}  // namespace

int main(int argc, char** argv) {
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName("quantfold-cli");
    QCoreApplication::setApplicationVersion(QUANTFOLD_VERSION);
    const QStringList arguments = QCoreApplication::arguments();
    if (arguments.size() < 2 || arguments[1] == "--help" || arguments[1] == "-h") {
        printUsage();
        return arguments.size() < 2 ? 2 : 0;
    }
    if (arguments[1] == "--version") {
        std::cout << "quantfold-cli " << QUANTFOLD_VERSION << "\n";
        return 0;
    }
    const QString command = arguments[1];
    const QStringList commandArguments = arguments.mid(1);
    try {
        if (command == "info") return qf::cli::runInfoCommand(commandArguments);
        if (command == "fold") return qf::cli::runFoldCommand(commandArguments);
        if (command == "run") return qf::cli::runRunCommand(commandArguments);
        if (command == "calibrate") return qf::cli::runCalibrateCommand(commandArguments);
        if (command == "compare") return qf::cli::runCompareCommand(commandArguments);
        if (command == "export") return qf::cli::runExportCommand(commandArguments);
        if (command == "bench") return qf::cli::runBenchCommand(commandArguments);
        std::cerr << "quantfold-cli: unknown command '" << command.toStdString() << "'\n";
        printUsage();
        return 2;
    } catch (const qf::Error& error) {
        const qf::Diagnostic& where = error.diagnostic();
        const std::string& model = qf::cli::commandModelPath();
        const bool namesNodeOnly = where.file.empty() && !where.node.empty() && !model.empty();
        std::cerr << "quantfold-cli: " << (namesNodeOnly ? model + ": " : "") << error.what()
                  << "\n";
    } catch (const qf::Cancelled&) {
        std::cerr << "quantfold-cli: cancelled\n";
    } catch (const std::exception& error) {
        std::cerr << "quantfold-cli: unexpected error: " << error.what() << "\n";
    }
    return 1;
}

#include <iostream>

#include "calibration/table_files.h"
#include "cli/cli_options.h"
#include "cli/commands.h"
#include "quantize/qdq_export.h"
#include "util/error.h"

namespace qf::cli {

int runExportCommand(const QStringList& arguments) {
    QCommandLineParser parser;
    parser.setApplicationDescription(
        "Export the quantized model: an int8 ONNX model in QDQ form (runs in ONNX Runtime), or the "
        "calibration as an ncnn table or TensorRT calibration cache.");
    parser.addPositionalArgument("MODEL", "deploy.prototxt or model.onnx");
    parser.addPositionalArgument("WEIGHTS", "the .caffemodel of a Caffe model", "[WEIGHTS]");
    parser.addOption({"format", "onnx-qdq, ncnn or tensorrt.", "FORMAT"});
    parser.addOption({{"o", "output"}, "Output file.", "OUT"});
    parser.addOption({"json", "Print one JSON object on stdout."});
    addModelOptions(parser);
    addInt8Options(parser);
    parseOrExit(parser, arguments);
    const ModelArguments args = modelArguments(parser.positionalArguments(), "export");
    if (!parser.isSet("output")) throw Error("export needs an output file: -o OUT");
    const std::string format = parser.value("format").toStdString();
    const std::string out = parser.value("output").toStdString();
    refuseToOverwriteInputs(out, args);
    Diagnostics warnings;
    const Graph graph = loadForQuantization(args, parser, warnings);
    const Int8Setup int8 = int8SetupFrom(parser, graph);
    const Int8Options& options = int8.options;
    int quantized = 0;
    if (format == "onnx-qdq") {
        quantized = static_cast<int>(exportQdqOnnx(graph, int8.loaded.table, options, out).size());
    } else {
        TableFormat tableFormat;
        if (format == "onnx" || !parseTableFormat(format, tableFormat) ||
            tableFormat == TableFormat::Json)
            throw Error("unknown --format '" + format + "' (onnx-qdq, ncnn, tensorrt)");
        writeCalibrationTable(graph, int8.loaded.table, tableFormat, out,
                              !options.perChannelWeights, options.keepFp32);
    }
    if (parser.isSet("json"))
        printJson({{"format", format}, {"output", out}, {"quantized", quantized}}, warnings);
    else
        std::cout << "wrote " << out
                  << (format == "onnx-qdq" ? " (" + std::to_string(quantized) + " quantized layers)"
                                           : "")
                  << "\n";
    return 0;
}

}  // namespace qf::cli

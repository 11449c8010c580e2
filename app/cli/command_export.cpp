#include <QJsonObject>
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
    parser.addOption({"table", "Calibration table (JSON, ncnn or TensorRT cache).", "TABLE"});
    parser.addOption({"format", "onnx-qdq, ncnn or tensorrt.", "FORMAT"});
    parser.addOption(
        {"method", "Use this method's thresholds from a JSON table instead of the one it selects.",
         "METHOD"});
    parser.addOption({"keep-fp32", "Nodes to keep in FP32 (comma-separated names).", "n1,n2"});
    parser.addOption(
        {"per-tensor-weights", "One weight scale per layer instead of per output channel."});
    parser.addOption({{"o", "output"}, "Output file.", "OUT"});
    parser.addOption({"json", "Print one JSON object on stdout."});
    addModelOptions(parser);
    parseOrExit(parser, arguments);
    const ModelArguments args = modelArguments(parser.positionalArguments(), "export");
    if (!parser.isSet("table")) throw Error("export needs --table TABLE");
    if (!parser.isSet("output")) throw Error("export needs an output file: -o OUT");
    const std::string format = parser.value("format").toStdString();
    const std::string out = parser.value("output").toStdString();
    refuseToOverwriteInputs(out, args);
    const Graph graph = loadForQuantization(args, parser);
    LoadedTable loaded = readCalibrationTable(parser.value("table").toStdString(), graph);
    if (parser.isSet("method")) {
        ThresholdMethod method;
        if (!parseMethod(parser.value("method").toStdString(), method))
            throw Error("unknown --method '" + parser.value("method").toStdString() + "'");
        if (loaded.format != TableFormat::Json)
            throw Error("--method needs a JSON table, which keeps every method");
        loaded.table.selectMethod(method);
    }
    Int8Options options;
    options.perChannelWeights = !parser.isSet("per-tensor-weights");
    options.keepFp32 = loaded.keepFp32;
    for (const auto& name : parser.value("keep-fp32").split(',', Qt::SkipEmptyParts))
        options.keepFp32.insert(name.toStdString());
    int quantized = 0;
    if (format == "onnx-qdq") {
        quantized = static_cast<int>(exportQdqOnnx(graph, loaded.table, options, out).size());
    } else {
        TableFormat tableFormat;
        if (format == "onnx" || !parseTableFormat(format, tableFormat) ||
            tableFormat == TableFormat::Json)
            throw Error("unknown --format '" + format + "' (onnx-qdq, ncnn, tensorrt)");
        writeCalibrationTable(graph, loaded.table, tableFormat, out, !options.perChannelWeights,
                              options.keepFp32);
    }
    if (parser.isSet("json"))
        printJson({{"format", QString::fromStdString(format)},
                   {"output", QString::fromStdString(out)},
                   {"quantized", quantized}});
    else
        std::cout << "wrote " << out
                  << (format == "onnx-qdq" ? " (" + std::to_string(quantized) + " quantized layers)"
                                           : "")
                  << "\n";
    return 0;
}

}  // namespace qf::cli

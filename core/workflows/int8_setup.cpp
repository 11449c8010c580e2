#include "workflows/int8_setup.h"

#include "util/error.h"

namespace qf {

Int8Setup setUpInt8(const Graph& graph, const Int8SetupRequest& request) {
    Int8Setup setup;
    setup.loaded = readCalibrationTable(request.tablePath, graph);
    if (request.method) {
        ThresholdMethod method;
        if (!parseMethod(*request.method, method))
            throw Error("unknown --method '" + *request.method + "'");
        if (setup.loaded.format != TableFormat::Json)
            throw Error("--method needs a JSON table, which keeps every method");
        // The auto thresholds come from a search at calibration time, not from the histogram.
        if (method == ThresholdMethod::Auto)
            for (const auto& [tensor, calibration] : setup.loaded.table.tensors)
                if (!calibration.thresholds.count(ThresholdMethod::Auto))
                    throw Error(request.tablePath + ": tensor '" + tensor +
                                "' has no auto threshold; calibrate with --method auto");
        setup.loaded.table.selectMethod(method);
    }
    setup.options.perChannelWeights = !request.perTensorWeights;
    setup.options.biasCorrection = request.biasCorrection;
    setup.options.keepFp32 = setup.loaded.keepFp32;
    for (const auto& name : request.keepFp32) {
        if (graph.nodeIndex(name) < 0)
            throw Error("--keep-fp32: the model has no node '" + name + "'");
        setup.options.keepFp32.insert(name);
    }
    return setup;
}

}  // namespace qf

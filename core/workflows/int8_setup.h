#pragma once
// How a user's choices become an int8 set-up: the calibration table read in any format, the
// method it should use, the nodes kept in FP32 and the weight granularity. The CLI's --table,
// --method, --keep-fp32 and --per-tensor-weights, and the GUI's project settings, go through it.
#include <optional>
#include <string>
#include <vector>

#include "calibration/table_files.h"
#include "graph/graph.h"
#include "quantize/int8_plan.h"

namespace qf {

struct Int8SetupRequest {
    std::string tablePath;              // JSON, ncnn table or TensorRT cache (told by content)
    std::optional<std::string> method;  // a method name (kl, minmax, ...); JSON tables only
    std::vector<std::string> keepFp32;  // node names, added to those the table keeps
    bool perTensorWeights = false;
    bool biasCorrection = true;  // apply the table's bias corrections where they fit
};

struct Int8Setup {
    LoadedTable loaded;
    Int8Options options;
};

// Throws qf::Error naming the problem: an unreadable table, an unknown method, a method for a
// table that keeps one threshold per tensor, or a keep-FP32 name that is no node of the graph.
Int8Setup setUpInt8(const Graph& graph, const Int8SetupRequest& request);

}  // namespace qf

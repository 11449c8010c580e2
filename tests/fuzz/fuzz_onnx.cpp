// ONNX ModelProto bytes: import, then the graph algorithms every load runs (fold candidates).
#include "formats/onnx/onnx_importer.h"
#include "fuzz_input.h"
#include "passes/fold_batchnorm.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    qffuzz::expectCleanErrors([&] {
        qf::Diagnostics warnings;
        const qf::Graph graph =
            qf::importOnnxFromBytes(qffuzz::bytesOf(data, size), "fuzz.onnx", &warnings);
        qf::findFoldCandidates(graph);
    });
    return 0;
}

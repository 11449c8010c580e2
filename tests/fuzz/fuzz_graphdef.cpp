// TensorFlow GraphDef bytes: import (layout conversion, constant subgraphs), fold candidates,
// and writing the graph back.
#include "formats/tensorflow/tf_exporter.h"
#include "formats/tensorflow/tf_importer.h"
#include "fuzz_input.h"
#include "passes/fold_batchnorm.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    qffuzz::expectCleanErrors([&] {
        qf::Diagnostics warnings;
        const qf::Graph graph =
            qf::importTensorflowFromBytes(qffuzz::bytesOf(data, size), "fuzz.pb", &warnings);
        qf::findFoldCandidates(graph);
        qf::tensorflowGraphBytes(graph);
    });
    return 0;
}

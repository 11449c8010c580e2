// Caffe deploy.prototxt text (with no weights): the text parser, phase rules, layer mapping.
#include "formats/caffe/caffe_importer.h"
#include "fuzz_input.h"
#include "passes/fold_batchnorm.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string& path = qffuzz::fileWith(qffuzz::bytesOf(data, size), ".prototxt");
    qffuzz::expectCleanErrors([&] {
        qf::Diagnostics warnings;
        const qf::Graph graph = qf::importCaffe(path, "", &warnings);
        qf::findFoldCandidates(graph);
    });
    return 0;
}

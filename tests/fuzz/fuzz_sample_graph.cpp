#include "formats/model_io.h"
#include "fuzz_input.h"

namespace qffuzz {

qf::Graph sampleGraph() {
    static const qf::Graph graph = qf::loadModel(QF_SOURCE_DIR "/resources/sample/digits.onnx");
    return graph;
}

}  // namespace qffuzz

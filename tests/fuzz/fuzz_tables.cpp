// The three calibration table formats, each parsed against the bundled sample graph; the
// first byte picks the format, the rest is the text.
#include "calibration/table_json.h"
#include "calibration/table_ncnn.h"
#include "calibration/table_tensorrt.h"
#include "fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0) return 0;
    static const qf::Graph graph = qffuzz::sampleGraph();
    const std::string text = qffuzz::bytesOf(data + 1, size - 1);
    qffuzz::expectCleanErrors([&] {
        switch (data[0] % 3) {
            case 0:
                qf::parseCalibrationJson(text, "fuzz.json");
                break;
            case 1:
                qf::parseNcnnTable(text, "fuzz.table", graph);
                break;
            default:
                qf::parseTensorRtCache(text, "fuzz.cache", &graph);
        }
    });
    return 0;
}

// Caffe .caffemodel bytes read against the bundled sample's deploy.prototxt.
#include "formats/caffe/caffe_importer.h"
#include "fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string& weights = qffuzz::fileWith(qffuzz::bytesOf(data, size), ".caffemodel");
    qffuzz::expectCleanErrors([&] {
        qf::importCaffe(QF_SOURCE_DIR "/resources/sample/digits_deploy.prototxt", weights);
    });
    return 0;
}

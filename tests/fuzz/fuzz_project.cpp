// A QuantFold project file (.qfproj JSON).
#include "fuzz_input.h"
#include "workflows/project_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string& path = qffuzz::fileWith(qffuzz::bytesOf(data, size), ".qfproj");
    qffuzz::expectCleanErrors([&] { qf::readProject(path); });
    return 0;
}

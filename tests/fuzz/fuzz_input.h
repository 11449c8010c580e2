#pragma once
// What every fuzz target shares: the input as a string, a private temporary file for the
// readers that take a path, and the rule that a clean qf::Error is the only acceptable failure
// (anything else escaping, a crash, a leak or a sanitizer report is a finding).
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <fstream>
#include <string>

#include "graph/graph.h"
#include "util/error.h"

namespace qffuzz {

inline std::string bytesOf(const uint8_t* data, size_t size) {
    return std::string(reinterpret_cast<const char*>(data), size);
}

// A file under /tmp holding `bytes`, named with `suffix` (the readers look at it): the next input
// replaces it, and it is removed when the program exits.
inline const std::string& fileWith(const std::string& bytes, const std::string& suffix) {
    struct TemporaryFile {
        std::string path;
        ~TemporaryFile() { std::remove(path.c_str()); }
    };
    static const TemporaryFile file{"/tmp/quantfold-fuzz-" + std::to_string(::getpid()) + "-input" +
                                    suffix};
    std::ofstream(file.path, std::ios::binary | std::ios::trunc) << bytes;
    return file.path;
}

// Runs `read`; a qf::Error (the readers' way to refuse an input) is fine, anything else is left
// to escape, which libFuzzer reports as a crash.
template <typename Read>
void expectCleanErrors(Read read) {
    try {
        read();
    } catch (const qf::Error&) {
    }
}

// The bundled sample graph, for the readers that check a table against a model.
qf::Graph sampleGraph();

}  // namespace qffuzz

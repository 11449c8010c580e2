#pragma once
#include <string>
#include <vector>

namespace qf {

enum class Severity { Error, Warning, Info };

// "error", "warning" or "info": how the CLI and the JSON reports spell a severity.
const char* severityName(Severity severity);

// One problem or remark about an input, as data: the GUI can jump to the file position or
// select the node, the CLI prints text(). Empty strings and zero numbers mean "not known".
struct Diagnostic {
    Severity severity = Severity::Error;
    std::string file;
    int line = 0;    // 1-based
    int column = 0;  // 1-based; only meaningful with a line
    std::string node;
    std::string tensor;
    std::string message;

    // "file:line:col: node 'x': tensor 't': message", leaving out what is not known.
    std::string text() const;
};

using Diagnostics = std::vector<Diagnostic>;

// The 1-based line and column of byte `offset` of `text` (an offset past the end counts as the
// end), for formats whose parsers report byte offsets.
struct TextPosition {
    int line = 1;
    int column = 1;
};
TextPosition textPosition(const std::string& text, size_t offset);

}  // namespace qf

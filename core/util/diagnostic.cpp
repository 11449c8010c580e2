#include "util/diagnostic.h"

#include <algorithm>

namespace qf {

const char* severityName(Severity severity) {
    switch (severity) {
        case Severity::Error:
            return "error";
        case Severity::Warning:
            return "warning";
        case Severity::Info:
            return "info";
    }
    return "error";
}

std::string Diagnostic::text() const {
    std::string out = file;
    if (!file.empty() && line > 0) {
        out += ":" + std::to_string(line);
        if (column > 0) out += ":" + std::to_string(column);
    }
    const auto part = [&out](const std::string& piece) {
        if (!out.empty()) out += ": ";
        out += piece;
    };
    if (!node.empty()) part("node '" + node + "'");
    if (!tensor.empty()) part("tensor '" + tensor + "'");
    if (!message.empty()) part(message);
    return out;
}

TextPosition textPosition(const std::string& text, size_t offset) {
    const size_t end = std::min(offset, text.size());
    TextPosition position;
    size_t lineStart = 0;
    for (size_t k = 0; k < end; ++k) {
        if (text[k] == '\n') {
            ++position.line;
            lineStart = k + 1;
        }
    }
    position.column = static_cast<int>(end - lineStart) + 1;
    return position;
}

}  // namespace qf

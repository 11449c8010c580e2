#pragma once
#include <string>
#include <vector>

namespace qf {

// The lines of a text file's contents, without their '\n' or a Windows '\r'; line k (0-based)
// is what an error message calls line k + 1.
std::vector<std::string> textLines(const std::string& text);

}  // namespace qf

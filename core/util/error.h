#pragma once
#include <stdexcept>
#include <string>

namespace qf {

// The one exception type of the core. Its message is meant for the user as is: it names the
// file, the layer or tensor, and the problem, so callers (CLI, GUI) can show it unchanged.
class Error : public std::runtime_error {
public:
    explicit Error(const std::string& message) : std::runtime_error(message) {}
};

}  // namespace qf

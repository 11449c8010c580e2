#pragma once
#include <stdexcept>
#include <string>

#include "util/diagnostic.h"

namespace qf {

// The one exception type of the core. Its message is meant for the user as is: it names the
// file, the layer or tensor, and the problem, so callers (CLI, GUI) can show it unchanged.
// diagnostic() holds the same facts as fields, for a caller that wants to point at them.
class Error : public std::runtime_error {
public:
    // A message without separate fields: the diagnostic's message is the whole text.
    explicit Error(const std::string& message)
        : std::runtime_error(message), diagnostic_{Severity::Error, {}, 0, 0, {}, {}, message} {}
    // what() is diagnostic.text().
    explicit Error(Diagnostic diagnostic)
        : std::runtime_error(diagnostic.text()), diagnostic_(std::move(diagnostic)) {}
    // For messages whose established wording differs from text() ("layer 'x' (Type): ...",
    // "node 'x' (Op): ..."): what() is `message`, the fields are `diagnostic`.
    Error(Diagnostic diagnostic, const std::string& message)
        : std::runtime_error(message), diagnostic_(std::move(diagnostic)) {}

    const Diagnostic& diagnostic() const { return diagnostic_; }

private:
    Diagnostic diagnostic_;
};

// `error` as raised inside `file`: what() gets the "<file>: " prefix and the diagnostic its
// file, unless it already names one (then the error is passed on unchanged).
[[noreturn]] inline void rethrowInFile(const Error& error, const std::string& file) {
    if (!error.diagnostic().file.empty()) throw error;
    Diagnostic diagnostic = error.diagnostic();
    diagnostic.file = file;
    throw Error(std::move(diagnostic), file + ": " + error.what());
}

}  // namespace qf

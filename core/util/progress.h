#pragma once
#include <atomic>
#include <functional>
#include <string>

namespace qf {

// Passed to every long operation so a window can show a progress bar and a Cancel button.
struct Progress {
    // done out of total steps; what names the step being worked on.
    std::function<void(long done, long total, const std::string& what)> report;
    const std::atomic_bool* cancel = nullptr;

    void step(long done, long total, const std::string& what) const {
        if (report) report(done, total, what);
    }
    bool cancelled() const { return cancel && cancel->load(); }
};

// Thrown when a long operation stops because its cancel flag was set.
struct Cancelled {};

}  // namespace qf

#pragma once
#include <atomic>
#include <exception>
#include <functional>
#include <string>

namespace qf {

// Thrown when a long operation stops because its cancel flag was set.
struct Cancelled : std::exception {
    const char* what() const noexcept override { return "cancelled"; }
};

// Passed to every long operation so a window can show a progress bar and a Cancel button.
// An operation made of several phases gives each a phase() of its own progress: the phases
// share one count, so a bar moves forward through all of them and never jumps back.
struct Progress {
    // done out of total steps; what names the step being worked on.
    std::function<void(long done, long total, const std::string& what)> report;
    const std::atomic_bool* cancel = nullptr;

    void step(long done, long total, const std::string& what) const {
        if (report) report(done, total, what);
    }
    bool cancelled() const { return cancel && cancel->load(std::memory_order_relaxed); }
    void throwIfCancelled() const {
        if (cancelled()) throw Cancelled{};
    }
    // A sub-operation covering steps [offset, offset + span) of `total`: its own `done` of `t`
    // is reported as offset + span * done / t of total. Cancelling this cancels the phase.
    Progress phase(long offset, long span, long total) const {
        Progress sub;
        sub.cancel = cancel;
        if (report) {
            sub.report = [parent = report, offset, span, total](long done, long t,
                                                                const std::string& what) {
                const long mapped = t > 0 ? offset + static_cast<long>(static_cast<double>(span) *
                                                                       done / t)
                                          : offset;
                parent(mapped, total, what);
            };
        }
        return sub;
    }
};

}  // namespace qf

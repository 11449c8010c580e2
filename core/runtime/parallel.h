#pragma once
#include <cstdint>
#include <functional>

namespace qf {

// How many threads the kernels of the calling thread may use: set per run (ScopedThreads, which
// Executor::run uses with ExecutionOptions::threads), not for the whole process, so a GUI's
// background job and a CLI run each choose their own. 0 means all cores.
class ScopedThreads {
public:
    explicit ScopedThreads(int threads);
    ~ScopedThreads();
    ScopedThreads(const ScopedThreads&) = delete;
    ScopedThreads& operator=(const ScopedThreads&) = delete;

private:
    int previous_;
};

// Threads the kernels on this thread use now (at least 1).
int currentThreads();
int hardwareThreads();

// Splits [0, count) into contiguous ranges, one per thread, and calls body(begin, end) for each;
// runs in the caller alone when `parallel` is false, when one thread is allowed, or from inside
// another parallelFor. The workers belong to the calling thread and sleep when idle (after a
// spin of a few microseconds, so back-to-back kernels do not pay for a wake-up), so they never
// starve other threads of the machine the way a spinning OpenMP team does. The range is cut
// into at most `maxChunks` pieces (0: a few per thread, taken first come first served).
void parallelFor(int64_t count, bool parallel,
                 const std::function<void(int64_t begin, int64_t end)>& body,
                 int64_t maxChunks = 0);

}  // namespace qf

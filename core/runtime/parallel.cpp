#include "runtime/parallel.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <exception>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define QF_CPU_RELAX() _mm_pause()
#else
#define QF_CPU_RELAX() ((void)0)
#endif

namespace qf {
namespace {

thread_local int tlsThreads = 0;  // 0: all cores
thread_local bool tlsInsideParallel = false;

// How long an idle worker (or a caller waiting for its workers) spins before it sleeps: long
// enough to bridge the serial code between two kernels of a run, short enough not to matter to
// anyone else once the run is over.
constexpr auto kSpin = std::chrono::microseconds(50);

template <typename Ready>
bool spinUntil(Ready ready) {
    const auto until = std::chrono::steady_clock::now() + kSpin;
    for (int k = 0;; ++k) {
        if (ready()) return true;
        QF_CPU_RELAX();
        if ((k & 63) == 63 && std::chrono::steady_clock::now() > until) return ready();
    }
}

// The workers of one calling thread. run() hands the same job to every worker and to the caller;
// they take contiguous chunks of the range from a shared counter until none is left.
class WorkerTeam {
public:
    explicit WorkerTeam(int workers) {
        threads_.reserve(static_cast<size_t>(workers));
        for (int k = 0; k < workers; ++k) threads_.emplace_back([this] { loop(); });
    }
    ~WorkerTeam() {
        {
            const std::lock_guard<std::mutex> lock(mutex_);
            stop_ = true;
            generation_.fetch_add(1, std::memory_order_release);
        }
        wake_.notify_all();
        for (auto& thread : threads_) thread.join();
    }
    WorkerTeam(const WorkerTeam&) = delete;
    WorkerTeam& operator=(const WorkerTeam&) = delete;

    int workers() const { return static_cast<int>(threads_.size()); }

    void run(int64_t count, int64_t chunks, const std::function<void(int64_t, int64_t)>& body) {
        body_ = &body;
        count_ = count;
        chunks_ = chunks;
        nextChunk_.store(0, std::memory_order_relaxed);
        error_ = nullptr;
        remaining_.store(workers(), std::memory_order_relaxed);
        {
            const std::lock_guard<std::mutex> lock(mutex_);
            generation_.fetch_add(1, std::memory_order_release);
        }
        wake_.notify_all();
        work();
        if (!spinUntil([this] { return remaining_.load(std::memory_order_acquire) == 0; })) {
            std::unique_lock<std::mutex> lock(mutex_);
            done_.wait(lock, [this] { return remaining_.load(std::memory_order_acquire) == 0; });
        }
        if (error_) std::rethrow_exception(error_);
    }

private:
    void work() {
        for (;;) {
            const int64_t chunk = nextChunk_.fetch_add(1, std::memory_order_relaxed);
            if (chunk >= chunks_) return;
            const int64_t begin = count_ * chunk / chunks_, end = count_ * (chunk + 1) / chunks_;
            try {
                (*body_)(begin, end);
            } catch (...) {
                const std::lock_guard<std::mutex> lock(mutex_);
                if (!error_) error_ = std::current_exception();
            }
        }
    }

    void loop() {
        tlsInsideParallel = true;
        uint64_t seen = 0;
        for (;;) {
            const auto changed = [&] {
                return generation_.load(std::memory_order_acquire) != seen;
            };
            if (!spinUntil(changed)) {
                std::unique_lock<std::mutex> lock(mutex_);
                wake_.wait(lock, changed);
            }
            seen = generation_.load(std::memory_order_acquire);
            {
                const std::lock_guard<std::mutex> lock(mutex_);
                if (stop_) return;
            }
            work();
            if (remaining_.fetch_sub(1, std::memory_order_acq_rel) == 1) {
                const std::lock_guard<std::mutex> lock(mutex_);
                done_.notify_one();
            }
        }
    }

    std::vector<std::thread> threads_;
    std::mutex mutex_;
    std::condition_variable wake_, done_;
    std::atomic<uint64_t> generation_{0};
    std::atomic<int> remaining_{0};
    std::atomic<int64_t> nextChunk_{0};
    const std::function<void(int64_t, int64_t)>* body_ = nullptr;
    int64_t count_ = 0, chunks_ = 0;
    std::exception_ptr error_;
    bool stop_ = false;
};

WorkerTeam& teamOf(int workers) {
    thread_local std::unique_ptr<WorkerTeam> team;
    if (!team || team->workers() != workers) {
        team.reset();
        team = std::make_unique<WorkerTeam>(workers);
    }
    return *team;
}

}  // namespace

ScopedThreads::ScopedThreads(int threads) : previous_(tlsThreads) { tlsThreads = threads; }
ScopedThreads::~ScopedThreads() { tlsThreads = previous_; }

int hardwareThreads() {
    static const int count = std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
    return count;
}

int currentThreads() { return tlsThreads > 0 ? tlsThreads : hardwareThreads(); }

void parallelFor(int64_t count, bool parallel,
                 const std::function<void(int64_t begin, int64_t end)>& body, int64_t maxChunks) {
    if (count <= 0) return;
    const int threads = currentThreads();
    if (!parallel || threads <= 1 || count == 1 || tlsInsideParallel) {
        body(0, count);
        return;
    }
    // A few chunks per thread, taken first come first served, so a thread the OS delays
    // (another program, the GUI) does not hold the others back.
    const int64_t chunks =
        std::min<int64_t>(count, maxChunks > 0 ? maxChunks : 4 * static_cast<int64_t>(threads));
    tlsInsideParallel = true;
    try {
        teamOf(threads - 1).run(count, chunks, body);
    } catch (...) {
        tlsInsideParallel = false;
        throw;
    }
    tlsInsideParallel = false;
}

}  // namespace qf

#include "runtime/value_pool.h"

#include <iterator>
#include <mutex>
#include <utility>

namespace qf {
namespace {

struct Pool {
    std::mutex mutex;
    std::vector<std::vector<float>> buffers;
    size_t bytes = 0;
};

// One pool for the process, not one per thread: the desktop app runs each job on whichever
// pooled thread is free, and per-thread pools would each keep up to 64 MB and start cold on
// every thread a job lands on.
Pool& pool() {
    static Pool shared;
    return shared;
}

size_t bytesOf(const std::vector<float>& buffer) { return buffer.capacity() * sizeof(float); }

}  // namespace

Tensor floatsToOverwrite(Shape shape) {
    Tensor t;
    t.shape = std::move(shape);
    const auto count = static_cast<size_t>(allocatableNumel(t.shape));
    Pool& p = pool();
    const std::lock_guard<std::mutex> lock(p.mutex);
    // Only a buffer of exactly this size: shrinking a larger one would leave it too small for
    // the tensor it served before (growing a vector zeroes the new part), so the buffers of
    // repeated runs would decay. Runs of one model ask for the same sizes every time.
    for (auto it = p.buffers.rbegin(); it != p.buffers.rend(); ++it) {
        if (it->size() != count) continue;
        p.bytes -= bytesOf(*it);
        t.f = std::move(*it);
        p.buffers.erase(std::next(it).base());
        return t;
    }
    t.f.assign(count, 0.0f);
    return t;
}

void recycleValues(Tensor& tensor) {
    std::vector<float> buffer = std::move(tensor.f);
    tensor.f.clear();
    if (buffer.empty()) return;
    Pool& p = pool();
    const size_t bytes = bytesOf(buffer);
    if (bytes > kValuePoolBytes) return;
    const std::lock_guard<std::mutex> lock(p.mutex);
    // Full: the buffers given back longest ago go first.
    while (!p.buffers.empty() &&
           (p.bytes + bytes > kValuePoolBytes || p.buffers.size() >= kValuePoolBuffers)) {
        p.bytes -= bytesOf(p.buffers.front());
        p.buffers.erase(p.buffers.begin());
    }
    p.bytes += bytes;
    p.buffers.push_back(std::move(buffer));
}

size_t valuePoolBuffers() {
    const std::lock_guard<std::mutex> lock(pool().mutex);
    return pool().buffers.size();
}
size_t valuePoolBytes() {
    const std::lock_guard<std::mutex> lock(pool().mutex);
    return pool().bytes;
}
void clearValuePool() {
    const std::lock_guard<std::mutex> lock(pool().mutex);
    pool().buffers.clear();
    pool().bytes = 0;
}

}  // namespace qf

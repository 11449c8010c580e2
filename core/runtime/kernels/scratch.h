#pragma once
// Working memory for a kernel call (im2col columns, GEMM accumulators) that is written before it
// is read. Each thread keeps one buffer per element type and slot and reuses it on every call,
// so a convolution does not allocate, fault in and zero megabytes on every image; buffers larger
// than kKeepBytes are allocated for the call alone, so a huge input does not pin its memory.
#include <cstddef>
#include <memory>

namespace qf::kernels {

template <typename T, int Slot = 0>
class Scratch {
public:
    static constexpr size_t kKeepBytes = size_t{64} << 20;

    explicit Scratch(size_t count) {
        if (count * sizeof(T) > kKeepBytes) {
            own_.reset(new T[count]);  // uninitialised on purpose: the caller writes it first
            data_ = own_.get();
            return;
        }
        Kept& kept = keptBuffer();
        if (kept.size < count) {
            kept.data.reset(new T[count]);
            kept.size = count;
        }
        data_ = kept.data.get();
    }
    Scratch(const Scratch&) = delete;
    Scratch& operator=(const Scratch&) = delete;

    T* data() const { return data_; }

private:
    struct Kept {
        std::unique_ptr<T[]> data;
        size_t size = 0;
    };
    // One per thread, type and slot: two live Scratch objects of the same type on one thread
    // need different slots.
    static Kept& keptBuffer() {
        thread_local Kept kept;
        return kept;
    }

    std::unique_ptr<T[]> own_;
    T* data_ = nullptr;
};

}  // namespace qf::kernels

#include "calibration/histogram_worker.h"

namespace qf {

HistogramWorker::HistogramWorker(Add add, bool threaded) : add_(std::move(add)) {
    if (threaded) thread_ = std::thread([this] { work(); });
}

HistogramWorker::~HistogramWorker() {
    if (!thread_.joinable()) return;
    {
        const std::lock_guard<std::mutex> lock(mutex_);
        stopping_ = true;
    }
    changed_.notify_all();
    thread_.join();
}

void HistogramWorker::add(const Values& values) {
    for (const auto& [name, tensor] : values) add_(name, tensor);
}

void HistogramWorker::offer(const std::string& name, const Tensor& value) {
    if (thread_.joinable())
        current_.emplace_back(name, value);
    else
        add_(name, value);
}

void HistogramWorker::endImage() {
    if (!thread_.joinable()) return;
    std::unique_lock<std::mutex> lock(mutex_);
    changed_.wait(lock, [this] { return queue_.empty() || error_; });
    if (error_) std::rethrow_exception(error_);
    queue_.push_back(std::move(current_));
    current_.clear();
    lock.unlock();
    changed_.notify_all();
}

void HistogramWorker::submit(const Values& values) {
    for (const auto& [name, value] : values) offer(name, value);
    endImage();
}

void HistogramWorker::finish() {
    if (!thread_.joinable()) return;
    std::unique_lock<std::mutex> lock(mutex_);
    changed_.wait(lock, [this] { return (queue_.empty() && !busy_) || error_; });
    if (error_) std::rethrow_exception(error_);
}

void HistogramWorker::work() {
    std::unique_lock<std::mutex> lock(mutex_);
    while (true) {
        changed_.wait(lock, [this] { return !queue_.empty() || stopping_; });
        if (queue_.empty()) return;  // stopping, nothing left
        Values values = std::move(queue_.front());
        queue_.clear();
        busy_ = true;
        lock.unlock();
        changed_.notify_all();  // the queue has room again
        try {
            add(values);
        } catch (...) {
            lock.lock();
            error_ = std::current_exception();
            busy_ = false;
            changed_.notify_all();
            return;
        }
        values.clear();  // free the copies outside the lock
        lock.lock();
        busy_ = false;
        changed_.notify_all();
    }
}

}  // namespace qf

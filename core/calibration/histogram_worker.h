#pragma once
// Calibration's histograms, collected on a thread of their own while the next image runs: the
// histograms of one image's tensors cost about a third of its FP32 inference (ResNet-20), and a
// run whose kernels leave a core idle can hide that cost there. Images are added in the order
// they come, one at a time, so the histograms are exactly those of adding them inline.
#include <condition_variable>
#include <exception>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "graph/tensor.h"

namespace qf {

class HistogramWorker {
public:
    using Values = std::vector<std::pair<std::string, Tensor>>;

    using Add = std::function<void(const std::string& name, const Tensor& value)>;

    // Calls `add` for every tensor offered, in order, on the worker thread (what it touches
    // nobody else may until finish()). With `threaded` false, offer() adds inline, uncopied.
    HistogramWorker(Add add, bool threaded);
    ~HistogramWorker();  // waits for the worker; an error it met is dropped (call finish())
    HistogramWorker(const HistogramWorker&) = delete;
    HistogramWorker& operator=(const HistogramWorker&) = delete;

    // One tensor of the current image: copied for the worker, or added at once when inline.
    void offer(const std::string& name, const Tensor& value);
    // The current image is complete: hands its tensors to the worker, waiting while the
    // previous image's are still queued (at most two images' tensors are held). Rethrows an
    // error the worker met.
    void endImage();
    // offer() for each of an image's tensors, then endImage().
    void submit(const Values& values);
    // Waits until every submitted image is added; rethrows an error the worker met.
    void finish();

private:
    void add(const Values& values);
    void work();

    Add add_;
    Values current_;
    std::mutex mutex_;
    std::condition_variable changed_;
    std::vector<Values> queue_;  // at most one waiting
    bool busy_ = false, stopping_ = false;
    std::exception_ptr error_;
    std::thread thread_;
};

}  // namespace qf

// Calibration's histogram worker (calibration/histogram_worker.h): on its own thread it adds
// the images' tensors in the order they were submitted, so the histograms equal adding them
// inline, including the bin merges a growing range causes; an error in the worker reaches the
// caller; and calibrate() gives the same table whether a core was free for the worker (kernels
// on 1 thread) or not (kernels on every core).
#include <QtTest>
#include <random>
#include <stdexcept>

#include "calibration/calibrator.h"
#include "calibration/histogram_worker.h"
#include "formats/model_io.h"
#include "runtime/parallel.h"
#include "test_support.h"

namespace {

bool sameHistogram(const qf::AbsHistogram& a, const qf::AbsHistogram& b) {
    return a.counts() == b.counts() && a.range() == b.range() && a.min() == b.min() &&
           a.max() == b.max() && a.total() == b.total() && a.zeros() == b.zeros();
}

}  // namespace

class TestHistogramWorker : public QObject {
    Q_OBJECT

private slots:
    void threadedEqualsInline() {
        // 40 images of two tensors whose magnitudes grow, so the range grows and bins merge.
        std::mt19937 random(3);
        std::vector<qf::HistogramWorker::Values> images;
        for (int image = 0; image < 40; ++image) {
            qf::HistogramWorker::Values values;
            for (const char* name : {"a", "b"}) {
                std::normal_distribution<float> normal(0.0f, 1.0f + image * 0.5f);
                qf::Tensor t = qf::Tensor::floats({1000});
                for (float& v : t.f) v = normal(random);
                values.emplace_back(name, std::move(t));
            }
            images.push_back(std::move(values));
        }
        std::map<std::string, qf::AbsHistogram> inline_, threaded;
        for (const bool useThread : {false, true}) {
            auto& target = useThread ? threaded : inline_;
            qf::HistogramWorker worker(
                [&target](const std::string& name, const qf::Tensor& value) {
                    target[name].add(value.f.data(), static_cast<int64_t>(value.f.size()));
                },
                useThread);
            for (const auto& values : images) worker.submit(values);
            worker.finish();
        }
        QCOMPARE(threaded.size(), size_t{2});
        for (const auto& [name, histogram] : inline_)
            QVERIFY2(sameHistogram(histogram, threaded.at(name)), name.c_str());
    }

    void anErrorInTheWorkerReachesTheCaller() {
        qf::HistogramWorker worker(
            [](const std::string& name, const qf::Tensor&) {
                if (name == "bad") throw std::runtime_error("cannot add 'bad'");
            },
            true);
        qf::HistogramWorker::Values bad;
        bad.emplace_back("bad", qf::Tensor::floats({4}));
        worker.submit(bad);
        bool thrown = false;
        try {
            for (int k = 0; k < 3; ++k) worker.submit(bad);  // the error surfaces here ...
            worker.finish();                                 // ... or here at the latest
        } catch (const std::runtime_error& error) {
            thrown = std::string(error.what()) == "cannot add 'bad'";
        }
        QVERIFY(thrown);
    }

    void abandonedWorkDoesNotHang() {
        int added = 0;
        {
            qf::HistogramWorker worker([&added](const std::string&, const qf::Tensor&) { ++added; },
                                       true);
            qf::HistogramWorker::Values values;
            values.emplace_back("x", qf::Tensor::floats({4}));
            worker.submit(values);
            worker.submit(values);
        }  // destroyed without finish(), as when calibration is cancelled
        QVERIFY(added <= 2);
    }

    void calibrationGivesTheSameTableEitherWay() {
        if (qf::hardwareThreads() < 2) QSKIP("one core: the worker never runs on its own thread");
        const qf::Graph graph = qf::loadModel(qftest::sourcePath("resources/sample/digits.onnx"));
        const qf::ImageFolder folder =
            qf::openImageFolder(qftest::sourcePath("resources/sample/images"));
        qf::CalibrationOptions options;
        options.pre =
            qftest::preprocessing(16, 16, 1.0f / 255, {0.5f, 0.5f, 0.5f}, {0.5f, 0.5f, 0.5f});
        options.method = qf::ThresholdMethod::Kl;
        qf::CalibrationTable withWorker, withoutWorker;
        {
            const qf::ScopedThreads threads(1);  // a core free: the worker thread collects
            withWorker = qf::calibrate(graph, folder, options);
        }
        {
            const qf::ScopedThreads threads(qf::hardwareThreads());  // inline
            withoutWorker = qf::calibrate(graph, folder, options);
        }
        QVERIFY(!withWorker.tensors.empty());
        QCOMPARE(withWorker.images, withoutWorker.images);
        QCOMPARE(withWorker.tensors.size(), withoutWorker.tensors.size());
        for (const auto& [name, calibration] : withWorker.tensors) {
            const auto other = withoutWorker.tensors.find(name);
            QVERIFY2(other != withoutWorker.tensors.end(), name.c_str());
            QVERIFY2(sameHistogram(calibration.histogram, other->second.histogram), name.c_str());
            QCOMPARE(calibration.threshold(), other->second.threshold());
        }
    }
};

QTEST_MAIN(TestHistogramWorker)
#include "test_histogram_worker.moc"

// The runtime's worker threads: every index runs exactly once, thread counts are per calling
// thread (not global), errors reach the caller, and a run stops between nodes when cancelled.
#include <QtTest>
#include <atomic>
#include <set>
#include <stdexcept>
#include <thread>

#include "graph_builder.h"
#include "runtime/executor.h"
#include "runtime/parallel.h"
#include "util/progress.h"

class TestParallel : public QObject {
    Q_OBJECT

private slots:
    void coversEveryIndexOnce() {
        for (const int threads : {1, 2, 3, 7}) {
            const qf::ScopedThreads scoped(threads);
            for (const int64_t count : {1, 2, 5, 64, 1000, 12345}) {
                std::vector<std::atomic<int>> hits(static_cast<size_t>(count));
                qf::parallelFor(count, true, [&](int64_t begin, int64_t end) {
                    QVERIFY(begin < end);
                    for (int64_t k = begin; k < end; ++k) ++hits[static_cast<size_t>(k)];
                });
                for (int64_t k = 0; k < count; ++k)
                    QCOMPARE(hits[static_cast<size_t>(k)].load(), 1);
            }
        }
    }

    void usesSeveralThreadsWhenAllowed() {
        const qf::ScopedThreads scoped(3);
        std::mutex mutex;
        std::set<std::thread::id> seen;
        // Enough chunks, each slow enough, that the workers must take some.
        qf::parallelFor(12, true, [&](int64_t, int64_t) {
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
            const std::lock_guard<std::mutex> lock(mutex);
            seen.insert(std::this_thread::get_id());
        });
        QVERIFY2(seen.size() >= 2, "no worker took part");
    }

    void serialWhenNotParallelOrOneThread() {
        const auto caller = std::this_thread::get_id();
        bool onCaller = true;
        qf::parallelFor(100, false, [&](int64_t, int64_t) {
            onCaller = onCaller && std::this_thread::get_id() == caller;
        });
        QVERIFY(onCaller);
        const qf::ScopedThreads one(1);
        qf::parallelFor(100, true, [&](int64_t begin, int64_t end) {
            QCOMPARE(begin, int64_t{0});
            QCOMPARE(end, int64_t{100});
        });
    }

    void nestedCallsRunInline() {
        const qf::ScopedThreads scoped(2);
        std::atomic<int64_t> total{0};
        qf::parallelFor(8, true, [&](int64_t begin, int64_t end) {
            for (int64_t k = begin; k < end; ++k)
                qf::parallelFor(10, true, [&](int64_t b, int64_t e) { total += e - b; });
        });
        QCOMPARE(total.load(), int64_t{80});
    }

    void threadCountIsPerCallingThread() {
        const qf::ScopedThreads scoped(3);
        QCOMPARE(qf::currentThreads(), 3);
        int other = 0;
        std::thread([&other] { other = qf::currentThreads(); }).join();
        QCOMPARE(other, qf::hardwareThreads());
        {
            const qf::ScopedThreads inner(1);
            QCOMPARE(qf::currentThreads(), 1);
        }
        QCOMPARE(qf::currentThreads(), 3);
    }

    void errorsReachTheCaller() {
        const qf::ScopedThreads scoped(2);
        bool thrown = false;
        try {
            qf::parallelFor(100, true, [](int64_t begin, int64_t) {
                if (begin > 0) throw std::runtime_error("worker failed");
            });
        } catch (const std::runtime_error& error) {
            thrown = std::string(error.what()) == "worker failed";
        }
        QVERIFY(thrown);
        // The team still works afterwards.
        std::atomic<int64_t> sum{0};
        qf::parallelFor(100, true, [&](int64_t begin, int64_t end) { sum += end - begin; });
        QCOMPARE(sum.load(), int64_t{100});
    }

    void executorStopsBetweenNodesWhenCancelled() {
        qftest::GraphBuilder builder;
        builder.input("x", {1, 4});
        builder.node("first", "Relu", {"x"}, {"a"});
        builder.node("second", "Relu", {"a"}, {"b"});
        builder.output("b");
        const qf::Graph graph = builder.graph();
        const qf::Executor executor(graph);
        const qf::TensorMap feeds{{"x", qf::Tensor::floats({1, 4}, 1.0f)}};
        std::atomic_bool cancel{false};
        qf::ExecutionOptions options;
        options.cancel = &cancel;
        options.threads = 2;
        int ran = 0;
        const auto observer = [&](const qf::Node&, const std::string&, const qf::Tensor&) {
            ++ran;
            cancel = true;  // cancelled while the first node's result is handed over
        };
        bool cancelled = false;
        try {
            executor.run(feeds, observer, false, options);
        } catch (const qf::Cancelled& error) {
            cancelled = std::string(error.what()) == "cancelled";
        }
        QVERIFY(cancelled);
        QCOMPARE(ran, 1);
        cancel = false;
        QCOMPARE(executor.run(feeds, nullptr, false, options).at("b").f,
                 std::vector<float>(4, 1.0f));
    }
};

QTEST_GUILESS_MAIN(TestParallel)
#include "test_parallel.moc"

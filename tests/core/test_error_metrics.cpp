// The error metrics every comparison reports (cosine, SQNR, max |Δ|, worst-image cosine),
// against hand-computed values and a plain long-double reference, and independent of the
// number of threads that measured them.
#include <QtTest>
#include <cmath>
#include <limits>
#include <random>

#include "evaluate/error_metrics.h"
#include "runtime/parallel.h"

class TestErrorMetrics : public QObject {
    Q_OBJECT

private slots:
    void handComputed() {
        // reference (3, 4), test (3, 0): dot 9, |r|^2 25, |t|^2 9, error (0, 4) → power 16.
        const float reference[] = {3.0f, 4.0f}, test[] = {3.0f, 0.0f};
        qf::ErrorAccumulator e;
        e.add(reference, test, 2);
        QCOMPARE(e.cosine(), 9.0 / (5.0 * 3.0));
        QCOMPARE(e.sqnrDb(), 10.0 * std::log10(25.0 / 16.0));
        QCOMPARE(e.maxAbsDiff(), 4.0);
        QCOMPARE(e.worstImageCosine(), 0.6);
        // A second, identical image: the sums double, the cosine stays, the worst stays.
        const float same[] = {1.0f, 2.0f};
        e.add(same, same, 2);
        QCOMPARE(e.cosine(), (9.0 + 5.0) / (std::sqrt(30.0) * std::sqrt(14.0)));
        QCOMPARE(e.worstImageCosine(), 0.6);
        QCOMPARE(e.maxAbsDiff(), 4.0);
        qf::ErrorAccumulator exact;
        exact.add(same, same, 2);
        QCOMPARE(exact.sqnrDb(), std::numeric_limits<double>::infinity());
        QCOMPARE(exact.cosine(), 1.0);
    }

    void nanIsSticky() {
        const float reference[] = {1.0f, 2.0f}, test[] = {1.0f, std::nanf("")};
        qf::ErrorAccumulator e;
        e.add(reference, test, 2);
        QVERIFY(std::isnan(e.maxAbsDiff()));
        e.add(reference, reference, 2);
        QVERIFY(std::isnan(e.maxAbsDiff()));
    }

    // Many blocks (the sums run in parallel blocks): equal to a long-double reference to
    // rounding, and bit-identical at 1 and 2 threads.
    void largeInputsMatchReferenceAtAnyThreadCount() {
        std::mt19937 random(3);
        std::normal_distribution<float> normal(0.0f, 2.0f);
        const size_t count = 1000003;
        std::vector<float> reference(count), test(count);
        for (size_t k = 0; k < count; ++k) {
            reference[k] = normal(random);
            test[k] = reference[k] + 0.05f * normal(random);
        }
        long double dot = 0, a = 0, b = 0, power = 0, largest = 0;
        for (size_t k = 0; k < count; ++k) {
            const long double x = reference[k], y = test[k];
            dot += x * y;
            a += x * x;
            b += y * y;
            power += (x - y) * (x - y);
            largest = std::max(largest, std::fabs(x - y));
        }
        const double cosine = static_cast<double>(dot / (std::sqrt(a) * std::sqrt(b)));
        const double sqnr = static_cast<double>(10.0L * std::log10(a / power));
        std::vector<qf::ErrorAccumulator> byThreads;
        for (const int threads : {1, 2}) {
            const qf::ScopedThreads scoped(threads);
            qf::ErrorAccumulator e;
            e.add(reference.data(), test.data(), static_cast<int64_t>(count));
            QVERIFY(std::abs(e.cosine() - cosine) < 1e-12);
            QVERIFY(std::abs(e.sqnrDb() - sqnr) < 1e-9);
            QCOMPARE(e.maxAbsDiff(), static_cast<double>(largest));
            byThreads.push_back(e);
        }
        QCOMPARE(byThreads[0].cosine(), byThreads[1].cosine());
        QCOMPARE(byThreads[0].sqnrDb(), byThreads[1].sqnrDb());
    }
};

QTEST_GUILESS_MAIN(TestErrorMetrics)
#include "test_error_metrics.moc"

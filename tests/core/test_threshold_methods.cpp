// Threshold methods and the streaming histogram on generated data with known answers.
#include <QElapsedTimer>
#include <QtTest>
#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include "thresholds/histogram.h"
#include "thresholds/threshold_methods.h"

namespace {

qf::AbsHistogram histogramOf(const std::vector<float>& values) {
    qf::AbsHistogram histogram;
    histogram.add(values.data(), static_cast<int64_t>(values.size()));
    return histogram;
}

std::vector<float> uniformValues(size_t count, unsigned seed) {
    std::mt19937 random(seed);
    std::uniform_real_distribution<float> uniform(0.0f, 1.0f);
    std::vector<float> values(count);
    for (auto& v : values) v = uniform(random);
    return values;
}

// Laplace(0, b): an exponential magnitude with a random sign.
std::vector<float> laplaceValues(size_t count, double b, unsigned seed) {
    std::mt19937 random(seed);
    std::exponential_distribution<double> magnitude(1.0 / b);
    std::bernoulli_distribution negative(0.5);
    std::vector<float> values(count);
    for (auto& v : values)
        v = static_cast<float>(negative(random) ? -magnitude(random) : magnitude(random));
    return values;
}

std::vector<float> gaussianValues(size_t count, double sigma, unsigned seed) {
    std::mt19937 random(seed);
    std::normal_distribution<double> normal(0.0, sigma);
    std::vector<float> values(count);
    for (auto& v : values) v = static_cast<float>(normal(random));
    return values;
}

bool finitePositive(double value) { return std::isfinite(value) && value > 0.0; }

}  // namespace

class TestThresholdMethods : public QObject {
    Q_OBJECT

private slots:
    void rangeGrowsFromTinyAndDenormalValues() {
        for (const float tiny : {1e-20f, 1e-40f}) {
            qf::AbsHistogram histogram;
            histogram.add(&tiny, 1);
            const std::vector<float> later = {1.0f, -0.5f, 0.25f};
            histogram.add(later.data(), static_cast<int64_t>(later.size()));
            double total = 0.0;
            for (const double c : histogram.counts()) total += c;
            QCOMPARE(total, 4.0);
            QVERIFY(histogram.range() >= 1.0);
            QCOMPARE(histogram.counts().back() > 0.0 ||
                         histogram.counts()[histogram.counts().size() / 2] > 0.0,
                     true);
            for (const auto method : qf::allThresholdMethods()) {
                const double threshold = qf::computeThreshold(histogram, method);
                // KL's threshold is a bin centre, up to half a bin past the range's end.
                QVERIFY2(std::isfinite(threshold) && threshold > 0.0 &&
                             threshold <= histogram.range() * (1.0 + 1.0 / 2048),
                         qf::methodName(method).c_str());
            }
        }
    }

    void uniformKeepsTheRange() {
        const std::vector<float> values = uniformValues(200000, 1);
        const qf::AbsHistogram histogram = histogramOf(values);
        const double max = *std::max_element(values.begin(), values.end());
        QVERIFY(histogram.absMax() == max);
        QVERIFY(qf::minMaxThreshold(histogram) == max);
        const double kl = qf::klThreshold(histogram);
        QVERIFY2(kl > 0.9 * max, qPrintable(QString("kl %1, max %2").arg(kl).arg(max)));
        const double p9999 = qf::percentileThreshold(histogram, 99.99);
        QVERIFY2(std::abs(p9999 - max) < 0.002, qPrintable(QString::number(p9999)));
        const double median = qf::percentileThreshold(histogram, 50.0);
        QVERIFY2(std::abs(median - 0.5) < 0.005, qPrintable(QString::number(median)));
        // Uniform data has nothing to clip: mse keeps most of the range too.
        QVERIFY(qf::mseThreshold(histogram, 127) > 0.9 * max);
    }

    void laplaceWithOutliersIsClipped() {
        std::vector<float> values = laplaceValues(1000000, 1.0, 2);
        values.insert(values.end(), 10, 1000.0f);
        const qf::AbsHistogram histogram = histogramOf(values);
        QVERIFY(qf::minMaxThreshold(histogram) == 1000.0);
        // KL's candidates keep at least 128 of the 2048 bins, so with the range stretched to 1000
        // by the outliers it cannot clip below 1000/16: here it goes as low as it can.
        const double kl = qf::klThreshold(histogram);
        QVERIFY2(kl < 0.07 * 1000.0, qPrintable(QString::number(kl)));
        QVERIFY(kl == (128 + 0.5) * histogram.binWidth());
        // Ten outliers among a million values: their clipping error is smaller than the
        // rounding error a 1000 threshold would give the rest.
        const double mse = qf::mseThreshold(histogram, 127);
        QVERIFY2(mse < 900.0, qPrintable(QString::number(mse)));
        // ACIQ fits a Laplace with b = E|x| (1.01 here, with the outliers): 9.89 b.
        const double aciq = qf::aciqThreshold(histogram);
        QVERIFY2(std::abs(aciq - 9.89) < 0.05 * 9.89, qPrintable(QString::number(aciq)));
        qInfo("laplace b=1 + 10 outliers at 1000: kl %.3f, mse %.3f, aciq %.3f, p99.99 %.3f", kl,
              mse, aciq, qf::percentileThreshold(histogram, 99.99));
    }

    void gaussianAciqUsesTheGaussianFit() {
        const double sigma = 2.0;
        const qf::AbsHistogram histogram = histogramOf(gaussianValues(1000000, sigma, 3));
        const double aciq = qf::aciqThreshold(histogram);
        QVERIFY2(std::abs(aciq - 3.92 * sigma) < 0.02 * 3.92 * sigma,
                 qPrintable(QString::number(aciq)));
        const double kl = qf::klThreshold(histogram);
        QVERIFY2(kl > 2.0 * sigma && kl <= histogram.absMax() + histogram.binWidth(),
                 qPrintable(QString::number(kl)));
    }

    void degenerateHistogramsGiveFinitePositiveThresholds() {
        const std::vector<float> zeros(1000, 0.0f);
        const qf::AbsHistogram allZero = histogramOf(zeros);
        QVERIFY(!allZero.empty());
        QVERIFY(allZero.range() == 0.0);
        QCOMPARE(allZero.counts()[0], 1000.0);
        const qf::AbsHistogram empty;
        QVERIFY(empty.empty());
        for (const auto method : qf::allThresholdMethods()) {
            const QByteArray name = QByteArray::fromStdString(qf::methodName(method));
            QVERIFY2(finitePositive(qf::computeThreshold(allZero, method)), name.constData());
            QVERIFY2(finitePositive(qf::computeThreshold(empty, method)), name.constData());
        }
        // One value: every method still gives a usable threshold.
        const qf::AbsHistogram single = histogramOf({-3.0f});
        for (const auto method : qf::allThresholdMethods())
            QVERIFY(finitePositive(qf::computeThreshold(single, method)));
        QCOMPARE(single.min(), -3.0);
        QCOMPARE(single.max(), -3.0);
        QCOMPARE(qf::computeThreshold(single, qf::ThresholdMethod::MinMax), 3.0);
    }

    void growingRangeRebinsExactly() {
        // First [0, 1), then up to 10. The first range is just above 1.0; 10.0 makes it grow by
        // exactly 10, to just above 10.0: the same range a histogram of all values at once gets,
        // so every old bin of 10 lands whole in one new bin and the two must agree exactly.
        // Values sit mid-bin at both ranges, away from rounding at the edges.
        std::vector<float> first, second;
        for (int k = 0; k < 2047; ++k) first.push_back(static_cast<float>(2 * k + 1) / 4096.0f);
        first.push_back(1.0f);
        for (int k = 0; k < 2048; k += 7)
            second.push_back(static_cast<float>(2 * k + 1) * 5.0f / 2048.0f);
        second.push_back(-10.0f);

        qf::AbsHistogram streamed;
        streamed.add(first.data(), static_cast<int64_t>(first.size()));
        QVERIFY(streamed.range() > 1.0 && streamed.range() < 1.0 + 1e-12);
        QCOMPARE(streamed.counts()[0], 1.0);
        streamed.add(second.data(), static_cast<int64_t>(second.size()));

        std::vector<float> all = first;
        all.insert(all.end(), second.begin(), second.end());
        const qf::AbsHistogram atOnce = histogramOf(all);

        QVERIFY(streamed.range() == atOnce.range());
        QVERIFY(streamed.range() > 10.0 && streamed.range() < 10.0 + 1e-12);
        QVERIFY(streamed.total() == static_cast<double>(all.size()));
        QVERIFY(streamed.counts() == atOnce.counts());
        QCOMPARE(streamed.min(), -10.0);
        QCOMPARE(streamed.max(),
                 static_cast<double>(second[second.size() - 2]));  // the largest positive
        QCOMPARE(streamed.absMax(), 10.0);
        // 10 bins of the first histogram merged into bin 0.
        QCOMPARE(streamed.counts()[0], 10.0 + 1.0);
    }

    // A first batch sets the range; later batches with smaller values, zeros (a ReLU's), NaN
    // and infinities land in the bins the definition gives: bin = floor(|x| * bins / range),
    // each value once, zeros in bin 0, non-finite values nowhere.
    void laterSmallerBatchesCountEveryValueInItsBin() {
        const float nan = std::numeric_limits<float>::quiet_NaN();
        const float inf = std::numeric_limits<float>::infinity();
        std::vector<std::vector<float>> batches = {{-8.0f, 3.0f, 0.0f}};
        std::mt19937 random(7);
        std::uniform_real_distribution<float> uniform(-2.0f, 2.0f);
        std::bernoulli_distribution zero(0.5);
        for (int b = 0; b < 5; ++b) {
            std::vector<float> batch(1001 + b);
            for (auto& v : batch) v = zero(random) ? 0.0f : uniform(random) * 0.35f * (b + 1);
            batch[17] = nan;
            batch[400] = -inf;
            batches.push_back(batch);
        }
        qf::AbsHistogram histogram;
        for (const auto& batch : batches)
            histogram.add(batch.data(), static_cast<int64_t>(batch.size()));
        const size_t bins = histogram.counts().size();
        std::vector<double> expected(bins, 0.0);
        double finite = 0.0;
        for (const auto& batch : batches)
            for (const float v : batch) {
                if (!std::isfinite(v)) continue;
                const double bin = std::floor(std::fabs(v) * static_cast<double>(bins) /
                                              histogram.range());
                expected[std::min(bins - 1, static_cast<size_t>(bin))] += 1.0;
                finite += 1.0;
            }
        QVERIFY(histogram.range() > 8.0 && histogram.range() < 8.0 + 1e-5);
        QCOMPARE(histogram.total(), finite);
        // Float and double arithmetic may place a value on a bin edge differently: allow a value
        // to move by one bin, never to vanish.
        double moved = 0.0;
        for (size_t k = 0; k < bins; ++k) moved += std::fabs(histogram.counts()[k] - expected[k]);
        QVERIFY2(moved <= 4.0, std::to_string(moved).c_str());
        QCOMPARE(histogram.counts()[0], expected[0]);
    }

    void nonFiniteValuesAreIgnored() {
        const float nan = std::numeric_limits<float>::quiet_NaN();
        const float inf = std::numeric_limits<float>::infinity();
        const std::vector<float> values = {nan, 0.5f, -inf, -2.0f, inf, 1.0f, nan};
        const qf::AbsHistogram histogram = histogramOf(values);
        QCOMPARE(histogram.total(), 3.0);
        QCOMPARE(histogram.min(), -2.0);
        QCOMPARE(histogram.max(), 1.0);
        QCOMPARE(histogram.absMax(), 2.0);
        const qf::AbsHistogram onlyNan = histogramOf({nan, nan});
        QVERIFY(onlyNan.empty());
        for (const auto method : qf::allThresholdMethods()) {
            QVERIFY(finitePositive(qf::computeThreshold(histogram, method)));
            QVERIFY(finitePositive(qf::computeThreshold(onlyNan, method)));
        }
    }

    void allMethodsOnSixtyHistogramsAreFast() {
        // Sixty activations of a mid-sized network: ReLU'd Gaussians, Laplaces with outliers.
        std::vector<qf::AbsHistogram> histograms;
        for (int k = 0; k < 60; ++k) {
            std::vector<float> values = k % 2 ? laplaceValues(20000, 0.5 + k * 0.1, 100 + k)
                                              : gaussianValues(20000, 1.0 + k * 0.05, 100 + k);
            if (k % 3 == 0)
                for (auto& v : values) v = std::max(v, 0.0f);
            if (k % 5 == 0) values.push_back(100.0f + k);
            histograms.push_back(histogramOf(values));
            QCOMPARE(histograms.back().counts().size(), size_t{2048});
        }
        QElapsedTimer timer;
        timer.start();
        double sum = 0.0;
        for (const auto& histogram : histograms)
            for (const auto method : qf::allThresholdMethods())
                sum += qf::computeThreshold(histogram, method);
        const qint64 ms = timer.elapsed();
        qInfo("all %zu methods on 60 histograms of 2048 bins: %lld ms",
              qf::allThresholdMethods().size(), static_cast<long long>(ms));
        QVERIFY(std::isfinite(sum));
        QVERIFY2(ms < 2000, qPrintable(QString("%1 ms").arg(ms)));
    }
};

QTEST_GUILESS_MAIN(TestThresholdMethods)
#include "test_threshold_methods.moc"

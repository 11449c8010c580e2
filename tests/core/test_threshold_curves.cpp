// The kl and mse objective curves the GUI plots: each value against a direct (slow, unshared)
// evaluation of the objective, and each method's threshold at its curve's minimum.
#include <QtTest>
#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include "thresholds/histogram.h"
#include "thresholds/threshold_methods.h"

namespace {

qf::AbsHistogram reluLikeHistogram(unsigned seed) {
    std::mt19937 random(seed);
    std::normal_distribution<float> normal(0.0f, 1.0f);
    std::vector<float> values(60000);
    for (auto& v : values) v = std::max(0.0f, normal(random));  // half exact zeros
    values[17] = 9.0f;                                          // an outlier
    qf::AbsHistogram histogram;
    histogram.add(values.data(), static_cast<int64_t>(values.size()));
    return histogram;
}

// KL(P || Q) of candidate i written out as TensorRT's reference describes it.
double directKl(const qf::AbsHistogram& histogram, int i, int levels) {
    std::vector<double> hist = histogram.counts();
    hist[0] = std::max(0.0, hist[0] - histogram.zeros());
    double total = 0.0;
    for (double h : hist) total += h;
    std::vector<double> p(hist.begin(), hist.begin() + i);
    for (size_t k = static_cast<size_t>(i); k < hist.size(); ++k)
        p[static_cast<size_t>(i) - 1] += hist[k];
    double qTotal = 0.0;
    for (int k = 0; k < i; ++k) qTotal += hist[static_cast<size_t>(k)];
    const double merged = static_cast<double>(i) / levels;
    double kl = 0.0;
    for (int level = 0; level < levels; ++level) {
        const auto start = static_cast<int>(level * merged);
        const int end = level == levels - 1 ? i : static_cast<int>((level + 1) * merged);
        double levelMass = 0.0;
        int nonEmpty = 0;
        for (int k = start; k < end; ++k) {
            levelMass += hist[static_cast<size_t>(k)];
            nonEmpty += p[static_cast<size_t>(k)] != 0.0;
        }
        if (nonEmpty == 0) continue;
        const double q = std::max(levelMass / nonEmpty / qTotal, 1e-12);
        for (int k = start; k < end; ++k) {
            const double pk = p[static_cast<size_t>(k)] / total;
            if (pk > 0.0) kl += pk * std::log(pk / q);
        }
    }
    return kl;
}

}  // namespace

class TestThresholdCurves : public QObject {
    Q_OBJECT
private slots:
    void klCurveMatchesDirectKl() {
        const qf::AbsHistogram histogram = reluLikeHistogram(3);
        const qf::ThresholdCurve curve = qf::klDivergenceCurve(histogram, 128);
        QVERIFY(curve.thresholds.size() > 100);
        QCOMPARE(curve.thresholds.size(), curve.values.size());
        const double width = histogram.binWidth();
        for (size_t k = 0; k < curve.thresholds.size(); k += 37) {
            const int i = static_cast<int>(std::lround(curve.thresholds[k] / width - 0.5));
            const double expected = directKl(histogram, i, 128);
            QVERIFY2(
                std::abs(curve.values[k] - expected) <= 1e-9 * std::max(1.0, expected),
                qPrintable(
                    QString("candidate %1: %2 vs %3").arg(i).arg(curve.values[k]).arg(expected)));
        }
        QVERIFY(std::is_sorted(curve.thresholds.begin(), curve.thresholds.end()));
    }
    void klThresholdIsTheCurveMinimum() {
        for (unsigned seed : {1u, 2u, 5u}) {
            const qf::AbsHistogram histogram = reluLikeHistogram(seed);
            const qf::ThresholdCurve curve = qf::klDivergenceCurve(histogram, 128);
            const auto best = std::min_element(curve.values.begin(), curve.values.end());
            const double atMinimum =
                curve.thresholds[static_cast<size_t>(best - curve.values.begin())];
            QCOMPARE(qf::klThreshold(histogram, 128), atMinimum);
            // The outlier is clipped: KL does not keep the whole range.
            QVERIFY(atMinimum < 0.8 * histogram.absMax());
        }
    }
    void mseCurveMatchesDirectError() {
        const qf::AbsHistogram histogram = reluLikeHistogram(7);
        const int levels = 255;
        const qf::ThresholdCurve curve = qf::quantizationMseCurve(histogram, levels);
        QVERIFY(!curve.thresholds.empty());
        const auto& counts = histogram.counts();
        const double width = histogram.binWidth();
        for (size_t k = 0; k < curve.thresholds.size(); k += 53) {
            const double t = curve.thresholds[k];
            double error = 0.0;
            for (size_t b = 0; b < counts.size(); ++b) {
                const double center = (static_cast<double>(b) + 0.5) * width;
                if (static_cast<double>(b + 1) * width <= t + 1e-12 * t)
                    error += counts[b] * (t / levels) * (t / levels) / 12.0;
                else
                    error += counts[b] * (center - t) * (center - t);
            }
            error /= histogram.total();
            QVERIFY2(std::abs(curve.values[k] - error) <= 1e-9 * std::max(error, 1e-12),
                     qPrintable(QString("t=%1: %2 vs %3").arg(t).arg(curve.values[k]).arg(error)));
        }
        const auto best = std::min_element(curve.values.begin(), curve.values.end());
        const double atMinimum = curve.thresholds[static_cast<size_t>(best - curve.values.begin())];
        QCOMPARE(qf::mseThreshold(histogram, levels), std::min(atMinimum, histogram.absMax()));
    }
    void emptyHistogramGivesEmptyCurves() {
        const qf::AbsHistogram histogram;
        QVERIFY(qf::klDivergenceCurve(histogram).thresholds.empty());
        QVERIFY(qf::klThreshold(histogram) >= 0.0);
    }
};

QTEST_APPLESS_MAIN(TestThresholdCurves)
#include "test_threshold_curves.moc"

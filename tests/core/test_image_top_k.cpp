// The per-image top-3 of a classifier's comparison: topClasses against hand-worked score
// vectors (ties, NaN, k past the class count), and compareInt8's and the comparison session's
// per-image entries against FP32 and int8 runs of the same images, ranked here by repeated
// argmax (an independent way to rank), with the report's top-1 agreement count.
#include <QtTest>
#include <cmath>
#include <limits>
#include <set>

#include "calibration/calibrator.h"
#include "evaluate/comparison_session.h"
#include "evaluate/int8_comparison.h"
#include "images/image_runner.h"
#include "quantize/int8_model.h"
#include "runtime/executor.h"
#include "test_support.h"
#include "workflows/model_loading.h"

namespace {

// The k best (index, score) pairs by repeated scans for the largest score not taken yet,
// the first index winning a tie.
std::vector<std::pair<int, float>> bestByScans(const std::vector<float>& scores, int k) {
    std::vector<std::pair<int, float>> best;
    std::set<int> taken;
    for (int round = 0; round < k && round < static_cast<int>(scores.size()); ++round) {
        int pick = -1;
        for (int c = 0; c < static_cast<int>(scores.size()); ++c)
            if (!taken.count(c) && (pick < 0 || scores[c] > scores[pick])) pick = c;
        taken.insert(pick);
        best.emplace_back(pick, scores[pick]);
    }
    return best;
}

qf::Preprocessing samplePreprocessing() {
    qf::Preprocessing pre =
        qftest::preprocessing(16, 16, 1.0f / 255, {0.5f, 0.5f, 0.5f}, {0.5f, 0.5f, 0.5f});
    pre.rgb = true;
    return pre;
}

}  // namespace

class TestImageTopK : public QObject {
    Q_OBJECT
private slots:
    void topClassesByHand() {
        const float nan = std::numeric_limits<float>::quiet_NaN();
        // Scores 0.1 0.7 0.7 0.2 NaN: the two 0.7 (lower index first), then 0.2.
        const auto top = qf::topClasses({0.1f, 0.7f, 0.7f, 0.2f, nan}, 3);
        QCOMPARE(top.size(), size_t{3});
        QCOMPARE(top[0].index, 1);
        QCOMPARE(top[1].index, 2);
        QCOMPARE(top[2].index, 3);
        QCOMPARE(top[0].score, 0.7f);
        QCOMPARE(top[2].score, 0.2f);
        // More classes asked than there are: all of them, NaN last.
        const auto all = qf::topClasses({-1.0f, nan, 3.0f}, 5);
        QCOMPARE(all.size(), size_t{3});
        QCOMPARE(all[0].index, 2);
        QCOMPARE(all[1].index, 0);
        QCOMPARE(all[2].index, 1);
        QVERIFY(qf::topClasses({}, 3).empty());
        QVERIFY(qf::topClasses({1.0f}, 0).empty());
    }

    void classVectorShapes() {
        QVERIFY(qf::isClassVector({1, 10}));
        QVERIFY(qf::isClassVector({10}));
        QVERIFY(qf::isClassVector({1, 1000, 1, 1}));
        QVERIFY(!qf::isClassVector({1, 1}));
        QVERIFY(!qf::isClassVector({1, 2, 10, 10}));
        QVERIFY(!qf::isClassVector({}));
        QVERIFY(!qf::isClassVector({1, -1}));
    }

    // The bundled sample (one 10-class output): each image's top-3 as FP32 and int8 give them.
    void comparisonHasEachImagesTopThree() {
        const std::string model = qftest::sourcePath("resources/sample/digits.onnx");
        const qf::ImageFolder folder =
            qf::openImageFolder(qftest::sourcePath("resources/sample/images"));
        const auto graph =
            std::make_shared<const qf::Graph>(qf::loadForQuantization(model, "", true).graph);
        constexpr int kImages = 24;
        qf::CalibrationOptions calibration;
        calibration.pre = samplePreprocessing();
        calibration.maxImages = kImages;
        const auto table = std::make_shared<const qf::CalibrationTable>(
            qf::calibrate(*graph, folder, calibration));
        const qf::Int8Options int8Options;
        qf::ComparisonOptions options;
        options.pre = calibration.pre;
        options.maxImages = kImages;
        const qf::Int8ComparisonReport report =
            qf::compareInt8(*graph, *table, int8Options, folder, options);
        QCOMPARE(report.images, kImages);
        QCOMPARE(static_cast<int>(report.imageTopK.size()), kImages);

        // The reference: both models run here on the same preprocessed images.
        const qf::Executor fp32(graph);
        const qf::Int8Model int8(graph, table, qf::planInt8(*graph, *table, int8Options));
        const qf::ImageInput input = qf::imageInputOf(*graph);
        const std::string output = graph->outputs.front().name;
        int index = 0, agreements = 0;
        qf::forEachImage(
            folder, qf::withModelSize(options.pre, input.shape), input.channels, kImages, {},
            [&](const qf::LabeledImage& image, const qf::Tensor& x) {
                const qf::ImageTopK& mine = report.imageTopK[static_cast<size_t>(index++)];
                QCOMPARE(mine.path, image.path);
                QCOMPARE(mine.label, image.label);
                const auto a = bestByScans(fp32.run({{input.name, x}}).at(output).f, 3);
                const auto b = bestByScans(int8.run({{input.name, x}}).at(output).f, 3);
                QCOMPARE(mine.fp32.size(), size_t{3});
                QCOMPARE(mine.int8.size(), size_t{3});
                for (size_t c = 0; c < 3; ++c) {
                    QCOMPARE(mine.fp32[c].index, a[c].first);
                    QCOMPARE(mine.fp32[c].score, a[c].second);
                    QCOMPARE(mine.int8[c].index, b[c].first);
                    QCOMPARE(mine.int8[c].score, b[c].second);
                }
                QCOMPARE(mine.agrees(), a[0].first == b[0].first);
                agreements += mine.agrees();
            });
        QCOMPARE(index, kImages);
        QCOMPARE(agreements, report.top1Agreements);

        // The incremental session reports the same entries.
        qf::ComparisonSessionOptions sessionOptions;
        sessionOptions.comparison = options;
        qf::ComparisonSession session(graph, folder, sessionOptions);
        const qf::Int8ComparisonReport& live = session.update(*table, int8Options);
        QCOMPARE(live.imageTopK.size(), report.imageTopK.size());
        for (size_t k = 0; k < report.imageTopK.size(); ++k) {
            QCOMPARE(live.imageTopK[k].path, report.imageTopK[k].path);
            for (size_t c = 0; c < 3; ++c) {
                QCOMPARE(live.imageTopK[k].fp32[c].index, report.imageTopK[k].fp32[c].index);
                QCOMPARE(live.imageTopK[k].int8[c].index, report.imageTopK[k].int8[c].index);
                QCOMPARE(live.imageTopK[k].int8[c].score, report.imageTopK[k].int8[c].score);
            }
        }
    }
};

QTEST_MAIN(TestImageTopK)
#include "test_image_top_k.moc"

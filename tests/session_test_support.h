#pragma once
// What the comparison session tests share: the models, calibrated once, and the check of a
// session's report against a fresh compareInt8 after successive edits.
#include <QtTest>
#include <cstring>

#include "calibration/calibrator.h"
#include "evaluate/comparison_session.h"
#include "quantize/int8_edit.h"
#include "test_support.h"
#include "workflows/model_loading.h"

namespace sessiontest {

inline bool sameBits(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }

#define QF_SAME(a, b, what)                                                        \
    QVERIFY2(sameBits((a), (b)), qPrintable(QString("%1: %2 vs %3")                \
                                                .arg(QString::fromStdString(what)) \
                                                .arg((a), 0, 'g', 17)              \
                                                .arg((b), 0, 'g', 17)))

inline void compareReports(const qf::Int8ComparisonReport& session,
                           const qf::Int8ComparisonReport& fresh) {
    QCOMPARE(session.images, fresh.images);
    QCOMPARE(session.skipped.size(), fresh.skipped.size());
    QCOMPARE(session.top1Agreements, fresh.top1Agreements);
    QCOMPARE(session.fp32.labeled, fresh.fp32.labeled);
    QCOMPARE(session.fp32.top1, fresh.fp32.top1);
    QCOMPARE(session.fp32.top5, fresh.fp32.top5);
    QCOMPARE(session.int8.top1, fresh.int8.top1);
    QCOMPARE(session.int8.top5, fresh.int8.top5);
    QCOMPARE(session.fp32Nodes, fresh.fp32Nodes);
    QCOMPARE(session.droppedBiasCorrections.size(), fresh.droppedBiasCorrections.size());
    QCOMPARE(session.outputs.size(), fresh.outputs.size());
    for (size_t k = 0; k < fresh.outputs.size(); ++k) {
        const auto &a = session.outputs[k], &b = fresh.outputs[k];
        QCOMPARE(a.name, b.name);
        QF_SAME(a.cosine, b.cosine, a.name + " cosine");
        QF_SAME(a.worstImageCosine, b.worstImageCosine, a.name + " worst");
        QF_SAME(a.sqnrDb, b.sqnrDb, a.name + " sqnr");
        QF_SAME(a.maxAbsDiff, b.maxAbsDiff, a.name + " max");
    }
    QCOMPARE(session.imageTopK.size(), fresh.imageTopK.size());
    for (size_t k = 0; k < fresh.imageTopK.size(); ++k) {
        const auto &a = session.imageTopK[k], &b = fresh.imageTopK[k];
        QCOMPARE(a.path, b.path);
        QCOMPARE(a.label, b.label);
        QCOMPARE(a.fp32.size(), b.fp32.size());
        QCOMPARE(a.int8.size(), b.int8.size());
        for (size_t c = 0; c < b.fp32.size(); ++c) {
            QCOMPARE(a.fp32[c].index, b.fp32[c].index);
            QCOMPARE(a.fp32[c].score, b.fp32[c].score);
        }
        for (size_t c = 0; c < b.int8.size(); ++c) {
            QCOMPARE(a.int8[c].index, b.int8[c].index);
            QCOMPARE(a.int8[c].score, b.int8[c].score);
        }
    }
    QCOMPARE(session.layers.size(), fresh.layers.size());
    for (size_t k = 0; k < fresh.layers.size(); ++k) {
        const auto &a = session.layers[k], &b = fresh.layers[k];
        QCOMPARE(a.name, b.name);
        QF_SAME(a.cosine, b.cosine, a.name + " cosine");
        QF_SAME(a.sqnrDb, b.sqnrDb, a.name + " sqnr");
        QF_SAME(a.aloneCosine, b.aloneCosine, a.name + " alone cosine");
        QF_SAME(a.aloneSqnrDb, b.aloneSqnrDb, a.name + " alone sqnr");
    }
}

struct Model {
    std::shared_ptr<const qf::Graph> graph;
    qf::CalibrationTable table;
    qf::ImageFolder eval, calibration;
    qf::Preprocessing pre;
    int evalImages = 0;
};

// Calibrated once per test run (the slow part), shared by the test functions.
inline const Model& resnet20() {
    static const Model model = [] {
        const std::string root = qftest::sharedDataRoot() + "/cifar10/";
        Model m;
        m.graph = std::make_shared<const qf::Graph>(
            qf::loadForQuantization(root + "resnet20/resnet20_cifar10.onnx", "", true).graph);
        m.pre = qftest::preprocessing(32, 32, 1.0f / 255, {0.485f, 0.456f, 0.406f},
                                      {0.229f, 0.224f, 0.225f});
        m.calibration = qf::openImageFolder(root + "images/calib");
        m.eval = qf::openImageFolder(root + "images/eval");
        m.evalImages = 50;
        qf::CalibrationOptions calibration;
        calibration.pre = m.pre;
        calibration.maxImages = 100;
        calibration.biasCorrectionImages = 16;
        m.table = qf::calibrate(*m.graph, m.calibration, calibration);
        return m;
    }();
    return model;
}

inline Model retinaface() {
    const std::string root = qftest::sharedDataRoot() + "/faces/";
    Model m;
    m.graph = std::make_shared<const qf::Graph>(
        qf::loadForQuantization(root + "retinaface_mnet25/mnet25.prototxt",
                                root + "retinaface_mnet25/mnet25.caffemodel", true)
            .graph);
    m.pre = qftest::preprocessing(288, 416, 1.0f, {0, 0, 0}, {1, 1, 1});
    m.calibration = qf::openImageFolder(root + "images");
    m.eval = m.calibration;
    qf::CalibrationOptions calibration;
    calibration.pre = m.pre;
    calibration.biasCorrectionImages = 4;
    m.table = qf::calibrate(*m.graph, m.calibration, calibration);
    return m;
}

// The input tensor of the first and of the last int8 layer.
inline std::pair<std::string, std::string> firstAndLastInputs(const qf::Int8Plan& plan) {
    std::vector<std::string> inputs;
    for (const auto& entry : plan.nodes)
        if (entry.precision == qf::NodePrecision::Int8) inputs.push_back(entry.inputs[0].tensor);
    return {inputs.front(), inputs.back()};
}

// Runs the edits one after the other; after each, the session's report against a fresh
// compareInt8 on the session's table (which holds any re-measured bias correction).
inline void successiveEdits(const Model& m, bool remeasure) {
    qf::ComparisonSessionOptions options;
    options.comparison.pre = m.pre;
    options.comparison.maxImages = m.evalImages;
    if (remeasure) {
        options.calibrationImages = m.calibration;
        options.biasCorrectionImages = 4;
    }
    qf::ComparisonSession session(m.graph, m.eval, options);
    qf::CalibrationTable table = m.table;
    qf::Int8Options int8;
    const auto check = [&](const char* step) {
        const qf::Int8ComparisonReport& report = session.update(table, int8);
        const qf::Int8ComparisonReport fresh =
            qf::compareInt8(*m.graph, session.table(), int8, m.eval, options.comparison);
        qInfo(
            "%s: first node re-run %zu of %zu, %d layer(s) rebuilt, %d bias correction(s) "
            "re-measured, %d image(s) from cache, cache %.1f MB",
            step, session.lastUpdate().firstNode, m.graph->nodes.size(),
            session.lastUpdate().rebuiltLayers, session.lastUpdate().remeasuredBiasCorrections,
            session.lastUpdate().imagesFromCache, session.cacheBytes() / 1048576.0);
        compareReports(report, fresh);
        QVERIFY(session.cacheBytes() <= session.memoryBudget());
    };
    check("initial");
    QVERIFY(!QTest::currentTestFailed());
    const auto [firstInput, lastInput] = firstAndLastInputs(session.plan());
    const size_t nodes = m.graph->nodes.size();

    qf::Int8Edit::setManualThreshold(firstInput, table.tensors.at(firstInput).threshold() * 0.7)
        .apply(table, int8);
    check("threshold at the first layer");
    QVERIFY(session.lastUpdate().firstNode < 3);
    if (remeasure) QVERIFY(session.lastUpdate().remeasuredBiasCorrections >= 1);

    qf::Int8Edit::setManualThreshold(lastInput, table.tensors.at(lastInput).threshold() * 0.8)
        .apply(table, int8);
    check("threshold at the last layer");
    QVERIFY(session.lastUpdate().firstNode > nodes / 2);
    // The layers reading that tensor (RetinaFace's three heads of a stride read one).
    QVERIFY(session.lastUpdate().rebuiltLayers >= 1 && session.lastUpdate().rebuiltLayers <= 3);
    QCOMPARE(session.lastUpdate().imagesFromCache, session.report().images);

    const std::string middle =
        session.plan().quantizedNodes().at(session.plan().quantizedNodes().size() / 2);
    const qf::Int8Edit undoKeep = qf::Int8Edit::setKeepFp32(middle, true).apply(table, int8);
    check("FP32 keep on");
    QVERIFY(session.report().fp32Nodes.count(middle));
    undoKeep.apply(table, int8);
    check("FP32 keep off");
    QVERIFY(!session.report().fp32Nodes.count(middle));

    int8.perChannelWeights = false;
    check("per-tensor weights");
    QCOMPARE(session.lastUpdate().firstNode, size_t{0});
    if (!remeasure) QVERIFY(!session.report().droppedBiasCorrections.empty());

    check("nothing changed");
    QCOMPARE(session.lastUpdate().firstNode, nodes);
    QCOMPARE(session.lastUpdate().rebuiltLayers, 0);
}

}  // namespace sessiontest

// View > Before / After: the original (as loaded) beside the folded graph, one selection.
// Selecting a folded BatchNorm / Scale in the original selects the conv it went into on the
// right (and in the window); selecting a conv on the right selects it in the original; a layer
// both graphs have selects itself. On the sample and on RetinaFace (every BatchNorm folded).
#include "calibration_test_support.h"
#include "ui/before_after_view.h"
#include "ui/graph_items.h"
#include "ui_test_support.h"

using namespace qftest;

namespace {

// As a click does: the scene's selection changes and the view reports it.
void click(qf::ui::GraphView& view, const QString& name) {
    qf::ui::NodeItem* item = view.graphScene()->node(name);
    QVERIFY2(item, qPrintable(name));
    view.graphScene()->clearSelection();
    item->setSelected(true);
}

bool waitOriginal(qf::ui::BeforeAfterView& view) {
    QElapsedTimer timer;
    timer.start();
    while (!view.hasOriginalPicture() && timer.elapsed() < 600000) QTest::qWait(10);
    return view.hasOriginalPicture();
}

}  // namespace

class TestUiBeforeAfter : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() { isolateSettings(); }

    void sampleSelectionFollows() {
        RecordingWindow window;
        QVERIFY(openAndWait(window, {qsample("digits_deploy.prototxt")}));
        window.askedWeights.clear();
        auto& document = window.document();
        QVERIFY(document.fold(QStringLiteral("conv1_bn")));
        QVERIFY(document.fold(QStringLiteral("conv1_scale")));
        QVERIFY(waitIdle(document));
        qf::ui::BeforeAfterView& split = *window->beforeAfterView();
        QVERIFY(!split.isSplit());
        split.setSplit(true);
        QVERIFY(split.isSplit());
        QVERIFY(waitOriginal(split));
        QCOMPARE(split.afterView(), window->graphView());
        QCOMPARE(split.beforeView()->graphScene()->nodeItemCount(),
                 static_cast<int>(document.original()->nodes.size()));
        QCOMPARE(split.afterView()->graphScene()->nodeItemCount(),
                 static_cast<int>(document.state().graph->nodes.size()));
        QCOMPARE(split.beforeView()->graphScene()->nodeItemCount(),
                 split.afterView()->graphScene()->nodeItemCount() + 2);

        // A folded node in the original: its conv on the right, the original keeps the choice.
        click(*split.beforeView(), QStringLiteral("conv1_scale"));
        QCOMPARE(split.afterView()->selectedNode(), QStringLiteral("conv1"));
        QCOMPARE(split.beforeView()->selectedNode(), QStringLiteral("conv1_scale"));
        click(*split.beforeView(), QStringLiteral("conv1_bn"));
        QCOMPARE(split.afterView()->selectedNode(), QStringLiteral("conv1"));
        // Not folded yet: the same node on both sides.
        click(*split.beforeView(), QStringLiteral("conv2_bn"));
        QCOMPARE(split.afterView()->selectedNode(), QStringLiteral("conv2_bn"));
        // From the right (the window's view): the original follows.
        click(*split.afterView(), QStringLiteral("conv1"));
        QCOMPARE(split.beforeView()->selectedNode(), QStringLiteral("conv1"));
        click(*split.afterView(), QStringLiteral("pool2"));
        QCOMPARE(split.beforeView()->selectedNode(), QStringLiteral("pool2"));
        // The layers panel elsewhere in the window selects too: the original follows.
        window->graphView()->selectNode(QStringLiteral("logits"), true);
        emit window->graphView()->nodeSelected(QStringLiteral("logits"));
        QCOMPARE(split.beforeView()->selectedNode(), QStringLiteral("logits"));

        // Undo the folds: the right loses nothing, the mapping follows the state.
        document.undoStack()->undo();
        QVERIFY(waitIdle(document));
        QCOMPARE(split.currentCounterpart(QStringLiteral("conv1_scale")),
                 QStringLiteral("conv1_scale"));
        QCOMPARE(split.currentCounterpart(QStringLiteral("conv1_bn")), QStringLiteral("conv1"));

        // Off again: the graph area is the window's view alone.
        split.setSplit(false);
        QVERIFY(!split.isSplit());
    }

    void retinaFaceFoldedEverywhere() {
        QF_SHARED(prototxt, "faces/retinaface_mnet25/mnet25.prototxt");
        QF_SHARED(weights, "faces/retinaface_mnet25/mnet25.caffemodel");
        RecordingWindow window;
        const bool shots = !qEnvironmentVariableIsEmpty("QF_SHOTS_DIR");
        window->resize(1600, 1000);
        window->show();  // shown: the minimaps of a big graph appear
        QVERIFY(QTest::qWaitForWindowExposed(window.window.get()));
        QVERIFY(openAndWait(window,
                            {QString::fromStdString(prototxt), QString::fromStdString(weights)}));
        auto& document = window.document();
        document.foldAll();
        QVERIFY(waitIdle(document));
        QCOMPARE(document.facts().foldableCount(), 0);
        qf::ui::BeforeAfterView& split = *window->beforeAfterView();
        split.setSplit(true);
        QVERIFY(waitOriginal(split));
        // Every folded node maps to its target, selected on the right.
        int checked = 0;
        for (const auto& record : document.state().folded) {
            const QString affine = QString::fromStdString(record.affine);
            click(*split.beforeView(), affine);
            QCOMPARE(split.afterView()->selectedNode(), QString::fromStdString(record.target));
            QCOMPARE(split.beforeView()->selectedNode(), affine);
            ++checked;
        }
        QCOMPARE(checked, 94);
        // Side by side, the minimaps stay out of the way; alone, the window's comes back. (The
        // hide is queued after a show: QTRY_ waits for it on a loaded machine.)
        QTRY_VERIFY(split.beforeView()->miniMap()->isHidden());
        QTRY_VERIFY(split.afterView()->miniMap()->isHidden());
        split.setSplit(false);
        QTRY_VERIFY(split.afterView()->miniMap()->isVisible());
        split.setSplit(true);
        QTRY_VERIFY(split.afterView()->miniMap()->isHidden());
        if (shots) {
            // A folded BatchNorm chosen on the left: its depthwise conv is selected on the right.
            click(*split.beforeView(), QStringLiteral("mobilenet0_batchnorm3_fwd"));
            split.beforeView()->centreOnNode(QStringLiteral("mobilenet0_batchnorm3_fwd"));
            calibtest::shot(*window.window, QStringLiteral("before-after-retinaface"));
        }
        // A new model: the original is laid out again for it.
        QVERIFY(openAndWait(window, {qsample("digits.onnx")}));
        QVERIFY(waitOriginal(split));
        QCOMPARE(split.beforeView()->graphScene()->nodeItemCount(),
                 static_cast<int>(document.original()->nodes.size()));
    }
};

QTEST_MAIN(TestUiBeforeAfter)
#include "test_ui_before_after.moc"

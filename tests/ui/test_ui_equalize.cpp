// Cross-layer equalization in the app, on ResNet-20 (CIFAR-10, 24 images): with the box ticked,
// a calibration of the folded model runs on the equalized graph (the table says so), the live
// comparison is the core's compareInt8 on that graph, the saved project gives the CLI's
// `compare --project` the same numbers, and reopening it compares again on the equalized graph.
// Unfolded, the BatchNorm between the convolutions leaves no pair, and the panel says so.
#include <QCheckBox>
#include <QLabel>
#include <QTemporaryDir>

#include "calibration_test_support.h"
#include "evaluate/int8_comparison.h"
#include "images/image_folder.h"
#include "passes/equalize.h"
#include "ui/calibration/int8_workbench.h"
#include "workflows/project_file.h"

using namespace qftest;
using namespace calibtest;

namespace {

constexpr int kImages = 24;

bool calibrateWithEqualization(RecordingWindow& window, const std::string& images) {
    auto* int8 = window->int8();
    qf::ui::QuantSession& session = *int8->session();
    setCifarPreprocessing(session, *int8->calibrationPanel());
    int8->calibrationPanel()->setImageFolder(QString::fromStdString(images));
    int8->calibrationPanel()->maxImagesBox()->setValue(kImages);
    int8->calibrationPanel()->equalizeBox()->setChecked(true);
    QSignalSpy calibrated(&session, &qf::ui::QuantSession::calibrationFinished);
    QTest::mouseClick(int8->calibrationPanel()->runButton(), Qt::LeftButton);
    return calibrated.wait(600000) && calibrated.first().first().toBool() &&
           waitComparison(session);
}

}  // namespace

class TestUiEqualize : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() { isolateSettings(); }

    void unfoldedModelHasNoPair() {
        QF_SHARED(model, "cifar10/resnet20/resnet20_cifar10.onnx");
        QF_SHARED(images, "cifar10/images/calib");
        RecordingWindow window;
        QVERIFY(openAndWait(window, {QString::fromStdString(model)}));
        QVERIFY(calibrateWithEqualization(window, images));
        qf::ui::QuantSession& session = *window->int8()->session();
        QVERIFY(session.settings().equalize);
        QVERIFY(!session.table().equalized);
        QCOMPARE(session.quantizedGraph(), window.document().state().graph);
        QVERIFY(window->int8()->calibrationPanel()->statusText().contains(
            QStringLiteral("no conv pair to equalize")));
    }

    void equalizedCalibrationIsTheCoresAndTheClis() {
        QF_SHARED(model, "cifar10/resnet20/resnet20_cifar10.onnx");
        QF_SHARED(images, "cifar10/images/calib");
        QTemporaryDir dir;
        const QString project = dir.filePath(QStringLiteral("equalized.qfproj"));
        qf::Int8ComparisonReport shown;
        {
            RecordingWindow window;
            window->resize(1500, 950);
            QVERIFY(openAndWait(window, {QString::fromStdString(model)}));
            window.document().foldAll();
            QVERIFY(waitIdle(window.document()));
            QVERIFY(calibrateWithEqualization(window, images));
            window->show();
            QVERIFY(QTest::qWaitForWindowExposed(window.window.get()));
            qf::ui::QuantSession& session = *window->int8()->session();
            QVERIFY(session.table().equalized);
            const qf::EqualizeReport* report = session.equalization();
            QVERIFY(report);
            QVERIFY(report->pairs.size() >= 9);  // conv1 -> relu -> conv2 in each of 9 blocks
            QVERIFY(report->worstRatioAfter < report->worstRatioBefore);
            const auto document = window.document().state().graph;
            QVERIFY(session.quantizedGraph() != document);
            QVERIFY(window->int8()->calibrationPanel()->statusText().contains(
                QStringLiteral("equalized %1 conv pair").arg(report->pairs.size())));
            // The panel as a whole (in the window its dock scrolls): the box and the result line.
            shot(*window->int8()->calibrationPanel(), "calibration-equalized");

            // The core on its own equalized copy of the document's graph.
            qf::Graph equalized = *document;
            const qf::EqualizeReport direct = qf::equalizeConvPairs(equalized);
            QCOMPARE(direct.pairs.size(), report->pairs.size());
            qf::ComparisonOptions options;
            options.pre = session.settings().pre;
            options.maxImages = kImages;
            const qf::CalibrationTable uncorrected = [&] {
                qf::CalibrationOptions calibration;
                calibration.pre = session.settings().pre;
                calibration.maxImages = kImages;
                return qf::calibrate(equalized, qf::openImageFolder(images), calibration);
            }();
            for (const auto& [name, tensor] : uncorrected.tensors)
                QCOMPARE(session.table().find(name)->threshold(), tensor.threshold());
            const qf::Int8ComparisonReport expected =
                qf::compareInt8(equalized, session.table(), session.options(),
                                qf::openImageFolder(images), options);
            shown = session.comparison()->report;
            QCOMPARE(shown.outputs.front().cosine, expected.outputs.front().cosine);
            QCOMPARE(shown.outputs.front().worstImageCosine,
                     expected.outputs.front().worstImageCosine);
            QCOMPARE(shown.top1Agreement(), expected.top1Agreement());
            // ... and not the unequalized graph's numbers.
            const qf::Int8ComparisonReport plain =
                qf::compareInt8(*document, session.table(), session.options(),
                                qf::openImageFolder(images), options);
            QVERIFY(plain.outputs.front().cosine != shown.outputs.front().cosine);

            window.document().saveProject(project);
            QVERIFY(window.errors.empty());
            const qf::Project saved = qf::readProject(project.toStdString());
            QVERIFY(saved.int8 && saved.int8->equalize);
            compareWithCli(shown, runCli({"compare", "--project", project, "--json"}).json());
        }
        // Reopened: the equalized table is read and compared on the equalized graph again.
        RecordingWindow window;
        qf::ui::QuantSession& session = *window->int8()->session();
        QVERIFY(openAndWait(window, {project}));
        QVERIFY(waitComparison(session));
        QVERIFY(window.errors.empty());
        QVERIFY(session.table().equalized);
        QVERIFY(session.settings().equalize);
        QVERIFY(window->int8()->calibrationPanel()->equalizeBox()->isChecked());
        QCOMPARE(session.comparison()->report.outputs.front().cosine, shown.outputs.front().cosine);
    }
};

QTEST_MAIN(TestUiEqualize)
#include "test_ui_equalize.moc"

#pragma once
// What the int8 GUI tests share: waiting for the live comparison, dragging the histogram's
// line in use, the CLI's compare on the same table, calibrating ResNet-20 through the panel,
// and screenshots when QF_SHOTS_DIR is set.
#include <qcustomplot.h>

#include <QDir>
#include <QJsonArray>
#include <QScreen>
#include <cmath>

#include "calibration/table_files.h"
#include "histogram_drag.h"
#include "ui/calibration/calibration_panel.h"
#include "ui/calibration/histogram_view.h"
#include "ui/calibration/int8_workbench.h"
#include "ui/calibration/quant_session.h"
#include "ui_test_support.h"

namespace calibtest {

inline bool waitComparison(qf::ui::QuantSession& session, int timeoutMs = 600000) {
    QElapsedTimer timer;
    timer.start();
    while (timer.elapsed() < timeoutMs) {
        QTest::qWait(5);
        if (session.comparison() && !session.isStale() && !session.isComparing()) return true;
    }
    return false;
}

using qftest::dragLineInUse;

// CIFAR-10's preprocessing for ResNet-20 (32x32, ImageNet mean and std on [0, 1], RGB), set in
// the session and shown in the calibration panel.
inline void setCifarPreprocessing(qf::ui::QuantSession& session, qf::ui::CalibrationPanel& panel) {
    auto& pre = session.settings().pre;
    pre.width = pre.height = 32;
    pre.scale = 0.00392156862745098f;
    pre.mean = {0.485f, 0.456f, 0.406f};
    pre.std = {0.229f, 0.224f, 0.225f};
    pre.rgb = true;
    panel.loadSettings();
}

// Opens ResNet-20's `model` in a shown window of `size`, calibrates it through the panel on at
// most `images` images of `folder` with CIFAR-10's preprocessing and waits for the live
// comparison; false when a step fails.
inline bool calibrateCifarInWindow(qftest::RecordingWindow& window, const std::string& model,
                                   const std::string& folder, int images, QSize size) {
    window->resize(size);
    if (!qftest::openAndWait(window, {QString::fromStdString(model)})) return false;
    window->show();
    if (!QTest::qWaitForWindowExposed(window.window.get())) return false;
    auto* int8 = window->int8();
    qf::ui::QuantSession& session = *int8->session();
    setCifarPreprocessing(session, *int8->calibrationPanel());
    int8->calibrationPanel()->setImageFolder(QString::fromStdString(folder));
    int8->calibrationPanel()->maxImagesBox()->setValue(images);
    QSignalSpy calibrated(&session, &qf::ui::QuantSession::calibrationFinished);
    QTest::mouseClick(int8->calibrationPanel()->runButton(), Qt::LeftButton);
    return calibrated.wait(600000) && calibrated.first().first().toBool() &&
           waitComparison(session);
}

struct CliModel {
    QStringList files;  // model (and weights)
    QString images;     // the folder
    int maxImages = 0;
    QStringList preprocessing;  // CLI flags
};

// `quantfold-cli compare` (unfolded, as the GUI opened it) with the table the session's last
// comparison measured, written to tablePath.
inline QJsonObject cliCompare(qf::ui::QuantSession& session, const CliModel& model,
                              const QString& tablePath, const QStringList& extra = {}) {
    qf::writeCalibrationTable(*session.document().state().graph, session.comparison()->table,
                              qf::TableFormat::Json, tablePath.toStdString());
    QStringList arguments{"compare"};
    arguments << model.files << "--no-fold"
              << "--table" << tablePath << "--images" << model.images << "--json"
              << model.preprocessing << extra;
    if (model.maxImages > 0) arguments << "--max-images" << QString::number(model.maxImages);
    const qftest::CliRun run = qftest::runCli(arguments);
    if (run.exitCode != 0) qWarning() << run.err;
    return run.json();
}

inline void compareWithCli(const qf::Int8ComparisonReport& report, const QJsonObject& cli) {
    QCOMPARE(cli.value("images").toInt(), report.images);
    const QJsonArray outputs = cli.value("outputs").toArray();
    QCOMPARE(outputs.size(), static_cast<int>(report.outputs.size()));
    for (int k = 0; k < outputs.size(); ++k) {
        const QJsonObject o = outputs[k].toObject();
        const auto& mine = report.outputs[static_cast<size_t>(k)];
        QCOMPARE(o.value("cosine").toDouble(), mine.cosine);
        QCOMPARE(o.value("worst_image_cosine").toDouble(), mine.worstImageCosine);
        QCOMPARE(o.value("sqnr_db").toDouble(), mine.sqnrDb);
        QCOMPARE(o.value("max_abs_diff").toDouble(), mine.maxAbsDiff);
    }
    const QJsonArray layers = cli.value("layers").toArray();
    QCOMPARE(layers.size(), static_cast<int>(report.layers.size()));
    for (int k = 0; k < layers.size(); ++k) {
        const QJsonObject l = layers[k].toObject();
        const auto& mine = report.layers[static_cast<size_t>(k)];
        QCOMPARE(l.value("name").toString().toStdString(), mine.name);
        QCOMPARE(l.value("cosine").toDouble(), mine.cosine);
        QCOMPARE(l.value("alone_cosine").toDouble(), mine.aloneCosine);
    }
    QCOMPARE(cli.value("top1_agreement").toDouble(), report.top1Agreement());
}

// With QF_SHOTS_DIR set (a run under Xvfb on the xcb platform): the window as drawn, and the
// X screen as `import -window root` sees it.
inline void shot(QWidget& window, const QString& name) {
    const QString dir = qEnvironmentVariable("QF_SHOTS_DIR");
    if (dir.isEmpty()) return;
    QDir().mkpath(dir);
    QTest::qWait(300);
    window.grab().save(dir + "/" + name + ".png");
    if (QGuiApplication::platformName() == QLatin1String("xcb"))
        QProcess::execute("import", {"-window", "root", dir + "/" + name + "-screen.png"});
}

}  // namespace calibtest

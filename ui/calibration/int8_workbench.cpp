#include "ui/calibration/int8_workbench.h"

#include <QDockWidget>
#include <QLabel>
#include <QMainWindow>
#include <QMenu>
#include <QMenuBar>
#include <QProgressBar>
#include <QPushButton>
#include <QScrollArea>

#include "ui/calibration/calibration_panel.h"
#include "ui/calibration/histogram_view.h"
#include "ui/calibration/quant_session.h"
#include "ui/comparison/comparison_panel.h"
#include "ui/model_document.h"

namespace qf::ui {

Int8Workbench::Int8Workbench(QMainWindow& window, Document& document, QProgressBar* progress,
                             QPushButton* cancel, QLabel* status)
    : QObject(&window) {
    session_ = new QuantSession(document);
    calibration_ = new CalibrationPanel(*session_, &window);
    histogram_ = new HistogramView(*session_, &window);
    comparison_ = new ComparisonPanel(*session_, &window);

    auto* scroll = new QScrollArea(&window);
    scroll->setWidget(calibration_);
    scroll->setWidgetResizable(true);
    calibrationDock_ = new QDockWidget(tr("Calibration"), &window);
    calibrationDock_->setObjectName(QStringLiteral("CalibrationDock"));
    calibrationDock_->setWidget(scroll);
    histogramDock_ = new QDockWidget(tr("Histogram"), &window);
    histogramDock_->setObjectName(QStringLiteral("HistogramDock"));
    histogramDock_->setWidget(histogram_);
    comparisonDock_ = new QDockWidget(tr("Int8 comparison"), &window);
    comparisonDock_->setObjectName(QStringLiteral("ComparisonDock"));
    comparisonDock_->setWidget(comparison_);
    window.addDockWidget(Qt::LeftDockWidgetArea, calibrationDock_);
    window.addDockWidget(Qt::BottomDockWidgetArea, histogramDock_);
    window.addDockWidget(Qt::BottomDockWidgetArea, comparisonDock_);
    window.splitDockWidget(histogramDock_, comparisonDock_, Qt::Horizontal);
    // Out of the way until the user calibrates.
    for (QDockWidget* dock : {calibrationDock_, histogramDock_, comparisonDock_}) dock->hide();

    QMenu* menu = window.menuBar()->addMenu(tr("&Int8"));
    menu->addAction(tr("&Calibrate…"), this, [this] {
        calibrationDock_->show();
        calibrationDock_->raise();
    });
    menu->addAction(tr("Run Calibration"), session_, [this] {
        calibration_->applySettings();
        session_->calibrate();
    });
    menu->addSeparator();
    menu->addAction(calibrationDock_->toggleViewAction());
    menu->addAction(histogramDock_->toggleViewAction());
    menu->addAction(comparisonDock_->toggleViewAction());

    // The status-bar progress and Cancel, as the document's jobs use them.
    connect(session_, &QuantSession::calibrationStarted, this, [=](const QString& title) {
        status->setText(title + QStringLiteral("…"));
        progress->setRange(0, 0);
        progress->show();
        cancel->show();
    });
    connect(session_, &QuantSession::calibrationProgress, this,
            [=](long done, long total, const QString&) {
                if (total <= 0) return;
                progress->setRange(0, 1000);
                progress->setValue(static_cast<int>(1000.0 * done / total));
            });
    connect(session_, &QuantSession::calibrationFinished, this, [=, &document](bool succeeded) {
        status->setText(succeeded ? tr("Calibrated") : tr("Calibration stopped"));
        if (document.isBusy()) return;
        progress->hide();
        cancel->hide();
    });
    connect(session_, &QuantSession::calibrationFinished, this, [this, &window](bool succeeded) {
        if (!succeeded) return;
        const bool first = histogramDock_->isHidden() && comparisonDock_->isHidden();
        histogramDock_->show();
        comparisonDock_->show();
        if (!first) return;
        // The first results: the bottom row goes to the histogram and the numbers (the log
        // keeps a narrow column; it is a tab away).
        QList<QDockWidget*> row{histogramDock_, comparisonDock_};
        QList<int> widths{window.width() * 5 / 10, window.width() * 4 / 10};
        if (auto* log = window.findChild<QDockWidget*>(QStringLiteral("LogDock"));
            log && window.dockWidgetArea(log) == Qt::BottomDockWidgetArea && log->isVisible()) {
            row.prepend(log);
            widths.prepend(window.width() / 10);
        }
        window.resizeDocks(row, widths, Qt::Horizontal);
    });
    connect(cancel, &QPushButton::clicked, session_, &QuantSession::cancelCalibration);
    connect(comparison_, &ComparisonPanel::nodeActivated, this, &Int8Workbench::nodeActivated);
}

void Int8Workbench::showNode(const QString& node) {
    histogram_->showNode(node);
    comparison_->showLayer(node);
}

}  // namespace qf::ui

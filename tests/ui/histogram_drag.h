#pragma once
// A mouse drag of the histogram's line in use, as a user makes it: shared by the GUI tests and
// the drag-latency benchmark.
#include <qcustomplot.h>

#include <QTest>
#include <cmath>

#include "ui/calibration/histogram_view.h"

namespace qftest {

// Drags the line in use from its place to `fraction` of its pixel distance from the plot's
// left edge; returns the threshold the release position stands for.
inline double dragLineInUse(qf::ui::HistogramView& view, double fraction) {
    QCustomPlot* plot = view.histogramPlot();
    plot->replot();
    const double before = view.thresholdInUse();
    const int x = static_cast<int>(std::lround(plot->xAxis->coordToPixel(before)));
    const int y = plot->axisRect()->rect().center().y();
    const int left = plot->axisRect()->rect().left();
    const int target = left + static_cast<int>(std::lround((x - left) * fraction));
    QTest::mousePress(plot, Qt::LeftButton, {}, QPoint(x, y));
    QTest::mouseMove(plot, QPoint((x + target) / 2, y));
    QTest::mouseMove(plot, QPoint(target, y));
    QTest::mouseRelease(plot, Qt::LeftButton, {}, QPoint(target, y));
    return plot->xAxis->pixelToCoord(target);
}

}  // namespace qftest

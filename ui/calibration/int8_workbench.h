#pragma once
// The int8 tools of the main window in one place: the quantization session and its docks
// (Calibration, Histogram, Int8 comparison), their menu, and the status-bar progress of a
// calibration. The window creates one and forwards its node selection.
#include <QObject>

class QDockWidget;
class QLabel;
class QMainWindow;
class QProgressBar;
class QPushButton;

namespace qf::ui {

class CalibrationPanel;
class ComparisonPanel;
class Document;
class HistogramView;
class QuantSession;

class Int8Workbench : public QObject {
    Q_OBJECT
public:
    Int8Workbench(QMainWindow& window, Document& document, QProgressBar* progress,
                  QPushButton* cancel, QLabel* status);

    QuantSession* session() const { return session_; }
    CalibrationPanel* calibrationPanel() const { return calibration_; }
    HistogramView* histogramView() const { return histogram_; }
    ComparisonPanel* comparisonPanel() const { return comparison_; }
    QDockWidget* calibrationDock() const { return calibrationDock_; }
    QDockWidget* histogramDock() const { return histogramDock_; }
    QDockWidget* comparisonDock() const { return comparisonDock_; }

    // The graph's selection: shows the histogram of the tensor the node quantizes and marks the
    // layer in the comparison view.
    void showNode(const QString& node);

signals:
    void nodeActivated(const QString& node);  // a layer clicked in a comparison table

private:
    QuantSession* session_;
    CalibrationPanel* calibration_;
    HistogramView* histogram_;
    ComparisonPanel* comparison_;
    QDockWidget *calibrationDock_, *histogramDock_, *comparisonDock_;
};

}  // namespace qf::ui

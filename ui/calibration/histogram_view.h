#pragma once
#include <QMap>
#include <QWidget>

#include "ui/calibration/quant_session.h"

class QCPGraph;
class QCPItemRect;
class QCPItemStraightLine;
class QCPItemText;
class QCustomPlot;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QMouseEvent;
class QPushButton;

namespace qf::ui {

// A quantized tensor's activation histogram (|x|, log counts) with the range int8 represents
// shaded and one line per threshold method, the one in use bold. Dragging that line (or typing
// a value) sets the tensor's manual threshold through an undoable edit. Below: the kl method's
// divergence and the expected quantization MSE against the candidate threshold.
class HistogramView : public QWidget {
    Q_OBJECT
public:
    explicit HistogramView(QuantSession& session, QWidget* parent = nullptr);

    // Shows a tensor of the table ("" clears); showNode shows the tensor a node quantizes.
    void showTensor(const QString& tensor);
    void showNode(const QString& node);
    QString tensor() const { return tensor_; }

    QCustomPlot* histogramPlot() const { return plot_; }
    QCustomPlot* curvePlot() const { return curves_; }
    QCPGraph* histogramGraph() const { return bins_; }
    // Method name -> its line; "manual" when a manual threshold is set.
    const QMap<QString, QCPItemStraightLine*>& lines() const { return lines_; }
    QCPItemStraightLine* lineInUse() const { return inUse_; }
    double thresholdInUse() const;
    QComboBox* tensorBox() const { return tensors_; }
    QComboBox* methodBox() const { return method_; }
    QDoubleSpinBox* thresholdBox() const { return threshold_; }
    QPushButton* resetButton() const { return reset_; }

signals:
    void tensorShown(const QString& tensor);

private:
    void fillTensorList();
    void rebuild();
    void moveInUse(double threshold);
    void onPress(QMouseEvent* event);
    void onMove(QMouseEvent* event);
    void onRelease(QMouseEvent* event);

    QuantSession& session_;
    QString tensor_;
    QComboBox* tensors_;
    QComboBox* method_;
    QDoubleSpinBox* threshold_;
    QPushButton* reset_;
    QLabel* info_;
    QCustomPlot* plot_;
    QCustomPlot* curves_;
    QCPGraph* bins_ = nullptr;
    QCPItemRect* range_ = nullptr;
    QCPItemStraightLine* inUse_ = nullptr;
    QCPItemText* inUseLabel_ = nullptr;
    QCPItemStraightLine* curveMark_ = nullptr;
    QMap<QString, QCPItemStraightLine*> lines_;
    bool dragging_ = false;
    bool filling_ = false;
};

}  // namespace qf::ui

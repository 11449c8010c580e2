#pragma once
#include <QWidget>

#include "ui/calibration/quant_session.h"

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;
class QSpinBox;

namespace qf::ui {

// The calibration settings (images, preprocessing, method, weights) with a preview of the
// first image as the network sees it, and Run / Cancel.
class CalibrationPanel : public QWidget {
    Q_OBJECT
public:
    explicit CalibrationPanel(QuantSession& session, QWidget* parent = nullptr);

    // Sets the folder (as Browse would) and rescans it.
    void setImageFolder(const QString& folder);
    QString imageFolder() const;
    int imageCount() const { return imageCount_; }
    QStringList unreadableFiles() const { return unreadable_; }
    // The preview's value range ([min, max] of the first preprocessed image).
    std::pair<double, double> previewRange() const { return previewRange_; }

    QPushButton* runButton() const { return run_; }
    QCheckBox* equalizeBox() const { return equalize_; }
    // Shown while the model has BatchNorm / Scale layers left to fold.
    QWidget* foldHint() const { return foldHint_; }
    QLabel* foldHintText() const { return foldHintText_; }
    QPushButton* foldAllButton() const { return foldAll_; }
    QString statusText() const;  // the line under the buttons (progress, the last result)
    QPushButton* cancelButton() const { return cancel_; }
    QComboBox* methodBox() const { return method_; }
    QCheckBox* perChannelBox() const { return perChannel_; }
    QCheckBox* biasCorrectionBox() const { return biasCorrection_; }
    QSpinBox* maxImagesBox() const { return maxImages_; }

    // Writes the widgets into the session's settings (Run does it too).
    void applySettings();
    // Shows the session's settings in the widgets (after they were set in code).
    void loadSettings();

private:
    void scanFolder();
    void updatePreview();
    void browse();
    // After a calibration: what equalization did ("" when it was off).
    QString equalizationText() const;
    // Shows or hides the unfolded-layers hint for the document's current state.
    void updateFoldHint();

    QuantSession& session_;
    QLineEdit* folder_;
    QLabel* count_;
    QPlainTextEdit* unreadableList_;
    QSpinBox *width_, *height_, *resizeShorter_, *maxImages_;
    QCheckBox *centerCrop_, *perChannel_, *biasCorrection_, *equalize_;
    QLineEdit *scale_, *mean_, *std_;
    QComboBox *order_, *method_;
    QLabel *preview_, *previewText_, *status_;
    QWidget* foldHint_;  // "layers not folded", with a Fold All button
    QLabel* foldHintText_;
    QPushButton* foldAll_;
    QPushButton *run_, *cancel_;
    int imageCount_ = 0;
    QStringList unreadable_;
    std::pair<double, double> previewRange_{0.0, 0.0};
    bool loading_ = false;
};

}  // namespace qf::ui

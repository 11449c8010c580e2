#pragma once
#include <QDialog>
#include <QWidget>
#include <memory>

#include "evaluate/inference_run.h"
#include "ui/project_file.h"

class QTreeWidget;
class QTableWidget;
class QLabel;
class QPushButton;
class QLineEdit;
class QSpinBox;
class QDoubleSpinBox;
class QComboBox;
class QCheckBox;

namespace qf::ui {

struct GraphPicture;

// The Fold report dock: what was folded, what was left and why, and the numeric proof (max |Δ|
// per output, folded against the original model, on a folder of images).
class FoldReportPanel : public QWidget {
    Q_OBJECT
public:
    explicit FoldReportPanel(QWidget* parent = nullptr);
    void setPicture(std::shared_ptr<const GraphPicture> picture);
    void setVerification(const qf::ComparisonReport& report);
    void setVerifying(bool running);
    void clearVerification();
    QTreeWidget* tree() const { return tree_; }
    QTableWidget* proof() const { return proof_; }

signals:
    void verifyRequested();
    void foldAllRequested();
    void nodeActivated(const QString& name);

private:
    QTreeWidget* tree_;
    QTableWidget* proof_;
    QLabel* proofTitle_;
    QPushButton* verify_;
    QPushButton* foldAll_;
};

// Where the verification images are and how they become network inputs.
class VerifyDialog : public QDialog {
    Q_OBJECT
public:
    VerifyDialog(const ProjectSettings& settings, QWidget* parent = nullptr);
    ProjectSettings settings() const;

private:
    QLineEdit* folder_;
    QSpinBox* width_;
    QSpinBox* height_;
    QDoubleSpinBox* scale_;
    QLineEdit* mean_;
    QLineEdit* std_;
    QComboBox* order_;
    QSpinBox* resizeShorter_;
    QCheckBox* centerCrop_;
    QSpinBox* maxImages_;
};

}  // namespace qf::ui

#pragma once
#include <QHash>
#include <QPixmap>
#include <QWidget>
#include <vector>

#include "evaluate/int8_comparison.h"

class QLabel;
class QListWidget;
class QCheckBox;
class QPushButton;

namespace qf::ui {

// For classifiers: per compared image a thumbnail with FP32's and int8's top-3 classes (index,
// name when a class-name file is loaded, and score), the images where the two disagree on the
// top class first, framed red.
class ImageStrip : public QWidget {
    Q_OBJECT
public:
    explicit ImageStrip(QWidget* parent = nullptr);

    // The report's per-image top-3 (nullptr or a non-classifier: an explanation instead).
    void setReport(const qf::Int8ComparisonReport* report);

    // The images in the order shown: disagreements first, then reading order.
    const std::vector<qf::ImageTopK>& shown() const { return shown_; }
    int disagreements() const { return disagreements_; }
    QListWidget* list() const { return list_; }
    QLabel* summaryLabel() const { return summary_; }
    QPushButton* classNamesButton() const { return classNamesButton_; }

    // Class names (a text file, one per line in index order, as CIFAR-10's labels.txt) shown
    // beside the indices. Returns false when the file cannot be read or holds none.
    bool loadClassNames(const QString& path);
    const QStringList& classNames() const { return classNames_; }
    // "3 cat" with names, "3" without (or past their end).
    static QString classText(const QStringList& names, int index);

private:
    QPixmap thumbnail(const QString& path);
    void fill();

    QLabel* summary_;
    QCheckBox* onlyDisagreements_;
    QPushButton* classNamesButton_;
    QStringList classNames_;
    QString classNamesError_, lastFolder_;
    QListWidget* list_;
    std::vector<qf::ImageTopK> shown_;
    int disagreements_ = 0;
    QHash<QString, QPixmap> thumbnails_;
};

}  // namespace qf::ui

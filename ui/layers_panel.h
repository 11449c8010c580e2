#pragma once
#include <QWidget>
#include <memory>

class QComboBox;
class QLineEdit;
class QTableView;
class QLabel;

namespace qf::ui {

struct GraphPicture;
class LayersModel;
class LayersFilter;

// The Layers dock: the table of layers with a text filter and a fold filter.
class LayersPanel : public QWidget {
    Q_OBJECT
public:
    explicit LayersPanel(QWidget* parent = nullptr);
    void setPicture(std::shared_ptr<const GraphPicture> picture);
    void selectNode(const QString& name);
    // 0: all, 1: foldable, 2: cannot fold, 3: cannot execute
    void setFoldFilter(int index);
    void setTextFilter(const QString& pattern);
    int visibleRows() const;
    QTableView* table() const { return table_; }

signals:
    void nodeSelected(const QString& name);

private:
    void updateCount();
    LayersModel* model_;
    LayersFilter* filter_;
    QLineEdit* text_;
    QComboBox* show_;
    QTableView* table_;
    QLabel* count_;
    bool selecting_ = false;
};

}  // namespace qf::ui

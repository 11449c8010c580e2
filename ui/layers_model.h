#pragma once
#include <QAbstractTableModel>
#include <QSortFilterProxyModel>
#include <memory>
#include <vector>

namespace qf::ui {

struct GraphPicture;

// The layers of the model as a table: name, op, output shape, fold state.
class LayersModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { NameColumn, OpColumn, ShapeColumn, FoldColumn, ColumnCount };
    // What the fold filter matches on (Qt::UserRole of any column).
    enum FoldCategory { Plain, Foldable, CannotFold, Target, Folded, Unsupported };
    static constexpr int CategoryRole = Qt::UserRole + 1;
    static constexpr int NameRole = Qt::UserRole + 2;

    explicit LayersModel(QObject* parent = nullptr);
    void setPicture(std::shared_ptr<const GraphPicture> picture);
    int rowOf(const QString& node) const;
    QString nodeAt(int row) const;

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

private:
    struct Row {
        QString name, op, shape, fold, tooltip;
        FoldCategory category = Plain;
    };
    std::vector<Row> rows_;
};

// Filters layers by text (a regular expression over name and op) and by fold category.
class LayersFilter : public QSortFilterProxyModel {
    Q_OBJECT
public:
    enum class Show { All, Foldable, CannotFold, Unsupported };
    explicit LayersFilter(QObject* parent = nullptr);
    void setShow(Show show);
    void setText(const QString& pattern);

protected:
    bool filterAcceptsRow(int row, const QModelIndex& parent) const override;

private:
    Show show_ = Show::All;
    QRegularExpression text_;
};

}  // namespace qf::ui

#include "ui/layers_model.h"

#include <QBrush>
#include <QColor>
#include <map>

#include "ui/graph_items.h"
#include "ui/model_document.h"

namespace qf::ui {
namespace {

QString shapeText(const qf::Shape& shape) {
    QStringList dims;
    for (const auto d : shape) dims << (d > 0 ? QString::number(d) : QStringLiteral("?"));
    return dims.join(QChar(0x00D7));
}

}  // namespace

LayersModel::LayersModel(QObject* parent) : QAbstractTableModel(parent) {}

void LayersModel::setPicture(std::shared_ptr<const GraphPicture> picture) {
    beginResetModel();
    rows_.clear();
    if (picture && picture->state.graph) {
        const auto& graph = *picture->state.graph;
        const auto& facts = *picture->facts;
        std::map<std::string, QStringList> absorbs, folded;
        for (const auto& candidate : facts.candidates)
            if (candidate.foldable())
                absorbs[candidate.target] << QString::fromStdString(candidate.affine);
        for (const auto& record : picture->state.folded)
            folded[record.target] << QString::fromStdString(record.affine);
        rows_.reserve(graph.nodes.size());
        for (const auto& node : graph.nodes) {
            Row row;
            row.name = QString::fromStdString(node.name);
            row.op = QString::fromStdString(node.op);
            QStringList shapes;
            for (const auto& output : node.outputs) {
                const auto it = picture->shapes->find(output);
                if (it != picture->shapes->end()) shapes << shapeText(it->second);
            }
            row.shape = shapes.join(QStringLiteral(", "));
            if (facts.unsupported.count(node.name)) {
                row.category = Unsupported;
                row.fold = tr("cannot execute");
                row.tooltip =
                    tr("This runtime cannot execute %1; it is kept as it was.").arg(row.op);
            } else if (const auto* candidate = facts.candidate(node.name)) {
                if (candidate->foldable()) {
                    row.category = Foldable;
                    row.fold = tr("folds");
                    row.tooltip = tr("Folds into %1 '%2'")
                                      .arg(QString::fromStdString(candidate->targetOp),
                                           QString::fromStdString(candidate->target));
                } else {
                    row.category = CannotFold;
                    row.fold = tr("cannot fold");
                    row.tooltip = QString::fromStdString(candidate->reason);
                }
            } else if (absorbs.count(node.name)) {
                row.category = Target;
                row.fold = tr("absorbs %n", nullptr, static_cast<int>(absorbs[node.name].size()));
                row.tooltip = tr("Absorbs %1").arg(absorbs[node.name].join(QStringLiteral(", ")));
            } else if (folded.count(node.name)) {
                row.category = Folded;
                row.fold = tr("folded %n", nullptr, static_cast<int>(folded[node.name].size()));
                row.tooltip =
                    tr("Folded into it: %1").arg(folded[node.name].join(QStringLiteral(", ")));
            }
            if (row.tooltip.isEmpty()) row.tooltip = row.fold;
            rows_.push_back(std::move(row));
        }
    }
    endResetModel();
}

int LayersModel::rowOf(const QString& node) const {
    for (size_t k = 0; k < rows_.size(); ++k)
        if (rows_[k].name == node) return static_cast<int>(k);
    return -1;
}

QString LayersModel::nodeAt(int row) const {
    return row >= 0 && row < static_cast<int>(rows_.size()) ? rows_[row].name : QString();
}

int LayersModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : static_cast<int>(rows_.size());
}

int LayersModel::columnCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant LayersModel::data(const QModelIndex& index, int role) const {
    if (!index.isValid() || index.row() >= static_cast<int>(rows_.size())) return {};
    const Row& row = rows_[index.row()];
    switch (role) {
        case Qt::DisplayRole:
        case Qt::EditRole:
            switch (index.column()) {
                case NameColumn:
                    return row.name;
                case OpColumn:
                    return row.op;
                case ShapeColumn:
                    return row.shape;
                case FoldColumn:
                    return row.fold;
            }
            return {};
        case Qt::ToolTipRole:
            return index.column() == FoldColumn ? row.tooltip : QVariant(row.name);
        case Qt::ForegroundRole:
            if (index.column() != FoldColumn) return {};
            if (row.category == Foldable || row.category == Folded)
                return QBrush(QColor(46, 125, 50));
            if (row.category == CannotFold) return QBrush(QColor(200, 100, 0));
            if (row.category == Unsupported) return QBrush(QColor(198, 40, 40));
            return {};
        case CategoryRole:
            return static_cast<int>(row.category);
        case NameRole:
            return row.name;
    }
    return {};
}

QVariant LayersModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole) return {};
    switch (section) {
        case NameColumn:
            return tr("Name");
        case OpColumn:
            return tr("Op");
        case ShapeColumn:
            return tr("Output shape");
        case FoldColumn:
            return tr("Fold");
    }
    return {};
}

LayersFilter::LayersFilter(QObject* parent) : QSortFilterProxyModel(parent) {}

void LayersFilter::setShow(Show show) {
    show_ = show;
    invalidateFilter();
}

void LayersFilter::setText(const QString& pattern) {
    text_ = QRegularExpression(pattern, QRegularExpression::CaseInsensitiveOption);
    invalidateFilter();
}

bool LayersFilter::filterAcceptsRow(int row, const QModelIndex& parent) const {
    const QModelIndex index = sourceModel()->index(row, 0, parent);
    const int category = index.data(LayersModel::CategoryRole).toInt();
    switch (show_) {
        case Show::All:
            break;
        case Show::Foldable:
            if (category != LayersModel::Foldable) return false;
            break;
        case Show::CannotFold:
            if (category != LayersModel::CannotFold) return false;
            break;
        case Show::Unsupported:
            if (category != LayersModel::Unsupported) return false;
            break;
    }
    if (text_.pattern().isEmpty() || !text_.isValid()) return true;
    const QString name = index.data().toString();
    const QString op = sourceModel()->index(row, LayersModel::OpColumn, parent).data().toString();
    return text_.match(name).hasMatch() || text_.match(op).hasMatch();
}

}  // namespace qf::ui

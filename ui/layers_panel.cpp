#include "ui/layers_panel.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLineEdit>
#include <QTableView>
#include <QVBoxLayout>

#include "ui/layers_model.h"

namespace qf::ui {

LayersPanel::LayersPanel(QWidget* parent) : QWidget(parent) {
    model_ = new LayersModel(this);
    filter_ = new LayersFilter(this);
    filter_->setSourceModel(model_);
    text_ = new QLineEdit(this);
    text_->setPlaceholderText(tr("Filter by name or op (regular expression)"));
    text_->setClearButtonEnabled(true);
    show_ = new QComboBox(this);
    show_->addItem(tr("All layers"));
    show_->addItem(tr("Foldable"));
    show_->addItem(tr("Cannot fold"));
    show_->addItem(tr("Cannot execute"));
    table_ = new QTableView(this);
    table_->setModel(filter_);
    table_->setSelectionBehavior(QAbstractItemView::SelectRows);
    table_->setSelectionMode(QAbstractItemView::SingleSelection);
    table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    table_->verticalHeader()->hide();
    table_->verticalHeader()->setDefaultSectionSize(table_->fontMetrics().height() + 6);
    table_->horizontalHeader()->setStretchLastSection(true);
    table_->setSortingEnabled(false);
    table_->setWordWrap(false);
    table_->setTextElideMode(Qt::ElideMiddle);
    table_->setAlternatingRowColors(true);
    count_ = new QLabel(this);

    auto* filters = new QHBoxLayout;
    filters->addWidget(text_, 1);
    filters->addWidget(show_);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addLayout(filters);
    layout->addWidget(table_, 1);
    layout->addWidget(count_);

    connect(text_, &QLineEdit::textChanged, this, &LayersPanel::setTextFilter);
    connect(show_, &QComboBox::currentIndexChanged, this, &LayersPanel::setFoldFilter);
    connect(table_->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this](const QModelIndex& current) {
                if (selecting_ || !current.isValid()) return;
                emit nodeSelected(current.data(LayersModel::NameRole).toString());
            });
    updateCount();
}

void LayersPanel::setPicture(std::shared_ptr<const GraphPicture> picture) {
    selecting_ = true;
    model_->setPicture(std::move(picture));
    table_->resizeColumnToContents(LayersModel::OpColumn);
    table_->resizeColumnToContents(LayersModel::ShapeColumn);
    table_->resizeColumnToContents(LayersModel::NameColumn);
    table_->setColumnWidth(LayersModel::NameColumn,
                           std::clamp(table_->columnWidth(LayersModel::NameColumn), 120, 180));
    table_->setColumnWidth(LayersModel::OpColumn,
                           std::clamp(table_->columnWidth(LayersModel::OpColumn), 60, 130));
    selecting_ = false;
    updateCount();
}

void LayersPanel::selectNode(const QString& name) {
    selecting_ = true;
    const int row = model_->rowOf(name);
    const QModelIndex index = filter_->mapFromSource(model_->index(row, 0));
    if (index.isValid()) {
        table_->selectionModel()->setCurrentIndex(
            index, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
        table_->scrollTo(index);
    } else {
        table_->selectionModel()->clearSelection();
    }
    selecting_ = false;
}

void LayersPanel::setFoldFilter(int index) {
    if (show_->currentIndex() != index) show_->setCurrentIndex(index);
    filter_->setShow(static_cast<LayersFilter::Show>(index));
    updateCount();
}

void LayersPanel::setTextFilter(const QString& pattern) {
    if (text_->text() != pattern) text_->setText(pattern);
    filter_->setText(pattern);
    updateCount();
}

int LayersPanel::visibleRows() const { return filter_->rowCount(); }

void LayersPanel::updateCount() {
    count_->setText(tr("%1 of %2 layers").arg(filter_->rowCount()).arg(model_->rowCount()));
}

}  // namespace qf::ui

#include "ui/fold_report_panel.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QTableWidget>
#include <QTreeWidget>
#include <QVBoxLayout>

#include "ui/model_document.h"

namespace qf::ui {
namespace {

QString triple(const std::array<float, 3>& values) {
    return QStringLiteral("%1, %2, %3").arg(values[0]).arg(values[1]).arg(values[2]);
}

std::array<float, 3> parseTriple(const QString& text, std::array<float, 3> fallback) {
    const QStringList parts = text.split(QLatin1Char(','), Qt::SkipEmptyParts);
    if (parts.size() == 1) {
        bool ok = false;
        const float v = parts[0].trimmed().toFloat(&ok);
        return ok ? std::array<float, 3>{v, v, v} : fallback;
    }
    if (parts.size() != 3) return fallback;
    std::array<float, 3> values{};
    for (int k = 0; k < 3; ++k) {
        bool ok = false;
        values[k] = parts[k].trimmed().toFloat(&ok);
        if (!ok) return fallback;
    }
    return values;
}

}  // namespace

FoldReportPanel::FoldReportPanel(QWidget* parent) : QWidget(parent) {
    tree_ = new QTreeWidget(this);
    tree_->setColumnCount(2);
    tree_->setHeaderLabels({tr("Layer"), tr("Detail")});
    tree_->setRootIsDecorated(true);
    tree_->setAlternatingRowColors(true);
    proofTitle_ = new QLabel(tr("Numeric proof: not computed yet"), this);
    proofTitle_->setWordWrap(true);
    proof_ = new QTableWidget(0, 4, this);
    proof_->setHorizontalHeaderLabels(
        {tr("Output"), tr("max |Δ|"), tr("max |value|"), tr("relative")});
    proof_->horizontalHeader()->setStretchLastSection(true);
    proof_->verticalHeader()->hide();
    proof_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    verify_ = new QPushButton(tr("Verify on images…"), this);
    verify_->setToolTip(tr(
        "Run the original and the folded model on a folder of images and compare their outputs"));
    foldAll_ = new QPushButton(tr("Fold all"), this);

    auto* buttons = new QHBoxLayout;
    buttons->addWidget(foldAll_);
    buttons->addWidget(verify_);
    buttons->addStretch(1);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addLayout(buttons);
    layout->addWidget(tree_, 3);
    layout->addWidget(proofTitle_);
    layout->addWidget(proof_, 2);
    connect(verify_, &QPushButton::clicked, this, &FoldReportPanel::verifyRequested);
    connect(foldAll_, &QPushButton::clicked, this, &FoldReportPanel::foldAllRequested);
    connect(tree_, &QTreeWidget::itemClicked, this, [this](QTreeWidgetItem* item) {
        const QString node = item->data(0, Qt::UserRole).toString();
        if (!node.isEmpty()) emit nodeActivated(node);
    });
}

void FoldReportPanel::setPicture(std::shared_ptr<const GraphPicture> picture) {
    tree_->clear();
    if (!picture || !picture->state.graph) return;
    auto* folded = new QTreeWidgetItem(tree_);  // owned by the tree
    auto* foldable = new QTreeWidgetItem(tree_);
    auto* skipped = new QTreeWidgetItem(tree_);
    for (const auto& record : picture->state.folded) {
        auto* item = new QTreeWidgetItem(folded);
        item->setText(0, QString::fromStdString(record.affine));
        item->setText(1, tr("%1 → %2 '%3', %4 channels%5")
                             .arg(QString::fromStdString(record.affineOp),
                                  QString::fromStdString(record.targetOp),
                                  QString::fromStdString(record.target))
                             .arg(record.channels)
                             .arg(record.biasCreated ? tr(", bias created") : QString()));
        item->setData(0, Qt::UserRole, QString::fromStdString(record.target));
    }
    int canFold = 0, cannot = 0;
    for (const auto& candidate : picture->facts->candidates) {
        auto* item = new QTreeWidgetItem(candidate.foldable() ? foldable : skipped);
        item->setText(0, QString::fromStdString(candidate.affine));
        item->setText(1, candidate.foldable() ? tr("%1 → %2 '%3'")
                                                    .arg(QString::fromStdString(candidate.affineOp),
                                                         QString::fromStdString(candidate.targetOp),
                                                         QString::fromStdString(candidate.target))
                                              : QString::fromStdString(candidate.reason));
        item->setToolTip(1, item->text(1));
        item->setData(0, Qt::UserRole, QString::fromStdString(candidate.affine));
        (candidate.foldable() ? canFold : cannot)++;
    }
    folded->setText(0, tr("Folded (%1)").arg(picture->state.folded.size()));
    foldable->setText(0, tr("Can fold (%1)").arg(canFold));
    skipped->setText(0, tr("Cannot fold (%1)").arg(cannot));
    folded->setExpanded(true);
    skipped->setExpanded(true);
    foldable->setExpanded(canFold <= 20);
    foldAll_->setEnabled(canFold > 0);
    tree_->resizeColumnToContents(0);
}

void FoldReportPanel::clearVerification() {
    proof_->setRowCount(0);
    proofTitle_->setText(tr("Numeric proof: not computed yet"));
}

void FoldReportPanel::setVerifying(bool running) {
    verify_->setEnabled(!running);
    if (running) proofTitle_->setText(tr("Numeric proof: running both models…"));
}

void FoldReportPanel::setVerification(const qf::ComparisonReport& report) {
    setVerifying(false);
    proofTitle_->setText(
        tr("Numeric proof on %n image(s): folded against original", nullptr, report.images) +
        (report.skipped.empty()
             ? QString()
             : tr(" (%n image(s) skipped)", nullptr, static_cast<int>(report.skipped.size()))));
    proof_->setRowCount(static_cast<int>(report.outputs.size()));
    for (size_t k = 0; k < report.outputs.size(); ++k) {
        const auto& difference = report.outputs[k];
        const int row = static_cast<int>(k);
        proof_->setItem(row, 0, new QTableWidgetItem(QString::fromStdString(difference.output)));
        proof_->setItem(row, 1,
                        new QTableWidgetItem(QString::number(difference.maxAbsDiff, 'g', 3)));
        proof_->setItem(row, 2,
                        new QTableWidgetItem(QString::number(difference.maxAbsValue, 'g', 4)));
        const double relative =
            difference.maxAbsValue > 0 ? difference.maxAbsDiff / difference.maxAbsValue : 0.0;
        proof_->setItem(row, 3, new QTableWidgetItem(QString::number(relative, 'g', 3)));
    }
    proof_->resizeColumnsToContents();
}

VerifyDialog::VerifyDialog(const ProjectSettings& settings, QWidget* parent) : QDialog(parent) {
    setWindowTitle(tr("Verify the folds on images"));
    folder_ = new QLineEdit(settings.imageFolder, this);
    auto* browse = new QPushButton(tr("Browse…"), this);
    connect(browse, &QPushButton::clicked, this, [this] {
        const QString folder =
            QFileDialog::getExistingDirectory(this, tr("Image folder"), folder_->text());
        if (!folder.isEmpty()) folder_->setText(folder);
    });
    const auto& pre = settings.preprocessing;
    width_ = new QSpinBox(this);
    width_->setRange(0, 8192);
    width_->setSpecialValueText(tr("from the model"));
    width_->setValue(pre.width);
    height_ = new QSpinBox(this);
    height_->setRange(0, 8192);
    height_->setSpecialValueText(tr("from the model"));
    height_->setValue(pre.height);
    scale_ = new QDoubleSpinBox(this);
    scale_->setDecimals(6);
    scale_->setRange(0.000001, 1000);
    scale_->setValue(pre.scale);
    mean_ = new QLineEdit(triple(pre.mean), this);
    std_ = new QLineEdit(triple(pre.std), this);
    order_ = new QComboBox(this);
    order_->addItems({tr("RGB"), tr("BGR")});
    order_->setCurrentIndex(pre.rgb ? 0 : 1);
    resizeShorter_ = new QSpinBox(this);
    resizeShorter_->setRange(0, 8192);
    resizeShorter_->setSpecialValueText(tr("no"));
    resizeShorter_->setValue(pre.resizeShorter);
    centerCrop_ = new QCheckBox(tr("Centre crop"), this);
    centerCrop_->setChecked(pre.centerCrop);
    maxImages_ = new QSpinBox(this);
    maxImages_->setRange(0, 100000);
    maxImages_->setSpecialValueText(tr("all"));
    maxImages_->setValue(settings.maxImages);

    auto* folderRow = new QHBoxLayout;
    folderRow->addWidget(folder_, 1);
    folderRow->addWidget(browse);
    auto* form = new QFormLayout;
    form->addRow(tr("Image folder:"), folderRow);
    form->addRow(tr("Width:"), width_);
    form->addRow(tr("Height:"), height_);
    form->addRow(tr("Pixel scale:"), scale_);
    form->addRow(tr("Mean (per channel):"), mean_);
    form->addRow(tr("Std (per channel):"), std_);
    form->addRow(tr("Channel order:"), order_);
    form->addRow(tr("Resize shorter side to:"), resizeShorter_);
    form->addRow(QString(), centerCrop_);
    form->addRow(tr("Images:"), maxImages_);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(new QLabel(tr("x = (pixel × scale − mean) / std, per channel"), this));
    layout->addLayout(form);
    layout->addWidget(buttons);
}

ProjectSettings VerifyDialog::settings() const {
    ProjectSettings settings;
    settings.imageFolder = folder_->text();
    settings.maxImages = maxImages_->value();
    auto& pre = settings.preprocessing;
    pre.width = width_->value();
    pre.height = height_->value();
    pre.scale = static_cast<float>(scale_->value());
    pre.mean = parseTriple(mean_->text(), pre.mean);
    pre.std = parseTriple(std_->text(), pre.std);
    pre.rgb = order_->currentIndex() == 0;
    pre.resizeShorter = resizeShorter_->value();
    pre.centerCrop = centerCrop_->isChecked();
    return settings;
}

}  // namespace qf::ui

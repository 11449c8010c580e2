#include "ui/comparison/image_strip.h"

#include <QCheckBox>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QImageReader>
#include <QLabel>
#include <QListWidget>
#include <QMessageBox>
#include <QPainter>
#include <QPushButton>
#include <QStyledItemDelegate>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>

namespace qf::ui {
namespace {

constexpr int kThumb = 64;
const QSize kCard(250, 92);
const QSize kNamedCard(330, 92);              // room for class names
constexpr int kEntryRole = Qt::UserRole + 1;  // index into shown()
constexpr int kThumbRole = Qt::UserRole + 2;

QString score(float value) {
    if (std::isnan(value)) return QStringLiteral("NaN");
    return QString::number(static_cast<double>(value), 'f', std::fabs(value) < 10 ? 3 : 1);
}

// Paints one card: the thumbnail, then the FP32 and int8 columns of class: score.
class CardDelegate : public QStyledItemDelegate {
public:
    CardDelegate(const std::vector<qf::ImageTopK>& entries, const QStringList& names,
                 QObject* parent)
        : QStyledItemDelegate(parent), entries_(entries), names_(names) {}

    QSize sizeHint(const QStyleOptionViewItem&, const QModelIndex&) const override {
        return names_.isEmpty() ? kCard : kNamedCard;
    }

    void paint(QPainter* painter, const QStyleOptionViewItem& option,
               const QModelIndex& index) const override {
        const int entry = index.data(kEntryRole).toInt();
        if (entry < 0 || entry >= static_cast<int>(entries_.size())) return;
        const qf::ImageTopK& image = entries_[static_cast<size_t>(entry)];
        const bool agrees = image.agrees();
        painter->save();
        painter->setRenderHint(QPainter::Antialiasing);
        const QRectF card = QRectF(option.rect).adjusted(3, 3, -3, -3);
        const bool selected = option.state & QStyle::State_Selected;
        painter->setPen(
            QPen(agrees ? QColor(189, 189, 189) : QColor(211, 47, 47), agrees ? 1.0 : 2.0));
        painter->setBrush(selected ? option.palette.highlight().color().lighter(185)
                                   : (agrees ? QColor(255, 255, 255) : QColor(255, 235, 238)));
        painter->drawRoundedRect(card, 5, 5);

        const QPixmap thumb = index.data(kThumbRole).value<QPixmap>();
        const QRectF thumbRect(card.left() + 6, card.top() + 6, kThumb, kThumb);
        if (!thumb.isNull()) {
            QSizeF size = thumb.size();
            size.scale(thumbRect.size(), Qt::KeepAspectRatio);
            painter->drawPixmap(QRectF(thumbRect.topLeft(), size).toRect(), thumb);
        }
        QFont small = option.font;
        small.setPointSizeF(std::max(7.0, small.pointSizeF() - 1.5));
        painter->setFont(small);
        painter->setPen(QColor(97, 97, 97));
        const QString name = QFileInfo(QString::fromStdString(image.path)).fileName();
        const QFontMetricsF metrics(small);
        const QRectF nameRect(card.left() + 4, thumbRect.bottom() + 2, kThumb + 4,
                              card.bottom() - thumbRect.bottom() - 2);
        painter->drawText(nameRect, Qt::AlignHCenter | Qt::AlignTop,
                          metrics.elidedText(name, Qt::ElideMiddle, nameRect.width()));

        // Two columns: FP32 and int8, a header and three classes each.
        QFont font = option.font;
        font.setPointSizeF(std::max(7.5, font.pointSizeF() - 0.5));
        const QFontMetricsF rows(font);
        const double left = thumbRect.right() + 10;
        const double column = (card.right() - 6 - left) / 2;
        const double line = rows.height() + 1;
        for (int side = 0; side < 2; ++side) {
            const auto& classes = side == 0 ? image.fp32 : image.int8;
            const double x = left + side * column;
            double y = card.top() + 6;
            QFont bold = font;
            bold.setBold(true);
            painter->setFont(bold);
            painter->setPen(QColor(33, 33, 33));
            painter->drawText(QRectF(x, y, column, line), Qt::AlignLeft | Qt::AlignVCenter,
                              side == 0 ? QStringLiteral("FP32") : QStringLiteral("int8"));
            y += line;
            for (size_t k = 0; k < classes.size(); ++k) {
                const bool top = k == 0;
                const bool labelled = image.label >= 0 && classes[k].index == image.label;
                QFont cell = font;
                cell.setBold(top);
                painter->setFont(cell);
                // Green: the labelled class. Red: a top class that is wrong where the two
                // disagree (int8's, when there is no label).
                const bool wrong = top && !agrees && !labelled && (image.label >= 0 || side == 1);
                painter->setPen(labelled ? QColor(46, 125, 50)
                                         : (wrong ? QColor(198, 40, 40) : QColor(33, 33, 33)));
                painter->drawText(
                    QRectF(x, y, column, line), Qt::AlignLeft | Qt::AlignVCenter,
                    QStringLiteral("%1: %2").arg(ImageStrip::classText(names_, classes[k].index),
                                                 score(classes[k].score)));
                y += line;
            }
        }
        painter->restore();
    }

private:
    const std::vector<qf::ImageTopK>& entries_;
    const QStringList& names_;
};

}  // namespace

ImageStrip::ImageStrip(QWidget* parent) : QWidget(parent) {
    setObjectName(QStringLiteral("ImageStrip"));
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    auto* top = new QHBoxLayout;
    summary_ = new QLabel(this);
    summary_->setWordWrap(true);
    onlyDisagreements_ = new QCheckBox(tr("Disagreements only"), this);
    classNamesButton_ = new QPushButton(tr("Class Names…"), this);
    classNamesButton_->setToolTip(tr("A text file with one class name per line, in index order"));
    top->addWidget(summary_, 1);
    top->addWidget(classNamesButton_);
    top->addWidget(onlyDisagreements_);
    layout->addLayout(top);
    list_ = new QListWidget(this);
    list_->setObjectName(QStringLiteral("ImageCards"));
    list_->setViewMode(QListView::IconMode);
    list_->setFlow(QListView::LeftToRight);
    list_->setWrapping(true);
    list_->setResizeMode(QListView::Adjust);
    list_->setMovement(QListView::Static);
    list_->setUniformItemSizes(true);
    list_->setSpacing(2);
    list_->setSelectionMode(QAbstractItemView::SingleSelection);
    list_->setItemDelegate(new CardDelegate(shown_, classNames_, list_));
    layout->addWidget(list_, 1);
    connect(onlyDisagreements_, &QCheckBox::toggled, this, &ImageStrip::fill);
    connect(classNamesButton_, &QPushButton::clicked, this, [this] {
        const QString path = QFileDialog::getOpenFileName(this, tr("Class names"), lastFolder_,
                                                          tr("Text files (*.txt);;All files (*)"));
        if (path.isEmpty()) return;
        if (!loadClassNames(path))
            QMessageBox::warning(this, tr("Class names"),
                                 tr("Cannot read %1: %2").arg(path, classNamesError_));
    });
    setReport(nullptr);
}

QString ImageStrip::classText(const QStringList& names, int index) {
    const QString name = index >= 0 && index < names.size() ? names[index] : QString();
    return name.isEmpty() ? QString::number(index) : QStringLiteral("%1 %2").arg(index).arg(name);
}

bool ImageStrip::loadClassNames(const QString& path) {
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly | QIODevice::Text)) {
        classNamesError_ = file.errorString();
        return false;
    }
    QStringList names;
    while (!file.atEnd()) names << QString::fromUtf8(file.readLine()).trimmed();
    while (!names.isEmpty() && names.back().isEmpty()) names.removeLast();
    if (names.isEmpty()) {
        classNamesError_ = tr("the file holds no names");
        return false;
    }
    classNames_ = names;
    lastFolder_ = QFileInfo(path).absolutePath();
    fill();
    return true;
}

QPixmap ImageStrip::thumbnail(const QString& path) {
    const auto it = thumbnails_.constFind(path);
    if (it != thumbnails_.constEnd()) return *it;
    QImageReader reader(path);
    reader.setAutoTransform(true);
    QImage image = reader.read();
    QPixmap pixmap;
    if (!image.isNull()) {
        // Small images (CIFAR's 32×32) are enlarged pixel by pixel, big ones smoothly.
        const bool tiny = image.width() <= kThumb && image.height() <= kThumb;
        pixmap = QPixmap::fromImage(
            image.scaled(kThumb, kThumb, Qt::KeepAspectRatio,
                         tiny ? Qt::FastTransformation : Qt::SmoothTransformation));
    }
    thumbnails_.insert(path, pixmap);
    return pixmap;
}

void ImageStrip::setReport(const qf::Int8ComparisonReport* report) {
    shown_.clear();
    disagreements_ = 0;
    if (!report) {
        summary_->setText(tr("Calibrate to compare the classes int8 and FP32 predict."));
    } else if (report->imageTopK.empty()) {
        summary_->setText(
            tr("The image strip is for classifiers: a model with one output "
               "holding one score per class."));
    } else {
        shown_ = report->imageTopK;
        std::stable_partition(shown_.begin(), shown_.end(),
                              [](const qf::ImageTopK& image) { return !image.agrees(); });
        disagreements_ = static_cast<int>(
            std::count_if(shown_.begin(), shown_.end(),
                          [](const qf::ImageTopK& image) { return !image.agrees(); }));
        summary_->setText(
            tr("%1 of %n image(s): int8's top class differs from FP32's (shown "
               "first, framed red). Green: the labelled class; red: a wrong top class.",
               nullptr, static_cast<int>(shown_.size()))
                .arg(disagreements_));
    }
    fill();
}

void ImageStrip::fill() {
    list_->clear();
    const bool only = onlyDisagreements_->isChecked();
    for (size_t k = 0; k < shown_.size(); ++k) {
        const qf::ImageTopK& image = shown_[k];
        if (only && image.agrees()) continue;
        auto* item = new QListWidgetItem(list_);
        const QString path = QString::fromStdString(image.path);
        item->setData(kEntryRole, static_cast<int>(k));
        item->setData(kThumbRole, thumbnail(path));
        item->setSizeHint(classNames_.isEmpty() ? kCard : kNamedCard);
        QString tip = path.toHtmlEscaped();
        if (image.label >= 0) tip += QStringLiteral("<br>") + tr("label: %1").arg(image.label);
        item->setToolTip(tip);
    }
}

}  // namespace qf::ui

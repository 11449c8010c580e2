#include "ui/limits_dialog.h"

#include <QDialog>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLocale>
#include <QPushButton>
#include <QSettings>
#include <QSpinBox>
#include <QVBoxLayout>
#include <algorithm>
#include <limits>

#include "graph/tensor.h"
#include "images/preprocessing.h"

namespace qf::ui {
namespace {

const QString kTensorKey = QStringLiteral("limits/max_tensor_values");
const QString kPixelsKey = QStringLiteral("limits/max_image_pixels");
// The core's defaults (the tensor one without QUANTFOLD_MAX_TENSOR_VALUES).
constexpr int kDefaultTensorValues = static_cast<int>(qf::kDefaultMaxTensorValues);
constexpr int kDefaultImagePixels = static_cast<int>(qf::kDefaultMaxImagePixels);
constexpr int kLargest = std::numeric_limits<int>::max();

int savedOr(const QString& key, int fallback) {
    bool ok = false;
    const int value = QSettings().value(key).toInt(&ok);
    return ok && value > 0 ? value : fallback;
}

int asInt(int64_t value) { return static_cast<int>(std::min<int64_t>(value, kLargest)); }

}  // namespace

class LimitsDialog : public QDialog {
    Q_OBJECT

public:
    explicit LimitsDialog(QWidget* parent) : QDialog(parent) {
        setWindowTitle(tr("Limits"));
        auto* layout = new QVBoxLayout(this);
        auto* intro = new QLabel(
            tr("Files declare the sizes of their tensors and images. These limits are checked "
               "before anything is allocated, so a broken or hostile file ends in an error "
               "instead of filling the memory. They apply to models and images loaded from "
               "now on."),
            this);
        intro->setWordWrap(true);
        layout->addWidget(intro);

        tensors_ = limitBox(QStringLiteral("maxTensorValues"), asInt(qf::maxTensorValues()));
        pixels_ = limitBox(QStringLiteral("maxImagePixels"), asInt(qf::defaultMaxImagePixels()));
        auto* tensorSize = new QLabel(this);
        const auto showSize = [tensorSize](int values) {
            tensorSize->setText(tr("%1 of float32 values per tensor")
                                    .arg(QLocale().formattedDataSize(int64_t{values} * 4)));
        };
        showSize(tensors_->value());
        connect(tensors_, qOverload<int>(&QSpinBox::valueChanged), tensorSize, showSize);
        auto* form = new QFormLayout;
        form->addRow(tr("Largest tensor (values):"), tensors_);
        form->addRow(QString(), tensorSize);
        form->addRow(tr("Largest image (pixels):"), pixels_);
        layout->addLayout(form);

        auto* buttons = new QDialogButtonBox(
            QDialogButtonBox::Ok | QDialogButtonBox::Cancel | QDialogButtonBox::RestoreDefaults,
            this);
        connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
        connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
        connect(buttons->button(QDialogButtonBox::RestoreDefaults), &QPushButton::clicked, this,
                [this] {
                    tensors_->setValue(kDefaultTensorValues);
                    pixels_->setValue(kDefaultImagePixels);
                });
        layout->addWidget(buttons);
    }

    int tensorValues() const { return tensors_->value(); }
    int imagePixels() const { return pixels_->value(); }

private:
    QSpinBox* limitBox(const QString& name, int value) {
        auto* box = new QSpinBox(this);
        box->setObjectName(name);
        box->setRange(1000, kLargest);
        box->setGroupSeparatorShown(true);
        box->setValue(value);
        box->setMinimumWidth(180);
        return box;
    }

    QSpinBox* tensors_ = nullptr;
    QSpinBox* pixels_ = nullptr;
};

qf::Preprocessing withCurrentLimits(qf::Preprocessing pre) {
    pre.maxImagePixels = qf::defaultMaxImagePixels();
    return pre;
}

void applySavedLimits() {
    const QSettings settings;
    if (settings.contains(kTensorKey))
        qf::setMaxTensorValues(savedOr(kTensorKey, kDefaultTensorValues));
    if (settings.contains(kPixelsKey))
        qf::setDefaultMaxImagePixels(savedOr(kPixelsKey, kDefaultImagePixels));
}

bool editLimits(QWidget* parent) {
    LimitsDialog dialog(parent);
    dialog.setObjectName(QStringLiteral("limitsDialog"));
    if (dialog.exec() != QDialog::Accepted) return false;
    QSettings settings;
    settings.setValue(kTensorKey, dialog.tensorValues());
    settings.setValue(kPixelsKey, dialog.imagePixels());
    qf::setMaxTensorValues(dialog.tensorValues());
    qf::setDefaultMaxImagePixels(dialog.imagePixels());
    return true;
}

}  // namespace qf::ui

#include "limits_dialog.moc"

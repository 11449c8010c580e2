#include "ui/calibration/calibration_panel.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QDoubleValidator>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QImage>
#include <QImageReader>
#include <QLabel>
#include <QLineEdit>
#include <QPixmap>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>
#include <utility>

#include "images/image_runner.h"
#include "images/preprocessing.h"
#include "ui/limits_dialog.h"
#include "ui/model_document.h"

namespace qf::ui {
namespace {

QString triple(const std::array<float, 3>& values) {
    return QStringLiteral("%1, %2, %3").arg(values[0]).arg(values[1]).arg(values[2]);
}

// "a, b, c" or one number for all three; false when it does not parse.
bool parseTriple(const QString& text, std::array<float, 3>& values) {
    const QStringList parts = text.split(QLatin1Char(','), Qt::SkipEmptyParts);
    if (parts.size() != 1 && parts.size() != 3) return false;
    std::array<float, 3> parsed{};
    for (int k = 0; k < 3; ++k) {
        bool ok = false;
        parsed[static_cast<size_t>(k)] = parts[parts.size() == 1 ? 0 : k].trimmed().toFloat(&ok);
        if (!ok) return false;
    }
    values = parsed;
    return true;
}

}  // namespace

CalibrationPanel::CalibrationPanel(QuantSession& session, QWidget* parent)
    : QWidget(parent), session_(session) {
    setObjectName(QStringLiteral("CalibrationPanel"));
    auto* layout = new QVBoxLayout(this);
    auto* form = new QFormLayout;
    layout->addLayout(form);

    auto* folderRow = new QHBoxLayout;
    folder_ = new QLineEdit(this);
    folder_->setPlaceholderText(tr("Folder of calibration images"));
    auto* browse = new QPushButton(tr("Browse…"), this);
    folderRow->addWidget(folder_, 1);
    folderRow->addWidget(browse);
    form->addRow(tr("Images:"), folderRow);
    count_ = new QLabel(tr("No folder chosen"), this);
    form->addRow(QString(), count_);
    unreadableList_ = new QPlainTextEdit(this);
    unreadableList_->setReadOnly(true);
    unreadableList_->setMaximumHeight(60);
    unreadableList_->hide();
    form->addRow(QString(), unreadableList_);

    auto* sizeRow = new QHBoxLayout;
    width_ = new QSpinBox(this);
    height_ = new QSpinBox(this);
    for (QSpinBox* box : {width_, height_}) {
        box->setRange(0, 8192);
        box->setSpecialValueText(tr("model"));
        sizeRow->addWidget(box);
    }
    form->addRow(tr("Input size (W × H):"), sizeRow);
    auto* resizeRow = new QHBoxLayout;
    resizeShorter_ = new QSpinBox(this);
    resizeShorter_->setRange(0, 8192);
    resizeShorter_->setSpecialValueText(tr("off"));
    centerCrop_ = new QCheckBox(tr("Center crop"), this);
    resizeRow->addWidget(resizeShorter_);
    resizeRow->addWidget(centerCrop_);
    form->addRow(tr("Resize shorter side:"), resizeRow);
    // A line edit, not a spin box: 1/255 must reach the core exactly as typed (a spin box
    // rounds it to its decimals, and the numbers would then differ from the CLI's).
    scale_ = new QLineEdit(this);
    scale_->setValidator(new QDoubleValidator(1e-12, 1e12, 17, scale_));
    form->addRow(tr("Scale:"), scale_);
    mean_ = new QLineEdit(this);
    std_ = new QLineEdit(this);
    form->addRow(tr("Mean:"), mean_);
    form->addRow(tr("Std:"), std_);
    order_ = new QComboBox(this);
    order_->addItem(tr("RGB"));
    order_->addItem(tr("BGR"));
    form->addRow(tr("Channel order:"), order_);

    method_ = new QComboBox(this);
    for (const auto method : qf::selectableMethods())
        method_->addItem(QString::fromStdString(qf::methodName(method)), static_cast<int>(method));
    form->addRow(tr("Method:"), method_);
    maxImages_ = new QSpinBox(this);
    maxImages_->setRange(0, 1000000);
    maxImages_->setSpecialValueText(tr("all"));
    form->addRow(tr("Max images:"), maxImages_);
    perChannel_ = new QCheckBox(tr("Per-channel weight scales (off: one per layer)"), this);
    biasCorrection_ = new QCheckBox(tr("Bias correction"), this);
    form->addRow(QString(), perChannel_);
    form->addRow(QString(), biasCorrection_);
    equalize_ = new QCheckBox(tr("Equalize conv pairs first (cross-layer equalization)"), this);
    equalize_->setObjectName(QStringLiteral("EqualizeBox"));
    equalize_->setToolTip(
        tr("Rescales consecutive convolutions so their per-channel weight ranges even out "
           "(exact in FP32; depthwise-separable networks gain most). Applies at the next "
           "calibration: the table then describes the equalized model, which the comparison and "
           "the exports use."));
    form->addRow(QString(), equalize_);

    preview_ = new QLabel(this);
    preview_->setMinimumSize(96, 96);
    preview_->setAlignment(Qt::AlignCenter);
    previewText_ = new QLabel(this);
    previewText_->setWordWrap(true);
    form->addRow(tr("Preview:"), preview_);
    form->addRow(QString(), previewText_);

    // The int8 plan quantizes the graph as it is: an unfolded BatchNorm stays an FP32 op between
    // its convolution's output and the next rounding (a residual add then rounds that branch
    // too), while the command line folds first. Say so where calibration starts.
    foldHint_ = new QWidget(this);
    foldHint_->setObjectName(QStringLiteral("FoldHint"));
    auto* hintRow = new QHBoxLayout(foldHint_);
    hintRow->setContentsMargins(0, 0, 0, 0);
    foldHintText_ = new QLabel(foldHint_);
    foldHintText_->setWordWrap(true);
    foldHintText_->setStyleSheet(QStringLiteral("color: #b35c00"));
    foldAll_ = new QPushButton(tr("Fold All"), foldHint_);
    foldAll_->setToolTip(
        tr("Fold every BatchNorm / Scale layer into the layer before it (one "
           "undo step), as the command line does before calibrating"));
    hintRow->addWidget(foldHintText_, 1);
    hintRow->addWidget(foldAll_, 0, Qt::AlignTop);
    layout->addWidget(foldHint_);

    auto* buttons = new QHBoxLayout;
    run_ = new QPushButton(tr("Run Calibration"), this);
    cancel_ = new QPushButton(tr("Cancel"), this);
    cancel_->setEnabled(false);
    buttons->addWidget(run_);
    buttons->addWidget(cancel_);
    buttons->addStretch(1);
    layout->addLayout(buttons);
    status_ = new QLabel(this);
    status_->setWordWrap(true);
    layout->addWidget(status_);
    layout->addStretch(1);

    loadSettings();
    updateFoldHint();
    connect(&session_.document(), &Document::modelOpened, this, &CalibrationPanel::updateFoldHint);
    connect(&session_.document(), &Document::modelChanged, this, &CalibrationPanel::updateFoldHint);
    connect(foldAll_, &QPushButton::clicked, this, [this] { session_.document().foldAll(); });
    connect(browse, &QPushButton::clicked, this, &CalibrationPanel::browse);
    connect(folder_, &QLineEdit::editingFinished, this, [this] {
        applySettings();
        scanFolder();
    });
    for (QSpinBox* box : {width_, height_, resizeShorter_})
        connect(box, qOverload<int>(&QSpinBox::valueChanged), this, [this] {
            applySettings();
            updatePreview();
        });
    for (QLineEdit* edit : {scale_, mean_, std_})
        connect(edit, &QLineEdit::editingFinished, this, [this] {
            applySettings();
            updatePreview();
        });
    connect(order_, qOverload<int>(&QComboBox::currentIndexChanged), this, [this] {
        applySettings();
        updatePreview();
    });
    connect(centerCrop_, &QCheckBox::toggled, this, [this] {
        applySettings();
        updatePreview();
    });
    connect(maxImages_, qOverload<int>(&QSpinBox::valueChanged), this, [this] { applySettings(); });
    connect(method_, qOverload<int>(&QComboBox::currentIndexChanged), this,
            [this] { applySettings(); });
    connect(equalize_, &QCheckBox::toggled, this, [this] { applySettings(); });
    connect(perChannel_, &QCheckBox::toggled, this, [this](bool on) {
        if (loading_) return;
        session_.setPerChannelWeights(on);
    });
    connect(biasCorrection_, &QCheckBox::toggled, this, [this](bool on) {
        if (loading_) return;
        session_.setBiasCorrection(on);
    });
    connect(run_, &QPushButton::clicked, this, [this] {
        applySettings();
        session_.calibrate();
    });
    connect(cancel_, &QPushButton::clicked, &session_, &QuantSession::cancelCalibration);
    connect(&session_, &QuantSession::calibrationStarted, this, [this] {
        run_->setEnabled(false);
        cancel_->setEnabled(true);
        status_->setText(tr("Calibrating…"));
    });
    connect(&session_, &QuantSession::calibrationProgress, this,
            [this](long done, long total, const QString& what) {
                status_->setText(tr("Calibrating: %1 of %2 %3").arg(done).arg(total).arg(what));
            });
    connect(&session_, &QuantSession::calibrationFinished, this, [this](bool succeeded) {
        run_->setEnabled(true);
        cancel_->setEnabled(false);
        if (succeeded)
            status_->setText(tr("Calibrated %n tensor(s) on %1 image(s)", nullptr,
                                static_cast<int>(session_.table().tensors.size()))
                                 .arg(session_.table().images) +
                             equalizationText());
        else
            status_->setText(session_.hasTable() ? tr("Stopped: the previous table is kept")
                                                 : tr("Stopped: no table yet"));
    });
    // An undo or redo of a granularity or bias-correction step: the boxes follow.
    connect(&session_, &QuantSession::optionsChanged, this, [this] {
        const bool wasLoading = std::exchange(loading_, true);
        perChannel_->setChecked(session_.options().perChannelWeights);
        biasCorrection_->setChecked(session_.options().biasCorrection);
        loading_ = wasLoading;
    });
    connect(&session_, &QuantSession::settingsLoaded, this, [this] {
        loadSettings();
        scanFolder();
    });
    connect(&session_.document(), &Document::modelOpened, this, [this] {
        loadSettings();
        scanFolder();
    });
}

void CalibrationPanel::loadSettings() {
    loading_ = true;
    const CalibrationSettings& s = session_.settings();
    folder_->setText(s.imageFolder);
    width_->setValue(s.pre.width);
    height_->setValue(s.pre.height);
    resizeShorter_->setValue(s.pre.resizeShorter);
    centerCrop_->setChecked(s.pre.centerCrop);
    scale_->setText(QString::number(s.pre.scale, 'g', 9));
    mean_->setText(triple(s.pre.mean));
    std_->setText(triple(s.pre.std));
    order_->setCurrentIndex(s.pre.rgb ? 0 : 1);
    method_->setCurrentIndex(method_->findData(static_cast<int>(s.method)));
    maxImages_->setValue(s.maxImages);
    perChannel_->setChecked(s.perChannelWeights);
    biasCorrection_->setChecked(s.biasCorrection);
    equalize_->setChecked(s.equalize);
    loading_ = false;
}

QString CalibrationPanel::statusText() const { return status_->text(); }

void CalibrationPanel::updateFoldHint() {
    const Document& document = session_.document();
    const int foldable =
        document.hasModel() && document.state().facts ? document.state().facts->foldableCount() : 0;
    foldHint_->setVisible(foldable > 0);
    foldHintText_->setText(
        tr("%n BatchNorm / Scale layer(s) not folded: int8 runs them in FP32 after their "
           "convolutions, which rounds more and costs accuracy (the command line folds first).",
           nullptr, foldable));
}

QString CalibrationPanel::equalizationText() const {
    if (session_.settings().equalize && !session_.table().equalized)
        return QStringLiteral("; ") + tr("no conv pair to equalize");
    const qf::EqualizeReport* report = session_.equalization();
    if (!report || report->pairs.empty()) return QString();
    return QStringLiteral("; ") +
           tr("equalized %n conv pair(s) first (worst per-channel range ratio %1 → %2)", nullptr,
              static_cast<int>(report->pairs.size()))
               .arg(report->worstRatioBefore, 0, 'f', 1)
               .arg(report->worstRatioAfter, 0, 'f', 1);
}

void CalibrationPanel::applySettings() {
    if (loading_) return;
    CalibrationSettings& s = session_.settings();
    s.imageFolder = folder_->text().trimmed().isEmpty()
                        ? QString()
                        : QDir::cleanPath(QDir(folder_->text().trimmed()).absolutePath());
    s.pre.width = width_->value();
    s.pre.height = height_->value();
    s.pre.resizeShorter = resizeShorter_->value();
    s.pre.centerCrop = centerCrop_->isChecked();
    bool scaleOk = false;
    const float scale = scale_->text().trimmed().toFloat(&scaleOk);
    if (scaleOk && scale > 0.0f)
        s.pre.scale = scale;
    else
        scale_->setText(QString::number(s.pre.scale, 'g', 9));
    if (!parseTriple(mean_->text(), s.pre.mean)) mean_->setText(triple(s.pre.mean));
    std::array<float, 3> stds = s.pre.std;
    if (parseTriple(std_->text(), stds) &&
        std::none_of(stds.begin(), stds.end(), [](float v) { return v == 0.0f; }))
        s.pre.std = stds;
    else
        std_->setText(triple(s.pre.std));
    s.pre.rgb = order_->currentIndex() == 0;
    s.method = static_cast<qf::ThresholdMethod>(method_->currentData().toInt());
    s.maxImages = maxImages_->value();
    s.equalize = equalize_->isChecked();
}

void CalibrationPanel::browse() {
    const QString folder =
        QFileDialog::getExistingDirectory(this, tr("Calibration Images"), folder_->text());
    if (!folder.isEmpty()) setImageFolder(folder);
}

void CalibrationPanel::setImageFolder(const QString& folder) {
    // Shown as the absolute path without "." or "..", as the user would type it.
    folder_->setText(folder.trimmed().isEmpty() ? folder
                                                : QDir::cleanPath(QDir(folder).absolutePath()));
    applySettings();
    scanFolder();
}

QString CalibrationPanel::imageFolder() const { return session_.settings().imageFolder; }

// Counts the images the core will read (its extensions) and lists those Qt cannot decode.
void CalibrationPanel::scanFolder() {
    imageCount_ = 0;
    unreadable_.clear();
    const QString folder = session_.settings().imageFolder;
    if (folder.isEmpty()) {
        count_->setText(tr("No folder chosen"));
        unreadableList_->hide();
        updatePreview();
        return;
    }
    const QDir dir(folder);
    if (!dir.exists()) {
        count_->setText(tr("The folder %1 does not exist").arg(folder));
        unreadableList_->hide();
        updatePreview();
        return;
    }
    const QStringList files =
        dir.entryList({QStringLiteral("*.jpg"), QStringLiteral("*.jpeg"), QStringLiteral("*.png"),
                       QStringLiteral("*.bmp"), QStringLiteral("*.JPG"), QStringLiteral("*.JPEG"),
                       QStringLiteral("*.PNG"), QStringLiteral("*.BMP")},
                      QDir::Files, QDir::Name);
    for (const QString& file : files) {
        QImageReader reader(dir.filePath(file));
        if (!reader.canRead() || !reader.size().isValid())
            unreadable_ << file;
        else
            ++imageCount_;
    }
    count_->setText(unreadable_.isEmpty()
                        ? tr("%n image(s)", nullptr, imageCount_)
                        : tr("%n image(s), %1 unreadable (skipped):", nullptr, imageCount_)
                              .arg(unreadable_.size()));
    unreadableList_->setPlainText(unreadable_.join(QLatin1Char('\n')));
    unreadableList_->setVisible(!unreadable_.isEmpty());
    updatePreview();
}

// The first readable image after the preprocessing, shown as the network's input (normalised
// to its own range for display) with the range itself.
void CalibrationPanel::updatePreview() {
    preview_->clear();
    previewRange_ = {0.0, 0.0};
    const QString folder = session_.settings().imageFolder;
    if (folder.isEmpty() || !session_.document().hasModel()) {
        previewText_->setText(tr("Open a model and choose images to see what the network sees."));
        return;
    }
    const QDir dir(folder);
    QString first;
    for (const QString& file : dir.entryList(QDir::Files, QDir::Name)) {
        const QString lower = file.toLower();
        if ((lower.endsWith(QLatin1String(".png")) || lower.endsWith(QLatin1String(".jpg")) ||
             lower.endsWith(QLatin1String(".jpeg")) || lower.endsWith(QLatin1String(".bmp"))) &&
            !unreadable_.contains(file)) {
            first = dir.filePath(file);
            break;
        }
    }
    if (first.isEmpty()) {
        previewText_->setText(tr("No readable image to preview."));
        return;
    }
    try {
        const qf::ImageInput input = qf::imageInputOf(*session_.document().state().graph);
        const qf::Preprocessing pre =
            qf::withModelSize(withCurrentLimits(session_.settings().pre), input.shape);
        const qf::Tensor tensor = qf::loadImageTensor(first.toStdString(), pre, input.channels);
        const int channels = static_cast<int>(tensor.shape[1]);
        const int height = static_cast<int>(tensor.shape[2]),
                  width = static_cast<int>(tensor.shape[3]);
        const auto [low, high] = std::minmax_element(tensor.f.begin(), tensor.f.end());
        previewRange_ = {*low, *high};
        const double span = std::max(1e-12, static_cast<double>(*high - *low));
        QImage image(width, height, QImage::Format_RGB32);
        const size_t plane = static_cast<size_t>(width) * static_cast<size_t>(height);
        for (int y = 0; y < height; ++y)
            for (int x = 0; x < width; ++x) {
                const size_t at =
                    static_cast<size_t>(y) * static_cast<size_t>(width) + static_cast<size_t>(x);
                int rgb[3];
                for (int c = 0; c < 3; ++c) {
                    // Shown in RGB whatever order the network reads.
                    int source = channels == 3 ? (pre.rgb ? c : 2 - c) : 0;
                    const double v =
                        (tensor.f[static_cast<size_t>(source) * plane + at] - *low) / span;
                    rgb[c] = static_cast<int>(std::lround(255.0 * v));
                }
                image.setPixel(x, y, qRgb(rgb[0], rgb[1], rgb[2]));
            }
        const int side = 160;
        preview_->setPixmap(QPixmap::fromImage(
            image.scaled(side, side, Qt::KeepAspectRatio,
                         width < side ? Qt::FastTransformation : Qt::SmoothTransformation)));
        previewText_->setText(tr("%1: %2×%3×%4, values in [%5, %6]")
                                  .arg(QFileInfo(first).fileName())
                                  .arg(channels)
                                  .arg(height)
                                  .arg(width)
                                  .arg(*low, 0, 'g', 4)
                                  .arg(*high, 0, 'g', 4));
    } catch (const std::exception& error) {
        previewText_->setText(tr("Preview failed: %1").arg(QString::fromUtf8(error.what())));
    }
}

}  // namespace qf::ui

// Edit ▸ Limits…: the tensor and image limits, saved and applied; a model past the tensor limit is
// refused by name and opens again once the limit is restored.
#include <QDialog>
#include <QDialogButtonBox>
#include <QPushButton>
#include <QSettings>
#include <QSpinBox>
#include <QTimer>

#include "graph/tensor.h"
#include "images/preprocessing.h"
#include "ui/limits_dialog.h"
#include "ui_test_support.h"

using namespace qftest;

namespace {

// Answers the next Limits dialog: `fill` edits it, then OK (or Cancel) is pressed.
void answerLimitsDialog(const std::function<void(QDialog&)>& fill, bool accept) {
    QTimer::singleShot(0, [fill, accept] {
        auto* dialog = qobject_cast<QDialog*>(QApplication::activeModalWidget());
        QVERIFY(dialog);
        QCOMPARE(dialog->objectName(), QStringLiteral("limitsDialog"));
        fill(*dialog);
        auto* buttons = dialog->findChild<QDialogButtonBox*>();
        buttons->button(accept ? QDialogButtonBox::Ok : QDialogButtonBox::Cancel)->click();
    });
}

QSpinBox* box(QDialog& dialog, const char* name) {
    return dialog.findChild<QSpinBox*>(QString::fromLatin1(name));
}

}  // namespace

class TestUiLimits : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() {
        isolateSettings();
        QSettings().clear();
    }

    void savedAndApplied() {
        const int64_t tensorDefault = qf::maxTensorValues();
        const int64_t pixelDefault = qf::defaultMaxImagePixels();
        const qf::Preprocessing madeBefore;  // settings made before the change
        qf::ui::applySavedLimits();          // nothing saved: the core's defaults stay
        QCOMPARE(qf::maxTensorValues(), tensorDefault);

        answerLimitsDialog(
            [&](QDialog& dialog) {
                QCOMPARE(box(dialog, "maxTensorValues")->value(), int(tensorDefault));
                QCOMPARE(box(dialog, "maxImagePixels")->value(), int(pixelDefault));
                box(dialog, "maxTensorValues")->setValue(123456);
                box(dialog, "maxImagePixels")->setValue(5000);
            },
            false);
        QVERIFY(!qf::ui::editLimits(nullptr));  // cancelled: nothing changes
        QCOMPARE(qf::maxTensorValues(), tensorDefault);
        QVERIFY(!QSettings().contains("limits/max_tensor_values"));

        answerLimitsDialog(
            [](QDialog& dialog) {
                box(dialog, "maxTensorValues")->setValue(123456);
                box(dialog, "maxImagePixels")->setValue(5000);
            },
            true);
        QVERIFY(qf::ui::editLimits(nullptr));
        QCOMPARE(qf::maxTensorValues(), int64_t{123456});
        QCOMPARE(qf::defaultMaxImagePixels(), int64_t{5000});
        QCOMPARE(qf::Preprocessing{}.maxImagePixels, int64_t{5000});
        QCOMPARE(madeBefore.maxImagePixels, pixelDefault);
        QCOMPARE(qf::ui::withCurrentLimits(madeBefore).maxImagePixels, int64_t{5000});
        QCOMPARE(QSettings().value("limits/max_tensor_values").toInt(), 123456);

        // Saved values are what the next start applies.
        qf::setMaxTensorValues(tensorDefault);
        qf::setDefaultMaxImagePixels(pixelDefault);
        qf::ui::applySavedLimits();
        QCOMPARE(qf::maxTensorValues(), int64_t{123456});
        QCOMPARE(qf::defaultMaxImagePixels(), int64_t{5000});

        answerLimitsDialog(
            [](QDialog& dialog) {
                dialog.findChild<QDialogButtonBox*>()
                    ->button(QDialogButtonBox::RestoreDefaults)
                    ->click();
            },
            true);
        QVERIFY(qf::ui::editLimits(nullptr));
        QCOMPARE(qf::maxTensorValues(), int64_t{1} << 30);
        QCOMPARE(qf::defaultMaxImagePixels(), int64_t{100'000'000});
    }

    void aModelPastTheLimitIsRefusedByName() {
        RecordingWindow window;
        qf::setMaxTensorValues(1000);  // the sample's weights hold up to 4 608 values
        QVERIFY(!openAndWait(window, {qsample("digits.onnx")}));
        QCOMPARE(window.errors.size(), size_t{1});
        const QString text = window.errors.front().message;
        QVERIFY2(text.contains("digits.onnx") && text.contains("would hold more than 1000 values"),
                 qPrintable(text));
        qf::setMaxTensorValues(int64_t{1} << 30);
        QVERIFY(openAndWait(window, {qsample("digits.onnx")}));
    }

    void theEditMenuOffersIt() {
        RecordingWindow window;
        QStringList texts;
        for (const QAction* action : window->findChildren<QAction*>()) texts << action->text();
        QVERIFY2(texts.contains("&Limits…"), qPrintable(texts.join(" | ")));
    }
};

QTEST_MAIN(TestUiLimits)
#include "test_ui_limits.moc"

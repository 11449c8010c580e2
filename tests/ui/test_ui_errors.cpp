// Errors: a broken or unsupported file leaves the previous model open and produces the error
// (file, line where the core gives one, problem) through the window's prompt, with no modal
// loop; a prototxt without weights asks for them.
#include <QFile>

#include "ui/log_panel.h"
#include "ui_test_support.h"

using namespace qftest;

class TestUiErrors : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() { isolateSettings(); }

    void brokenFileKeepsThePreviousModel_data() {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QByteArray>("content");
        QTest::addColumn<QString>("expected");  // in the message
        QTest::newRow("prototxt syntax")
            << "broken.prototxt"
            << QByteArray("name: \"x\"\ninput: \"data\"\nlayer {\n  name: \"c\"\n  type: \n")
            << "broken.prototxt";
        QTest::newRow("onnx garbage")
            << "broken.onnx" << QByteArray("this is not protobuf at all \x01\x02\x03")
            << "broken.onnx";
        QTest::newRow("unknown format") << "model.tflite" << QByteArray("x") << "model.tflite";
    }
    void brokenFileKeepsThePreviousModel() {
        QFETCH(QString, name);
        QFETCH(QByteArray, content);
        QFETCH(QString, expected);
        RecordingWindow window;
        QVERIFY(openAndWait(window, {qsample("digits.onnx")}));
        const auto before = window.document().state().graph;
        const int items = window->graphView()->graphScene()->nodeItemCount();
        QTemporaryDir dir;
        const QString path = dir.filePath(name);
        {
            QFile file(path);
            QVERIFY(file.open(QIODevice::WriteOnly));
            file.write(content);
        }
        QFile::copy(qsample("digits.caffemodel"),
                    dir.filePath(QStringLiteral("broken.caffemodel")));
        window->openFiles({path});
        QVERIFY(waitIdle(window.document()));
        QCOMPARE(window.errors.size(), size_t(1));
        QVERIFY2(window.errors[0].message.contains(expected), qPrintable(window.errors[0].message));
        // The previous model is still open, drawn and editable.
        QCOMPARE(window.document().state().graph, before);
        QVERIFY(window.document().modelPath().endsWith(QStringLiteral("digits.onnx")));
        QCOMPARE(window->graphView()->graphScene()->nodeItemCount(), items);
        QVERIFY(window.document().foldAll() > 0);
        // The Log lists the error.
        bool logged = false;
        for (int k = 0; k < window->logPanel()->count(); ++k)
            logged = logged || window->logPanel()->item(k)->text().contains(expected);
        QVERIFY(logged);
    }

    void errorsNameTheLine() {
        // A layer reading a blob nobody produces: the core names the file and the layer.
        QTemporaryDir dir;
        QByteArray text = fileBytes(qsample("digits_deploy.prototxt"));
        text.replace("bottom: \"pool1\"", "bottom: \"nowhere\"");
        const QString path = dir.filePath(QStringLiteral("bad.prototxt"));
        {
            QFile file(path);
            QVERIFY(file.open(QIODevice::WriteOnly));
            file.write(text);
        }
        RecordingWindow window;
        window->openFiles({path, qsample("digits.caffemodel")});
        QVERIFY(waitIdle(window.document()));
        QCOMPARE(window.errors.size(), size_t(1));
        const auto& error = window.errors[0];
        QVERIFY2(error.message.contains(QStringLiteral("bad.prototxt")), qPrintable(error.message));
        QVERIFY2(error.message.contains(QStringLiteral("nowhere")), qPrintable(error.message));
        QVERIFY(!error.file.isEmpty());
        QVERIFY(!window.document().hasModel());
    }

    void prototxtWithoutWeightsAsks() {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("alone.prototxt"));
        QFile::copy(qsample("digits_deploy.prototxt"), path);
        RecordingWindow window;
        QVERIFY(!window->openFiles({path}));  // the prompt answers "cancel"
        QCOMPARE(window.askedWeights.size(), 1);
        QCOMPARE(window.askedWeights[0], path);
        QVERIFY(!window.document().isBusy());
    }
};

QTEST_MAIN(TestUiErrors)
#include "test_ui_errors.moc"

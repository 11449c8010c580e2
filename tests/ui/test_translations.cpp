// The Simplified Chinese translation: it loads from the program's resources, the main window's
// menu titles come out in Chinese, and the .ts file has every entry translated (none unfinished,
// none left in English).
#include <QFile>
#include <QMenuBar>
#include <QProcess>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTranslator>
#include <QXmlStreamReader>
#include <QtTest>

#include "test_support.h"
#include "ui/language.h"
#include "ui/main_window.h"

namespace {

bool hasChinese(const QString& text) {
    for (const QChar c : text)
        if (c.unicode() >= 0x4E00 && c.unicode() <= 0x9FFF) return true;
    return false;
}

bool hasLetters(const QString& text) {
    for (const QChar c : text)
        if (c.isLetter() && c.unicode() < 0x80) return true;
    return false;
}

}  // namespace

class TestTranslations : public QObject {
    Q_OBJECT

private slots:
    void chineseLoadsAndTranslatesMenus() {
        QTranslator translator;
        QVERIFY(qf::ui::loadTranslation(translator, "zh_CN"));
        QVERIFY(!qf::ui::loadTranslation(translator, "en"));  // the source language
        QVERIFY(QCoreApplication::installTranslator(&translator));
        const QString language = QCoreApplication::translate("qf::ui::Language", "&Language");
        QVERIFY2(hasChinese(language), qPrintable(language));
        const QString copy = QCoreApplication::translate("qf::ui::PropertiesPanel", "Copy");
        QVERIFY2(hasChinese(copy), qPrintable(copy));
        QCoreApplication::removeTranslator(&translator);
        QCOMPARE(QCoreApplication::translate("qf::ui::Language", "&Language"),
                 QString("&Language"));
    }

    // View ▸ Language's choice (QSettings) decides at start-up, over the system locale.
    void savedChoiceDecidesAtStartUp() {
        QStandardPaths::setTestModeEnabled(true);  // settings in a test location
        qf::ui::setLanguageSetting("en");
        QCOMPARE(qf::ui::languageSetting(), QString("en"));
        QCOMPARE(qf::ui::installTranslations(*QCoreApplication::instance()), QString("en"));
        QCOMPARE(QCoreApplication::translate("qf::ui::MainWindow", "&File"), QString("&File"));
        qf::ui::setLanguageSetting("zh_CN");
        QCOMPARE(qf::ui::installTranslations(*QCoreApplication::instance()), QString("zh_CN"));
        QCOMPARE(QCoreApplication::translate("qf::ui::MainWindow", "&File"),
                 QString::fromUtf8("文件(&F)"));
        for (QTranslator* translator : QCoreApplication::instance()->findChildren<QTranslator*>()) {
            QCoreApplication::removeTranslator(translator);
            delete translator;
        }
        qf::ui::setLanguageSetting("");  // follow the system again
        QCOMPARE(qf::ui::languageSetting(), QString());
        QCOMPARE(QCoreApplication::translate("qf::ui::MainWindow", "&File"), QString("&File"));
        QLocale::setDefault(QLocale::c());
    }

    void mainWindowMenusAreChinese() {
        QTranslator translator;
        QVERIFY(qf::ui::loadTranslation(translator, "zh_CN"));
        QCoreApplication::installTranslator(&translator);
        {
            qf::ui::MainWindow window;
            const QList<QAction*> menus = window.menuBar()->actions();
            QVERIFY(!menus.isEmpty());
            QCOMPARE(menus.first()->text(), QString::fromUtf8("文件(&F)"));
            QStringList titles;
            for (const QAction* menu : menus) titles << menu->text();
            QVERIFY2(titles.contains(QString::fromUtf8("视图(&V)")), qPrintable(titles.join(' ')));
        }
        QCoreApplication::removeTranslator(&translator);
    }

    // lupdate over today's sources adds nothing untranslated: a new tr() string fails here until
    // `cmake --build build --target update_translations` and a translation are committed.
    void everySourceStringIsInTheTranslation() {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString ts = dir.filePath("quantfold_zh_CN.ts");
        QVERIFY(QFile::copy(
            QString::fromStdString(qftest::sourcePath("translations/quantfold_zh_CN.ts")), ts));
        QProcess lupdate;
        lupdate.setProcessChannelMode(QProcess::MergedChannels);
        const QString root = QString::fromStdString(qftest::sourcePath(""));
        lupdate.start(QF_LUPDATE_PATH, {"-I", root, "-locations", "none", root + "ui",
                                        root + "app/gui_main.cpp", "-ts", ts});
        QVERIFY(lupdate.waitForFinished(120000));
        QVERIFY2(lupdate.exitCode() == 0, lupdate.readAll().constData());
        QFile file(ts);
        QVERIFY(file.open(QIODevice::ReadOnly));
        QXmlStreamReader xml(&file);
        QString context, source;
        QStringList missing;
        while (!xml.atEnd()) {
            xml.readNext();
            if (!xml.isStartElement()) continue;
            if (xml.name() == QLatin1String("name")) context = xml.readElementText();
            if (xml.name() == QLatin1String("source")) source = xml.readElementText();
            if (xml.name() == QLatin1String("translation") &&
                xml.attributes().value("type") == QLatin1String("unfinished"))
                missing << context + ": " + source;
        }
        QVERIFY2(missing.isEmpty(), qPrintable("not in the translation: " + missing.join(" | ")));
    }

    void everyEntryIsTranslated() {
        QFile file(QString::fromStdString(qftest::sourcePath("translations/quantfold_zh_CN.ts")));
        QVERIFY(file.open(QIODevice::ReadOnly));
        QXmlStreamReader xml(&file);
        QString context, source;
        int messages = 0;
        while (!xml.atEnd()) {
            xml.readNext();
            if (!xml.isStartElement()) continue;
            if (xml.name() == QLatin1String("name")) context = xml.readElementText();
            if (xml.name() == QLatin1String("source")) source = xml.readElementText();
            if (xml.name() != QLatin1String("translation")) continue;
            ++messages;
            const QString type = xml.attributes().value("type").toString();
            const QString where = context + ": " + source;
            QVERIFY2(type != "unfinished" && type != "obsolete" && type != "vanished",
                     qPrintable("not translated: " + where));
            // Plural messages hold their forms in <numerusform> children.
            const QString translation = xml.readElementText(QXmlStreamReader::IncludeChildElements);
            QVERIFY2(!translation.trimmed().isEmpty(), qPrintable("empty: " + where));
            // Names stay as they are; any other English word means the entry was not translated.
            QString words = source;
            for (const char* name : {"QuantFold", "RGB", "BGR", "ONNX", "Caffe", "SVG", "PNG"})
                words.remove(QLatin1String(name));
            words.remove(QRegularExpression("%[0-9n]|\\(\\*\\.[a-z]+\\)|\\[\\*\\]|&"));
            if (hasLetters(words))
                QVERIFY2(hasChinese(translation), qPrintable("left in English: " + where));
        }
        QVERIFY2(!xml.hasError(), qPrintable(xml.errorString()));
        QVERIFY(messages > 50);
    }
};

QTEST_MAIN(TestTranslations)
#include "test_translations.moc"

#include "ui/language.h"

#include <QActionGroup>
#include <QCoreApplication>
#include <QLibraryInfo>
#include <QLocale>
#include <QMenu>
#include <QMessageBox>
#include <QSettings>
#include <QTranslator>
#include <memory>

namespace qf::ui {

namespace {

const char* const kSettingKey = "ui/language";
const char* const kTranslationDirectory = ":/i18n";  // where qt_add_translations puts the .qm

// The translation to use for a locale: an exact one, else one of the same language.
QString translationFor(const QLocale& locale) {
    for (const Language& language : availableLanguages()) {
        if (language.code.isEmpty()) continue;
        if (language.code == locale.name()) return language.code;
    }
    for (const Language& language : availableLanguages()) {
        if (language.code.isEmpty()) continue;
        if (QLocale(language.code).language() == locale.language()) return language.code;
    }
    return "en";
}

}  // namespace

QList<Language> availableLanguages() {
    return {{QString(), QCoreApplication::translate("qf::ui::Language", "System default")},
            {"en", "English"},
            {"zh_CN", QString::fromUtf8("简体中文")}};
}

QString languageSetting() { return QSettings().value(kSettingKey).toString(); }

void setLanguageSetting(const QString& code) {
    QSettings settings;
    if (code.isEmpty())
        settings.remove(kSettingKey);
    else
        settings.setValue(kSettingKey, code);
}

bool loadTranslation(QTranslator& translator, const QString& code) {
    if (code.isEmpty() || code == "en") return false;
    return translator.load("quantfold_" + code, kTranslationDirectory);
}

QString installTranslations(QCoreApplication& app) {
    const QString chosen = languageSetting();
    const QString code = translationFor(chosen.isEmpty() ? QLocale::system() : QLocale(chosen));
    auto own = std::make_unique<QTranslator>();
    if (!loadTranslation(*own, code)) return "en";  // English is the source language
    own->setParent(&app);
    QCoreApplication::installTranslator(own.release());
    QLocale::setDefault(QLocale(code));
    // Qt's own strings (standard buttons, file dialogs), from Debian's qt6-translations-l10n.
    auto qt = std::make_unique<QTranslator>();
    if (qt->load("qtbase_" + code, QLibraryInfo::path(QLibraryInfo::TranslationsPath))) {
        qt->setParent(&app);
        QCoreApplication::installTranslator(qt.release());
    }
    return code;
}

QMenu* createLanguageMenu(QWidget* parent) {
    auto* menu = new QMenu(QCoreApplication::translate("qf::ui::Language", "&Language"), parent);
    auto* group = new QActionGroup(menu);
    const QString current = languageSetting();
    for (const Language& language : availableLanguages()) {
        QAction* action = menu->addAction(language.nativeName);
        action->setCheckable(true);
        action->setChecked(language.code == current);
        action->setData(language.code);
        group->addAction(action);
    }
    QObject::connect(group, &QActionGroup::triggered, menu, [parent](QAction* action) {
        const QString code = action->data().toString();
        if (code == languageSetting()) return;
        setLanguageSetting(code);
        QMessageBox::information(
            parent, QCoreApplication::translate("qf::ui::Language", "Language"),
            QCoreApplication::translate("qf::ui::Language",
                                        "The language changes when QuantFold starts again."));
    });
    return menu;
}

}  // namespace qf::ui

#pragma once
// The interface language: the system locale's by default, or the one chosen in View ▸ Language
// (kept in QSettings, applied at the next start: widgets are built with translated text once).
#include <QList>
#include <QString>

class QCoreApplication;
class QMenu;
class QTranslator;
class QWidget;

namespace qf::ui {

struct Language {
    QString code;        // "" follows the system, else a locale name ("en", "zh_CN")
    QString nativeName;  // the language's name in itself, so anyone can find their own
};
// The choices of View ▸ Language, "follow the system" first.
QList<Language> availableLanguages();

// The saved choice ("" = follow the system locale).
QString languageSetting();
void setLanguageSetting(const QString& code);

// Loads QuantFold's translation for `code` (a locale name such as "zh_CN"; English, the source
// language, needs none and returns false) from the translations built into the program.
bool loadTranslation(QTranslator& translator, const QString& code);

// Installs the translations (QuantFold's and Qt's own, for standard dialogs) for the saved
// choice or, without one, the system locale; call once in main after QApplication exists.
// Returns the locale name in use ("en" when the interface stays English).
QString installTranslations(QCoreApplication& app);

// A "Language" menu with one checkable entry per available language; choosing one saves it and
// says that it applies when QuantFold starts again.
QMenu* createLanguageMenu(QWidget* parent);

}  // namespace qf::ui

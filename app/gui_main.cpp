// quantfold: the desktop app. Thin: arguments, the application object, the main window.
#include <QApplication>
#include <QCommandLineParser>
#include <QIcon>
#include <QStringList>
#include <cstdio>
#include <cstring>

#include "ui/language.h"
#include "ui/limits_dialog.h"
#include "ui/main_window.h"

int main(int argc, char** argv) {
    // --version and --help answer without a display (CI runs them on a headless machine).
    for (int k = 1; k < argc; ++k) {
        if (std::strcmp(argv[k], "--version") == 0 || std::strcmp(argv[k], "-v") == 0) {
            std::printf("quantfold %s\n", QUANTFOLD_VERSION);
            return 0;
        }
        if (std::strcmp(argv[k], "--help") == 0 || std::strcmp(argv[k], "-h") == 0) {
            std::printf(
                "Usage: quantfold [MODEL.onnx | DEPLOY.prototxt [WEIGHTS.caffemodel] | "
                "PROJECT.qfproj]\n"
                "Shows a CNN's graph with the BatchNorm layers that fold into their convolution,\n"
                "folds them with undo, verifies the fold on images and saves the model.\n");
            return 0;
        }
    }
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("QuantFold"));
    QApplication::setApplicationName(QStringLiteral("quantfold"));
    QApplication::setApplicationDisplayName(QStringLiteral("QuantFold"));
    QApplication::setApplicationVersion(QStringLiteral(QUANTFOLD_VERSION));
    // The installed icon and desktop entry (installer/) share the app id.
    QApplication::setWindowIcon(QIcon::fromTheme(QStringLiteral("io.github.quantfold.QuantFold")));
    QGuiApplication::setDesktopFileName(QStringLiteral("io.github.quantfold.QuantFold"));
    // After the organization and application names: the language choice is in QSettings.
    qf::ui::installTranslations(app);
    qf::ui::applySavedLimits();

    QCommandLineParser parser;
    parser.setApplicationDescription(QApplication::translate("main", "QuantFold desktop app"));
    parser.addPositionalArgument(
        QStringLiteral("files"),
        QApplication::translate("main", "A model (and its weights) or a project."),
        QStringLiteral("[files...]"));
    parser.process(app);

    qf::ui::MainWindow window;
    window.show();
    const QStringList files = parser.positionalArguments();
    if (!files.isEmpty()) window.openFiles(files);
    return app.exec();
}

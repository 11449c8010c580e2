#pragma once
#include <QListWidget>

namespace qf::ui {

struct ErrorReport;

// The Log dock: what happened and every diagnostic of the core, with file and line; a click on
// an entry that names a node selects it.
class LogPanel : public QListWidget {
    Q_OBJECT
public:
    enum class Level { Info, Warning, Error };
    explicit LogPanel(QWidget* parent = nullptr);
    void addMessage(Level level, const QString& text, const QString& node = QString());
    void addReport(Level level, const ErrorReport& report);

signals:
    void nodeActivated(const QString& name);
};

}  // namespace qf::ui

#include "ui/log_panel.h"

#include <QApplication>
#include <QStyle>
#include <QTime>

#include "ui/model_document.h"

namespace qf::ui {

LogPanel::LogPanel(QWidget* parent) : QListWidget(parent) {
    setWordWrap(true);
    setAlternatingRowColors(true);
    setUniformItemSizes(false);
    connect(this, &QListWidget::itemClicked, this, [this](QListWidgetItem* item) {
        const QString node = item->data(Qt::UserRole).toString();
        if (!node.isEmpty()) emit nodeActivated(node);
    });
}

void LogPanel::addMessage(Level level, const QString& text, const QString& node) {
    const QStyle::StandardPixmap icon = level == Level::Error ? QStyle::SP_MessageBoxCritical
                                        : level == Level::Warning
                                            ? QStyle::SP_MessageBoxWarning
                                            : QStyle::SP_MessageBoxInformation;
    auto* item =
        new QListWidgetItem(style()->standardIcon(icon),
                            QTime::currentTime().toString(QStringLiteral("HH:mm:ss  ")) + text);
    item->setData(Qt::UserRole, node);
    item->setToolTip(node.isEmpty() ? text : tr("%1\n(click to select '%2')").arg(text, node));
    addItem(item);  // the list owns its items
    scrollToBottom();
}

void LogPanel::addReport(Level level, const ErrorReport& report) {
    QString where;
    if (!report.file.isEmpty() && !report.message.contains(report.file))
        where = report.line > 0 ? QStringLiteral("%1:%2: ").arg(report.file).arg(report.line)
                                : report.file + QStringLiteral(": ");
    addMessage(level, where + report.message, report.node);
}

}  // namespace qf::ui

#include "ui/comparison/background_run.h"

#include <QHeaderView>
#include <QMetaObject>
#include <QProgressBar>
#include <QTableWidget>

#include "ui/calibration/quant_session.h"
#include "ui/limits_dialog.h"
#include "ui/model_document.h"

namespace qf::ui {

QTableWidget* makeResultTable(QWidget* parent, const QString& objectName,
                              const QStringList& headers) {
    auto* table = new QTableWidget(0, static_cast<int>(headers.size()), parent);
    table->setObjectName(objectName);
    table->setHorizontalHeaderLabels(headers);
    table->verticalHeader()->hide();
    table->setSelectionBehavior(QAbstractItemView::SelectRows);
    table->setSelectionMode(QAbstractItemView::SingleSelection);
    table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    table->horizontalHeader()->setStretchLastSection(true);
    return table;
}

QProgressBar* makeRunProgressBar(QWidget* parent) {
    auto* bar = new QProgressBar(parent);
    bar->setRange(0, 1000);
    bar->setValue(0);
    bar->setTextVisible(true);
    bar->hide();
    return bar;
}

bool readyToRun(QuantSession& session) {
    return session.document().hasModel() && session.hasTable() &&
           !session.settings().imageFolder.isEmpty();
}

qf::ComparisonOptions outputComparison(const QuantSession& session, int images) {
    qf::ComparisonOptions comparison;
    comparison.pre = withCurrentLimits(session.settings().pre);
    comparison.maxImages = images;
    comparison.perLayer = false;
    return comparison;
}

qf::Progress queuedProgress(QObject* receiver, const std::atomic_bool* cancel,
                            std::function<void(long, long, const QString&)> show) {
    qf::Progress progress;
    progress.cancel = cancel;
    progress.report = [receiver, show = std::move(show)](long done, long total,
                                                         const std::string& what) {
        const QString text = QString::fromStdString(what);
        QMetaObject::invokeMethod(
            receiver, [show, done, total, text] { show(done, total, text); }, Qt::QueuedConnection);
    };
    return progress;
}

void connectStaleness(QuantSession& session, QObject* receiver, std::function<void()> markChanged,
                      std::function<void()> clear) {
    QObject::connect(&session, &QuantSession::tableChanged, receiver, markChanged);
    QObject::connect(&session, &QuantSession::tableEdited, receiver, markChanged);
    QObject::connect(&session, &QuantSession::optionsChanged, receiver, markChanged);
    QObject::connect(&session.document(), &Document::modelChanged, receiver, markChanged);
    QObject::connect(&session.document(), &Document::modelOpened, receiver, std::move(clear));
}

}  // namespace qf::ui

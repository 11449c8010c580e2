#pragma once
#include <QString>
#include <QStringList>
#include <atomic>
#include <functional>

#include "evaluate/int8_comparison.h"
#include "util/progress.h"

class QObject;
class QProgressBar;
class QTableWidget;
class QWidget;

namespace qf::ui {

class QuantSession;

// What the comparison panel's background tabs (sensitivity ranking, precision budget) share:
// each runs a core search over the session's images on a thread of its own, shows its progress
// on a bar, lists its result in a table, and marks the result stale when the session changes.

// A read-only, row-selecting table with these column headers.
QTableWidget* makeResultTable(QWidget* parent, const QString& objectName,
                              const QStringList& headers);
// A hidden per-mille progress bar showing its text.
QProgressBar* makeRunProgressBar(QWidget* parent);

// Whether a run can start: the session has a model, a table and an image folder.
bool readyToRun(QuantSession& session);
// The session's preprocessing (with the current limits) over at most `images` images, outputs
// only: what a ranking or a budget search compares.
qf::ComparisonOptions outputComparison(const QuantSession& session, int images);

// A Progress honouring `cancel` whose reports reach `show` on `receiver`'s thread (queued), so a
// worker thread never touches a widget.
qf::Progress queuedProgress(QObject* receiver, const std::atomic_bool* cancel,
                            std::function<void(long done, long total, const QString& what)> show);

// Calls markChanged whenever the session's table, int8 options or model change, and clear when
// another model is opened.
void connectStaleness(QuantSession& session, QObject* receiver, std::function<void()> markChanged,
                      std::function<void()> clear);

}  // namespace qf::ui

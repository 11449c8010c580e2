#pragma once
// The graph area's before/after mode: the model as it was loaded (unfolded) on the left, the
// current folded graph (the window's own graph view) on the right, with one selection:
// selecting a layer on one side selects it on the other or, for a BatchNorm / Scale folded
// away, the layer it was folded into (and back: a conv selects itself in the original).
#include <QFutureWatcher>
#include <QSplitter>
#include <memory>

#include "ui/model_document.h"

class QLabel;

namespace qf::ui {

class GraphView;

class BeforeAfterView : public QSplitter {
    Q_OBJECT
public:
    // Takes `current` (the window's graph view) as its right pane.
    BeforeAfterView(Document& document, GraphView* current, QWidget* parent = nullptr);
    ~BeforeAfterView() override;

    // Shows or hides the original on the left; the first showing lays it out in the background.
    void setSplit(bool on);
    bool isSplit() const;
    GraphView* beforeView() const { return before_; }
    GraphView* afterView() const { return after_; }
    // Whether the original's picture is laid out and shown.
    bool hasOriginalPicture() const { return shownFor_ != nullptr; }

    // The layer of the current graph that stands for `original` (itself, or the target it was
    // folded into; "" when neither), and the layer of the original that `current` is.
    QString currentCounterpart(const QString& original) const;
    QString originalCounterpart(const QString& current) const;

    // The window's selection (in the current graph): the original follows.
    void followCurrentSelection(const QString& current);

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;

signals:
    // A layer selected in the original: its counterpart in the current graph, for the window.
    void currentNodeActivated(const QString& current);
    void originalPictureReady();

private:
    void layOutOriginal();
    void updateTitles();

    Document& document_;
    GraphView* before_;
    GraphView* after_;
    QLabel* beforeTitle_;
    QLabel* afterTitle_;
    QWidget* beforePane_;
    std::shared_ptr<const ModelFacts> originalFacts_;
    std::shared_ptr<const qf::Graph> shownFor_;  // the original the left pane shows
    std::shared_ptr<const qf::Graph> layingOut_;
    QFutureWatcher<std::shared_ptr<GraphPicture>> watcher_;
    bool fromBefore_ = false;  // the window follows a selection made on the left
};

}  // namespace qf::ui

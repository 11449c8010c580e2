#include "ui/before_after_view.h"

#include <QEvent>
#include <QLabel>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

#include "ui/graph_items.h"
#include "ui/graph_view.h"

namespace qf::ui {
namespace {

QWidget* titled(QLabel* title, QWidget* body, QWidget* parent) {
    auto* pane = new QWidget(parent);
    auto* layout = new QVBoxLayout(pane);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    title->setMargin(4);
    title->setStyleSheet(QStringLiteral("QLabel { background: #e8ecf2; font-weight: bold; }"));
    layout->addWidget(title);
    layout->addWidget(body, 1);
    return pane;
}

}  // namespace

BeforeAfterView::BeforeAfterView(Document& document, GraphView* current, QWidget* parent)
    : QSplitter(Qt::Horizontal, parent), document_(document), after_(current) {
    setObjectName(QStringLiteral("BeforeAfterView"));
    setChildrenCollapsible(false);
    before_ = new GraphView(this);
    before_->setObjectName(QStringLiteral("OriginalGraphView"));
    beforeTitle_ = new QLabel(this);
    afterTitle_ = new QLabel(this);
    beforePane_ = titled(beforeTitle_, before_, this);
    addWidget(beforePane_);
    addWidget(titled(afterTitle_, after_, this));
    setStretchFactor(0, 1);
    setStretchFactor(1, 1);
    beforePane_->hide();
    afterTitle_->hide();
    // Side by side, each pane is half as wide: the minimaps would cover the graphs' columns.
    before_->miniMap()->installEventFilter(this);
    after_->miniMap()->installEventFilter(this);

    connect(&document_, &Document::modelOpened, this, [this] {
        // The loaded state, before a project's folds apply: its facts describe the original.
        originalFacts_ = document_.state().facts;
        shownFor_.reset();
        before_->clearPicture();
        if (isSplit()) layOutOriginal();
        updateTitles();
    });
    connect(&document_, &Document::modelChanged, this, [this] { updateTitles(); });
    connect(&watcher_, &QFutureWatcherBase::finished, this, [this] {
        const std::shared_ptr<GraphPicture> picture = watcher_.result();
        layingOut_.reset();
        if (!picture || picture->state.graph != document_.original()) return;
        before_->showPicture(*picture, false);
        shownFor_ = picture->state.graph;
        followCurrentSelection(after_->selectedNode());
        emit originalPictureReady();
    });
    connect(before_, &GraphView::nodeSelected, this, [this](const QString& name) {
        const QString counterpart = currentCounterpart(name);
        after_->selectNode(counterpart, !counterpart.isEmpty());
        // The window selects the counterpart and tells this view back: the left keeps the
        // user's choice (a folded BatchNorm stays selected, not its conv).
        fromBefore_ = true;
        emit currentNodeActivated(counterpart);
        fromBefore_ = false;
    });
}

BeforeAfterView::~BeforeAfterView() {
    watcher_.waitForFinished();
    disconnect(before_, nullptr, this, nullptr);
}

void BeforeAfterView::setSplit(bool on) {
    beforePane_->setVisible(on);
    afterTitle_->setVisible(on);
    after_->miniMap()->hide();
    if (!on) after_->miniMap()->updateViewport();  // back where it is useful
    if (on) {
        setSizes({width() / 2, width() - width() / 2});
        if (!shownFor_) layOutOriginal();
    }
    updateTitles();
}

bool BeforeAfterView::isSplit() const { return !beforePane_->isHidden(); }

bool BeforeAfterView::eventFilter(QObject* watched, QEvent* event) {
    if (event->type() == QEvent::Show && isSplit())
        if (auto* map = qobject_cast<QWidget*>(watched))
            QMetaObject::invokeMethod(map, &QWidget::hide, Qt::QueuedConnection);
    return QSplitter::eventFilter(watched, event);
}

void BeforeAfterView::layOutOriginal() {
    const std::shared_ptr<const qf::Graph> original = document_.original();
    if (!original || layingOut_ == original || shownFor_ == original) return;
    auto picture = std::make_shared<GraphPicture>();
    picture->state.graph = original;
    picture->facts = originalFacts_ ? originalFacts_ : document_.factsSnapshot();
    picture->state.facts = picture->facts;
    picture->shapes = document_.picture() ? document_.picture()->shapes
                                          : std::make_shared<const ShapeMap>(document_.shapes());
    picture->topology = topologyOf(*original);
    LayoutRequest request = layoutRequestFor(*picture);  // font metrics: on the GUI thread
    layingOut_ = original;
    watcher_.setFuture(QtConcurrent::run([picture, request = std::move(request)] {
        try {
            picture->layout = layoutGraph(request);
        } catch (const std::exception&) {
            return std::shared_ptr<GraphPicture>();
        }
        return picture;
    }));
}

void BeforeAfterView::updateTitles() {
    if (!document_.hasModel()) return;
    const int before =
        document_.original() ? static_cast<int>(document_.original()->nodes.size()) : 0;
    const int after = static_cast<int>(document_.state().graph->nodes.size());
    beforeTitle_->setText(tr("Before: the model as loaded, %n layer(s)", nullptr, before));
    afterTitle_->setText(tr("After: %n fold(s), %1 layer(s)", nullptr,
                            static_cast<int>(document_.state().folded.size()))
                             .arg(after));
}

QString BeforeAfterView::currentCounterpart(const QString& original) const {
    if (original.isEmpty() || !document_.hasModel()) return {};
    const std::string name = original.toStdString();
    const qf::Graph& current = *document_.state().graph;
    if (current.nodeIndex(name) >= 0) return original;
    for (const auto& record : document_.state().folded)
        if (record.affine == name) return QString::fromStdString(record.target);
    // A graph input box keeps its name.
    for (const auto& input : current.inputs)
        if (input.name == name) return original;
    return {};
}

QString BeforeAfterView::originalCounterpart(const QString& current) const {
    const std::shared_ptr<const qf::Graph> original = document_.original();
    if (current.isEmpty() || !original) return {};
    const std::string name = current.toStdString();
    if (original->nodeIndex(name) >= 0) return current;
    for (const auto& input : original->inputs)
        if (input.name == name) return current;
    return {};
}

void BeforeAfterView::followCurrentSelection(const QString& current) {
    if (!hasOriginalPicture() || fromBefore_) return;
    const QString counterpart = originalCounterpart(current);
    before_->selectNode(counterpart, !counterpart.isEmpty());
}

}  // namespace qf::ui

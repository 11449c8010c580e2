#include "ui/graph_view.h"

#include <QContextMenuEvent>
#include <QGraphicsItem>
#include <QKeyEvent>
#include <QLinearGradient>
#include <QPainter>
#include <QScrollBar>
#include <QSvgGenerator>
#include <QWheelEvent>
#include <algorithm>
#include <cmath>
#include <limits>

#include "ui/model_document.h"

namespace qf::ui {
namespace {

constexpr double kMinZoom = 0.02;
constexpr double kMaxZoom = 6.0;
constexpr int kMiniMapFrom = 40;  // nodes: smaller graphs fit the window anyway
constexpr QSize kMiniMapSize(200, 260);

}  // namespace

// ---- MiniMap

MiniMap::MiniMap(GraphView* view) : QWidget(view), view_(view) {
    setCursor(Qt::PointingHandCursor);
    setToolTip(tr("Overview: click or drag to move the view"));
    hide();
}

QRectF MiniMap::imageRect() const {
    if (image_.isNull()) return {};
    QSizeF size = image_.size();
    size.scale(QSizeF(width() - 8, height() - 8), Qt::KeepAspectRatio);
    return QRectF(QPointF((width() - size.width()) / 2, (height() - size.height()) / 2), size);
}

void MiniMap::renderScene() {
    GraphScene* scene = view_->graphScene();
    sceneRect_ = scene->graphRect();
    if (sceneRect_.isEmpty()) {
        image_ = QImage();
        hide();
        return;
    }
    if (!enabled_) {
        hide();
        return;
    }
    QSizeF size = sceneRect_.size();
    size.scale(QSizeF(kMiniMapSize.width() - 8, kMiniMapSize.height() - 8), Qt::KeepAspectRatio);
    const QSize pixels(std::max(8, int(size.width() * 2)), std::max(8, int(size.height() * 2)));
    image_ = QImage(pixels, QImage::Format_ARGB32_Premultiplied);
    image_.fill(QColor(255, 255, 255, 235));
    {
        QPainter painter(&image_);
        painter.setRenderHint(QPainter::Antialiasing, false);
        scene->render(&painter, QRectF(QPointF(), QSizeF(pixels)), sceneRect_, Qt::KeepAspectRatio);
    }
    // Tall graphs give narrow maps: size the widget to the image, within bounds.
    QSize widget = size.toSize() + QSize(8, 8);
    widget = widget.expandedTo(QSize(60, 60));
    resize(widget);
    update();
}

void MiniMap::updateViewport() {
    // Only useful while part of the graph is out of view.
    if (!enabled_ || image_.isNull()) return;
    const QRectF visible = view_->mapToScene(view_->viewport()->rect()).boundingRect();
    setVisible(!visible.contains(sceneRect_));
    update();
}

void MiniMap::paintEvent(QPaintEvent*) {
    QPainter painter(this);
    painter.setPen(QColor(158, 158, 158));
    painter.setBrush(QColor(255, 255, 255, 230));
    painter.drawRect(rect().adjusted(0, 0, -1, -1));
    if (image_.isNull()) return;
    const QRectF target = imageRect();
    painter.drawImage(target, image_);
    // The main view's visible area.
    const QRectF visible =
        view_->mapToScene(view_->viewport()->rect()).boundingRect().intersected(sceneRect_);
    const double sx = target.width() / sceneRect_.width();
    const double sy = target.height() / sceneRect_.height();
    const QRectF frame(target.left() + (visible.left() - sceneRect_.left()) * sx,
                       target.top() + (visible.top() - sceneRect_.top()) * sy, visible.width() * sx,
                       visible.height() * sy);
    painter.setPen(QPen(QColor(26, 115, 232), 1.5));
    painter.setBrush(QColor(26, 115, 232, 40));
    painter.drawRect(frame);
}

void MiniMap::centreAt(QPointF point) {
    const QRectF target = imageRect();
    if (target.isEmpty()) return;
    const double x =
        sceneRect_.left() + (point.x() - target.left()) / target.width() * sceneRect_.width();
    const double y =
        sceneRect_.top() + (point.y() - target.top()) / target.height() * sceneRect_.height();
    view_->centerOn(QPointF(x, y));
}

void MiniMap::mousePressEvent(QMouseEvent* event) { centreAt(event->position()); }

void MiniMap::mouseMoveEvent(QMouseEvent* event) {
    if (event->buttons() & Qt::LeftButton) centreAt(event->position());
}

// ---- HeatLegend

QColor heatColour(double position) {
    // ColorBrewer's RdYlGn, its light middle five.
    static const QColor stops[] = {QColor(244, 109, 67), QColor(253, 174, 97),
                                   QColor(254, 224, 139), QColor(217, 239, 139),
                                   QColor(145, 207, 96)};
    const double t = std::clamp(std::isfinite(position) ? position : 0.0, 0.0, 1.0) * 4.0;
    const int k = std::min(static_cast<int>(t), 3);
    const double f = t - k;
    const QColor &a = stops[k], &b = stops[k + 1];
    return QColor::fromRgbF(static_cast<float>(a.redF() + (b.redF() - a.redF()) * f),
                            static_cast<float>(a.greenF() + (b.greenF() - a.greenF()) * f),
                            static_cast<float>(a.blueF() + (b.blueF() - a.blueF()) * f));
}

namespace {
constexpr int kLegendWidth = 250;
constexpr int kScaleHeight = 14;
}  // namespace

HeatLegend::HeatLegend(QWidget* parent) : QWidget(parent) {
    setObjectName(QStringLiteral("HeatLegend"));
    setAutoFillBackground(false);
    updateSize();
    hide();
}

void HeatLegend::setHeatMap(const HeatMap& map) {
    map_ = map;
    updateSize();
    update();
}

void HeatLegend::setControl(QWidget* control) {
    control_ = control;
    control_->setParent(this);
    control_->move(10, 8);
    control_->show();
    updateSize();
}

int HeatLegend::top() const { return control_ ? control_->sizeHint().height() + 12 : 6; }

void HeatLegend::updateSize() {
    QFont bold = font();
    bold.setBold(true);
    const QFontMetrics metrics(font());
    int width = std::max(kLegendWidth, QFontMetrics(bold).horizontalAdvance(map_.title) + 24);
    if (control_) width = std::max(width, control_->sizeHint().width() + 20);
    width = std::min(width, 460);
    if (control_) control_->resize(width - 20, control_->sizeHint().height());
    resize(width, top() + 4 * metrics.height() + kScaleHeight + 20);
}

void HeatLegend::paintEvent(QPaintEvent*) {
    QPainter painter(this);
    painter.setRenderHint(QPainter::Antialiasing);
    painter.setPen(QColor(158, 158, 158));
    painter.setBrush(QColor(255, 255, 255, 235));
    painter.drawRoundedRect(QRectF(rect()).adjusted(0.5, 0.5, -0.5, -0.5), 4, 4);
    const QFontMetrics metrics(font());
    const int margin = 10;
    int y = top();
    QFont bold = font();
    bold.setBold(true);
    painter.setFont(bold);
    painter.setPen(QColor(33, 33, 33));
    painter.drawText(
        QRect(margin, y, width() - 2 * margin, metrics.height()), Qt::AlignLeft | Qt::AlignVCenter,
        QFontMetrics(bold).elidedText(map_.title, Qt::ElideRight, width() - 2 * margin));
    y += metrics.height() + 4;
    const QRect scale(margin, y, width() - 2 * margin, kScaleHeight);
    QLinearGradient gradient(scale.topLeft(), scale.topRight());
    for (int k = 0; k <= 8; ++k) gradient.setColorAt(k / 8.0, heatColour(k / 8.0));
    painter.setPen(QColor(120, 120, 120));
    painter.setBrush(gradient);
    painter.drawRect(scale);
    painter.setFont(font());
    y = scale.bottom() + 2;
    // Every tick gets its mark; the numbers that would overlap one already written are left
    // out (the ends first, then the inner ones in order).
    std::vector<size_t> order;
    if (!map_.ticks.empty()) {
        order.push_back(0);
        if (map_.ticks.size() > 1) order.push_back(map_.ticks.size() - 1);
        for (size_t k = 1; k + 1 < map_.ticks.size(); ++k) order.push_back(k);
    }
    std::vector<QRect> written;
    for (const size_t k : order) {
        const auto& [position, text] = map_.ticks[k];
        const int x = scale.left() + static_cast<int>(std::lround(position * scale.width()));
        painter.setPen(QColor(120, 120, 120));
        painter.drawLine(x, scale.bottom() - 3, x, scale.bottom() + 2);
        const int w = metrics.horizontalAdvance(text) + 2;
        const QRect box(std::clamp(x - w / 2, 2, width() - w - 2), y + 2, w, metrics.height());
        if (std::any_of(written.begin(), written.end(), [&](const QRect& other) {
                return other.adjusted(-4, 0, 4, 0).intersects(box);
            }))
            continue;
        written.push_back(box);
        painter.setPen(QColor(33, 33, 33));
        painter.drawText(box, Qt::AlignCenter, text);
    }
    y += metrics.height() + 6;
    painter.setPen(QColor(33, 33, 33));
    painter.drawText(QRect(margin, y, width() - 2 * margin, metrics.height()),
                     Qt::AlignLeft | Qt::AlignVCenter, tr("worse ← int8 error → better"));
    y += metrics.height() + 4;
    const QRect swatch(margin, y + 1, 28, metrics.height() - 2);
    painter.setPen(QColor(120, 120, 120));
    painter.setBrush(QColor(214, 214, 214));
    painter.drawRect(swatch);
    painter.setBrush(QBrush(QColor(150, 150, 150), Qt::BDiagPattern));
    painter.drawRect(swatch);
    painter.setPen(QColor(33, 33, 33));
    painter.drawText(
        QRect(swatch.right() + 8, y, width() - swatch.right() - 8 - margin, metrics.height()),
        Qt::AlignLeft | Qt::AlignVCenter,
        tr("FP32: not quantized (%n layer(s))", nullptr, static_cast<int>(map_.fp32.size())));
}

// ---- GraphView

GraphView::GraphView(QWidget* parent) : QGraphicsView(parent) {
    scene_ = new GraphScene(this);  // owned by the view
    setScene(scene_);
    setRenderHints(QPainter::Antialiasing | QPainter::TextAntialiasing);
    setDragMode(QGraphicsView::ScrollHandDrag);
    setTransformationAnchor(QGraphicsView::AnchorUnderMouse);
    setResizeAnchor(QGraphicsView::AnchorViewCenter);
    setViewportUpdateMode(QGraphicsView::MinimalViewportUpdate);
    setOptimizationFlags(QGraphicsView::DontAdjustForAntialiasing);
    setBackgroundBrush(QColor(250, 250, 250));
    setFrameShape(QFrame::NoFrame);
    miniMap_ = new MiniMap(this);
    heatLegend_ = new HeatLegend(this);
    heatLegend_->move(10, 10);
    connect(scene_, &QGraphicsScene::selectionChanged, this, [this] {
        if (updatingSelection_) return;
        emit nodeSelected(selectedNode());
    });
}

GraphView::~GraphView() {
    // The scene's items go after this body: their deselection must not reach the window.
    disconnect(scene_, nullptr, this, nullptr);
}

void GraphView::clearPicture() {
    scene_->build(GraphPicture{});  // an empty picture clears the scene
    hits_.clear();
    hitIndex_ = -1;
    searchText_.clear();
    order_.clear();
    miniMap_->setEnabledForGraph(false);
    applyHeatMap();
}

void GraphView::setHeatMap(std::optional<HeatMap> map) {
    heatMap_ = std::move(map);
    applyHeatMap();
}

void GraphView::applyHeatMap() {
    if (!heatMap_) {
        scene_->clearHeat();
        heatLegend_->hide();
    } else {
        std::map<QString, QColor> fills;
        for (const auto& [node, position] : heatMap_->positions) fills[node] = heatColour(position);
        scene_->setHeat(fills, heatMap_->fp32, heatMap_->notes);
        heatLegend_->setHeatMap(*heatMap_);
        heatLegend_->show();
        heatLegend_->raise();
    }
    miniMap_->renderScene();  // the overview shows the colours too
    miniMap_->updateViewport();
}

void GraphView::showPicture(const GraphPicture& picture, bool keepViewport) {
    // Remember which node sits at the centre of the view and where, to come back to it.
    QString anchorNode;
    QPointF anchorOffset;
    const QPointF centre = mapToScene(viewport()->rect().center());
    if (keepViewport) {
        double best = std::numeric_limits<double>::max();
        for (const auto& [name, item] : scene_->nodes()) {
            const double d = QLineF(item->pos(), centre).length();
            if (d < best) {
                best = d;
                anchorNode = name;
                anchorOffset = centre - item->pos();
            }
        }
    }
    const QString selected = selectedNode();
    updatingSelection_ = true;
    scene_->build(picture);
    highlighted_.clear();
    hits_.clear();
    hitIndex_ = -1;
    searchText_.clear();
    order_.clear();
    const auto& graph = *picture.state.graph;
    for (const auto& input : graph.inputs) {
        if (!scene_->node(QString::fromStdString(input.name))) continue;
        order_.push_back(QString::fromStdString(input.name));
        searchText_[order_.back()] = {order_.back()};
    }
    for (const auto& node : graph.nodes) {
        const QString name = QString::fromStdString(node.name);
        order_.push_back(name);
        QStringList& texts = searchText_[name];
        texts << name << QString::fromStdString(node.op);
        for (const auto& tensor : node.inputs)
            if (!tensor.empty()) texts << QString::fromStdString(tensor);
        for (const auto& tensor : node.outputs) texts << QString::fromStdString(tensor);
    }
    if (NodeItem* item = scene_->node(selected)) item->setSelected(true);
    updatingSelection_ = false;
    if (heatMap_) applyHeatMap();
    updateSceneMargins();

    const bool big = scene_->nodeItemCount() >= kMiniMapFrom;
    miniMap_->setEnabledForGraph(big);
    if (big) miniMap_->renderScene();
    placeMiniMap();

    NodeItem* anchor = scene_->node(anchorNode);
    if (keepViewport && !anchorNode.isEmpty()) {
        centerOn(anchor ? anchor->pos() + anchorOffset : centre);
    } else {
        // Small graphs fit; big ones open readable at the top, where the inputs are.
        const QRectF rect = scene_->graphRect();
        const double fit = std::min(viewport()->width() / std::max(rect.width() + 40, 1.0),
                                    viewport()->height() / std::max(rect.height() + 40, 1.0));
        if (fit >= 0.6) {
            fitToWindow();
        } else {
            setZoom(std::clamp(fit, 0.75, 1.0));
            const double visibleHeight = viewport()->height() / zoom();
            centerOn(QPointF(rect.center().x(), rect.top() - 16 + visibleHeight / 2));
        }
    }
    if (selectedNode() != selected) emit nodeSelected(selectedNode());
    miniMap_->updateViewport();
}

void GraphView::updateSceneMargins() {
    // Margins of half a viewport so that any node, even at the border, can be centred.
    const QRectF rect = scene_->graphRect();
    const double z = std::max(zoom(), kMinZoom);
    const double mx = viewport()->width() / z / 2;
    const double my = viewport()->height() / z / 2;
    setSceneRect(rect.adjusted(-mx, -my, mx, my));
}

void GraphView::placeMiniMap() {
    const int margin = 10;
    const int scrollbar = verticalScrollBar()->isVisible() ? verticalScrollBar()->width() : 0;
    const int hscroll = horizontalScrollBar()->isVisible() ? horizontalScrollBar()->height() : 0;
    miniMap_->move(width() - miniMap_->width() - margin - scrollbar,
                   height() - miniMap_->height() - margin - hscroll);
    miniMap_->raise();
}

void GraphView::setZoom(double value) {
    const double target = std::clamp(value, kMinZoom, kMaxZoom);
    const QPointF centre = mapToScene(viewport()->rect().center());
    setTransform(QTransform::fromScale(target, target));
    updateSceneMargins();
    centerOn(centre);
    emit zoomChanged(target);
    miniMap_->updateViewport();
}

void GraphView::zoomBy(double factor) {
    const double target = std::clamp(zoom() * factor, kMinZoom, kMaxZoom);
    scale(target / zoom(), target / zoom());
    updateSceneMargins();
    emit zoomChanged(target);
    miniMap_->updateViewport();
}

void GraphView::fitToWindow() {
    const QRectF rect = scene_->graphRect().adjusted(-20, -20, 20, 20);
    if (rect.isEmpty()) return;
    const double fit =
        std::min(viewport()->width() / rect.width(), viewport()->height() / rect.height());
    setZoom(std::min(fit, 1.5));
    centerOn(rect.center());
    miniMap_->updateViewport();
}

void GraphView::zoomToSelection() {
    QRectF rect;
    for (QGraphicsItem* item : scene_->selectedItems())
        rect = rect.united(item->sceneBoundingRect());
    if (rect.isEmpty()) return;
    rect.adjust(-60, -60, 60, 60);
    const double fit =
        std::min(viewport()->width() / rect.width(), viewport()->height() / rect.height());
    setZoom(std::min(fit, 2.0));
    centerOn(rect.center());
}

QString GraphView::selectedNode() const {
    for (QGraphicsItem* item : scene_->selectedItems())
        if (item->type() == NodeItem::Type) return static_cast<NodeItem*>(item)->name();
    return {};
}

void GraphView::selectNode(const QString& name, bool centre) {
    NodeItem* item = scene_->node(name);
    updatingSelection_ = true;
    scene_->clearSelection();
    if (item) item->setSelected(true);
    updatingSelection_ = false;
    if (item && centre) centreOnNode(name);
}

void GraphView::centreOnNode(const QString& name) {
    if (NodeItem* item = scene_->node(name)) {
        // Far out, a hit is a dot: come in to where it can be read.
        if (zoom() < 0.6) setZoom(0.9);
        centerOn(item);
        miniMap_->updateViewport();
    }
}

int GraphView::find(const QString& pattern) {
    for (const auto& name : hits_)
        if (NodeItem* item = scene_->node(name)) item->setHighlighted(false);
    hits_.clear();
    hitIndex_ = -1;
    if (pattern.isEmpty()) {
        patternValid_ = true;
        return 0;
    }
    const QRegularExpression expression(pattern, QRegularExpression::CaseInsensitiveOption);
    patternValid_ = expression.isValid();
    if (!patternValid_) return 0;
    for (const auto& name : order_) {
        const auto it = searchText_.find(name);
        if (it == searchText_.end()) continue;
        for (const auto& text : it->second)
            if (expression.match(text).hasMatch()) {
                hits_ << name;
                break;
            }
    }
    for (const auto& name : hits_)
        if (NodeItem* item = scene_->node(name)) item->setHighlighted(true);
    return static_cast<int>(hits_.size());
}

void GraphView::showHit() {
    if (hitIndex_ < 0 || hitIndex_ >= hits_.size()) return;
    selectNode(hits_[hitIndex_], true);
    emit nodeSelected(hits_[hitIndex_]);
}

QString GraphView::findNext() {
    if (hits_.isEmpty()) return {};
    hitIndex_ = (hitIndex_ + 1) % static_cast<int>(hits_.size());
    showHit();
    return hits_[hitIndex_];
}

QString GraphView::findPrevious() {
    if (hits_.isEmpty()) return {};
    hitIndex_ = hitIndex_ <= 0 ? static_cast<int>(hits_.size()) - 1 : hitIndex_ - 1;
    showHit();
    return hits_[hitIndex_];
}

QImage GraphView::renderImage(double scale) const {
    const QRectF rect = scene_->graphRect().adjusted(-16, -16, 16, 16);
    // Keep the picture within what image viewers open.
    const double limit = 16000.0 / std::max(rect.width(), rect.height());
    const double s = std::min(scale, limit);
    QImage image((rect.size() * s).toSize(), QImage::Format_ARGB32_Premultiplied);
    image.fill(Qt::white);
    QPainter painter(&image);
    painter.setRenderHints(QPainter::Antialiasing | QPainter::TextAntialiasing);
    scene_->render(&painter, QRectF(QPointF(), image.size()), rect);
    return image;
}

bool GraphView::exportPng(const QString& path) const { return renderImage(2.0).save(path, "PNG"); }

bool GraphView::exportSvg(const QString& path) const {
    const QRectF rect = scene_->graphRect().adjusted(-16, -16, 16, 16);
    QSvgGenerator generator;
    generator.setFileName(path);
    generator.setSize(rect.size().toSize());
    generator.setViewBox(QRectF(QPointF(), rect.size()));
    generator.setTitle(tr("QuantFold graph"));
    QPainter painter;
    if (!painter.begin(&generator)) return false;
    painter.setRenderHints(QPainter::Antialiasing | QPainter::TextAntialiasing);
    scene_->render(&painter, QRectF(QPointF(), rect.size()), rect);
    return painter.end();
}

void GraphView::wheelEvent(QWheelEvent* event) {
    if (event->modifiers() & Qt::ShiftModifier) {  // Shift+wheel scrolls sideways
        QGraphicsView::wheelEvent(event);
        return;
    }
    const double steps = event->angleDelta().y() / 120.0;
    if (steps == 0) return;
    zoomBy(std::pow(1.2, steps));
    event->accept();
}

void GraphView::resizeEvent(QResizeEvent* event) {
    QGraphicsView::resizeEvent(event);
    updateSceneMargins();
    placeMiniMap();
}

void GraphView::contextMenuEvent(QContextMenuEvent* event) {
    QString name;
    for (QGraphicsItem* item : items(event->pos())) {
        if (item->type() == BadgeItem::Type && item->parentItem()) item = item->parentItem();
        if (item->type() == NodeItem::Type) {
            name = static_cast<NodeItem*>(item)->name();
            break;
        }
        if (item->type() == FoldFrameItem::Type) {
            name = static_cast<FoldFrameItem*>(item)->target();
            break;
        }
    }
    if (!name.isEmpty()) selectNode(name, false), emit nodeSelected(name);
    emit nodeContextMenu(name, event->globalPos());
}

void GraphView::scrollContentsBy(int dx, int dy) {
    QGraphicsView::scrollContentsBy(dx, dy);
    miniMap_->updateViewport();
}

void GraphView::keyPressEvent(QKeyEvent* event) {
    if (event->key() == Qt::Key_Plus || event->key() == Qt::Key_Equal) return zoomBy(1.25);
    if (event->key() == Qt::Key_Minus) return zoomBy(0.8);
    QGraphicsView::keyPressEvent(event);
}

}  // namespace qf::ui

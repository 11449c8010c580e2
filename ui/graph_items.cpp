#include "ui/graph_items.h"

#include <QApplication>
#include <QCoreApplication>
#include <QFontMetricsF>
#include <QPainter>
#include <QStyleOptionGraphicsItem>
#include <QtMath>
#include <set>

#include "ui/model_document.h"

namespace qf::ui {
namespace {

constexpr double kNodeHeight = 40.0;
constexpr double kInputHeight = 34.0;
constexpr double kMinWidth = 96.0;
constexpr double kMaxWidth = 250.0;
constexpr double kPadding = 22.0;
// Below these scales text is unreadable anyway: skip it (and the arrow heads) so that panning a
// big graph stays smooth.
constexpr double kTextDetail = 0.45;
constexpr double kShapeDetail = 0.22;

const QColor kSelection(26, 115, 232);
const QColor kFoldGreen(46, 125, 50);
const QColor kWarnOrange(230, 120, 0);
const QColor kErrorRed(198, 40, 40);
const QColor kInputColour(236, 239, 241);
const QColor kFp32Grey(214, 214, 214);

double lodOf(const QStyleOptionGraphicsItem* option, const QPainter* painter) {
    return option->levelOfDetailFromTransform(painter->worldTransform());
}

QString shapeText(const qf::Shape& shape) {
    QStringList dims;
    for (const auto d : shape) dims << (d > 0 ? QString::number(d) : QStringLiteral("?"));
    return dims.join(QChar(0x00D7));  // ×
}

QString escaped(const std::string& text) { return QString::fromStdString(text).toHtmlEscaped(); }

}  // namespace

QColor kindColour(qf::OpKind kind) {
    // Light fills with dark text: readable on screen, in print and in the exported pictures.
    switch (kind) {
        case qf::OpKind::Convolution:
            return QColor(187, 214, 251);
        case qf::OpKind::Normalization:
            return QColor(217, 204, 242);
        case qf::OpKind::Activation:
            return QColor(252, 213, 206);
        case qf::OpKind::Pooling:
            return QColor(196, 232, 204);
        case qf::OpKind::Elementwise:
            return QColor(255, 236, 179);
        case qf::OpKind::Shape:
            return QColor(224, 224, 224);
        case qf::OpKind::Other:
            return QColor(207, 234, 238);
        case qf::OpKind::Unknown:
            return QColor(255, 255, 255);
    }
    return Qt::white;
}

QString kindLabel(qf::OpKind kind) {
    switch (kind) {
        case qf::OpKind::Convolution:
            return QCoreApplication::translate("qf::ui::GraphScene", "convolution");
        case qf::OpKind::Normalization:
            return QCoreApplication::translate("qf::ui::GraphScene", "normalization");
        case qf::OpKind::Activation:
            return QCoreApplication::translate("qf::ui::GraphScene", "activation");
        case qf::OpKind::Pooling:
            return QCoreApplication::translate("qf::ui::GraphScene", "pooling");
        case qf::OpKind::Elementwise:
            return QCoreApplication::translate("qf::ui::GraphScene", "element-wise");
        case qf::OpKind::Shape:
            return QCoreApplication::translate("qf::ui::GraphScene", "shape");
        case qf::OpKind::Other:
            return QCoreApplication::translate("qf::ui::GraphScene", "other");
        case qf::OpKind::Unknown:
            return QCoreApplication::translate("qf::ui::GraphScene", "unsupported");
    }
    return {};
}

QFont nodeTitleFont() {
    QFont font = QApplication::font();
    font.setPointSizeF(10.0);
    font.setBold(true);
    return font;
}

QFont nodeNameFont() {
    QFont font = QApplication::font();
    font.setPointSizeF(8.5);
    return font;
}

QFont edgeLabelFont() {
    QFont font = QApplication::font();
    font.setPointSizeF(7.5);
    return font;
}

namespace {

struct BoxText {
    QString title, subtitle;
};

BoxText boxText(const TopologyBox& box, const GraphPicture& picture) {
    if (box.kind == TopologyBox::Kind::Input) {
        const auto it = picture.shapes->find(box.name);
        return {QString::fromStdString(box.name),
                it != picture.shapes->end() ? shapeText(it->second) : QString()};
    }
    const auto& node = picture.state.graph->nodes[box.nodeIndex];
    return {QString::fromStdString(node.op), QString::fromStdString(node.name)};
}

QSizeF boxSize(const BoxText& text, bool input) {
    static const QFontMetricsF title(nodeTitleFont());
    static const QFontMetricsF name(nodeNameFont());
    const double width =
        std::max(title.horizontalAdvance(text.title), name.horizontalAdvance(text.subtitle)) +
        kPadding;
    return {std::clamp(width, kMinWidth, kMaxWidth), input ? kInputHeight : kNodeHeight};
}

}  // namespace

LayoutRequest layoutRequestFor(const GraphPicture& picture) {
    LayoutRequest request;
    request.boxes.reserve(picture.topology.boxes.size());
    for (const auto& box : picture.topology.boxes)
        request.boxes.push_back(
            boxSize(boxText(box, picture), box.kind == TopologyBox::Kind::Input));
    for (const auto& link : picture.topology.links) request.edges.emplace_back(link.from, link.to);
    return request;
}

// ---- NodeItem

NodeItem::NodeItem(QString name, QString title, QString subtitle, qf::OpKind kind, bool isInput,
                   QSizeF size)
    : name_(std::move(name)),
      title_(std::move(title)),
      subtitle_(std::move(subtitle)),
      kind_(kind),
      isInput_(isInput),
      size_(size) {
    setFlag(ItemIsSelectable);
    setAcceptHoverEvents(false);
    setZValue(1);
}

QRectF NodeItem::boundingRect() const { return box().adjusted(-3, -3, 3, 3); }

void NodeItem::setHighlighted(bool on) {
    if (highlighted_ == on) return;
    highlighted_ = on;
    update();
}

void NodeItem::setHeat(Heat heat, QColor fill) {
    heat_ = heat;
    heatFill_ = heat == Heat::Coloured ? fill : QColor();
    update();
}

QColor NodeItem::fillColour() const {
    if (heat_ == Heat::Coloured) return heatFill_;
    if (heat_ == Heat::Fp32) return kFp32Grey;
    if (heat_ == Heat::Other) return isInput_ ? kInputColour : QColor(248, 248, 248);
    return isInput_ ? kInputColour : kindColour(kind_);
}

void NodeItem::paint(QPainter* painter, const QStyleOptionGraphicsItem* option, QWidget*) {
    const double lod = lodOf(option, painter);
    const QRectF rect = box();
    const QColor fill = fillColour();
    QColor border = fill.darker(isInput_ ? 150 : 170);
    double width = 1.0;
    Qt::PenStyle style = Qt::SolidLine;
    if (unsupported_) {
        border = kErrorRed;
        width = 2.0;
        style = Qt::DashLine;
    } else if (role_ == FoldRole::BlockedAffine) {
        border = kWarnOrange;
        width = 2.0;
    }
    if (highlighted_) {
        border = QColor(255, 160, 0);
        width = 3.0;
    }
    if (isSelected()) {
        border = kSelection;
        width = 3.0;
        style = Qt::SolidLine;
    }
    if (lod < kShapeDetail) {
        painter->fillRect(rect, isSelected() ? kSelection : fill.darker(115));
        return;
    }
    QPen pen(border, width, style);
    pen.setCosmetic(lod < kTextDetail);
    painter->setPen(pen);
    painter->setBrush(fill);
    const double radius = isInput_ ? rect.height() / 2 : 5.0;
    painter->drawRoundedRect(rect, radius, radius);
    if (heat_ == Heat::Fp32) {  // hatched: not quantized
        painter->setPen(Qt::NoPen);
        painter->setBrush(QBrush(QColor(150, 150, 150), Qt::BDiagPattern));
        painter->drawRoundedRect(rect, radius, radius);
    }
    if (lod < kTextDetail) return;

    painter->setPen(QColor(33, 33, 33));
    const QRectF inner = rect.adjusted(8, 3, -8, -3);
    if (subtitle_.isEmpty()) {
        painter->setFont(nodeTitleFont());
        painter->drawText(inner, Qt::AlignCenter, title_);
        return;
    }
    const QRectF top(inner.left(), inner.top(), inner.width(), inner.height() * 0.55);
    const QRectF bottom(inner.left(), top.bottom(), inner.width(), inner.height() * 0.45);
    painter->setFont(nodeTitleFont());
    const QFontMetricsF titleMetrics(painter->font());
    painter->drawText(top, Qt::AlignHCenter | Qt::AlignBottom,
                      titleMetrics.elidedText(title_, Qt::ElideRight, inner.width()));
    painter->setFont(nodeNameFont());
    painter->setPen(QColor(66, 66, 66));
    const QFontMetricsF nameMetrics(painter->font());
    painter->drawText(bottom, Qt::AlignHCenter | Qt::AlignTop,
                      nameMetrics.elidedText(subtitle_, Qt::ElideMiddle, inner.width()));
}

// ---- EdgeItem

EdgeItem::EdgeItem(QString tensor, const std::vector<QPointF>& spline, QPointF tip, QString label)
    : tensor_(std::move(tensor)), label_(std::move(label)) {
    setZValue(0);
    if (spline.empty()) return;
    path_.moveTo(spline.front());
    for (size_t k = 1; k + 2 < spline.size(); k += 3)
        path_.cubicTo(spline[k], spline[k + 1], spline[k + 2]);
    // The arrow head from the spline's end to the tip dot left for it.
    const QPointF end = spline.back();
    QLineF direction(end, tip);
    if (direction.length() < 1.0) direction = QLineF(path_.pointAtPercent(0.95), end);
    const double length = std::max(direction.length(), 1.0);
    const QPointF unit = (direction.p2() - direction.p1()) / length;
    const QPointF normal(-unit.y(), unit.x());
    const QPointF head = direction.p2();
    const QPointF base = head - unit * 8.0;
    arrow_ << head << base + normal * 4.0 << base - normal * 4.0;
    bounds_ = path_.boundingRect().united(arrow_.boundingRect()).adjusted(-2, -2, 2, 2);
    if (!label_.isEmpty()) {
        // Centred in the gap below the producer (clear of the fold frames drawn 8 points
        // around the boxes): an edge spanning one rank is about 42 points long.
        const QFontMetricsF metrics(edgeLabelFont());
        const double at = path_.percentAtLength(std::min(path_.length() * 0.5, 21.0));
        labelPos_ =
            path_.pointAtPercent(at) + QPointF(5, (metrics.ascent() - metrics.descent()) / 2);
        QRectF text = metrics.boundingRect(label_);
        text.moveTopLeft(labelPos_ + QPointF(0, -metrics.ascent()));
        bounds_ = bounds_.united(text.adjusted(-2, -2, 2, 2));
    }
}

void EdgeItem::paint(QPainter* painter, const QStyleOptionGraphicsItem* option, QWidget*) {
    const double lod = lodOf(option, painter);
    QPen pen(QColor(97, 97, 97), 1.2);
    pen.setCosmetic(lod < kTextDetail);
    painter->setPen(pen);
    painter->setBrush(Qt::NoBrush);
    painter->drawPath(path_);
    if (lod < kShapeDetail) return;
    painter->setPen(Qt::NoPen);
    painter->setBrush(QColor(97, 97, 97));
    painter->drawPolygon(arrow_);
    if (lod < kTextDetail || label_.isEmpty()) return;
    painter->setPen(QColor(80, 80, 80));
    painter->setFont(edgeLabelFont());
    painter->drawText(labelPos_, label_);
}

// ---- FoldFrameItem

FoldFrameItem::FoldFrameItem(QString target, QStringList affines, QRectF rect)
    : target_(std::move(target)), affines_(std::move(affines)), rect_(rect) {
    setZValue(-1);
}

void FoldFrameItem::paint(QPainter* painter, const QStyleOptionGraphicsItem* option, QWidget*) {
    const double lod = lodOf(option, painter);
    QColor fill = kFoldGreen;
    fill.setAlpha(36);
    QPen pen(kFoldGreen, 2.0, lod < kShapeDetail ? Qt::SolidLine : Qt::DashLine);
    pen.setCosmetic(lod < kTextDetail);
    painter->setPen(pen);
    painter->setBrush(fill);
    painter->drawRoundedRect(rect_, 9, 9);
}

// ---- BadgeItem

BadgeItem::BadgeItem(Kind kind, QString text, QGraphicsItem* parent)
    : QGraphicsItem(parent), kind_(kind), text_(std::move(text)) {
    const QFontMetricsF metrics(edgeLabelFont());
    size_ = QSizeF(std::max(metrics.horizontalAdvance(text_) + 10.0, 16.0), 16.0);
    setZValue(2);
}

QRectF BadgeItem::boundingRect() const {
    return QRectF(-size_.width() / 2, -size_.height() / 2, size_.width(), size_.height());
}

void BadgeItem::paint(QPainter* painter, const QStyleOptionGraphicsItem* option, QWidget*) {
    const double lod = lodOf(option, painter);
    if (lod < kShapeDetail) return;
    QColor colour = kFoldGreen;
    if (kind_ == Kind::CannotFold) colour = kWarnOrange;
    if (kind_ == Kind::Unsupported) colour = kErrorRed;
    if (kind_ == Kind::Folded) colour = QColor(0, 105, 92);
    if (kind_ == Kind::Fp32) colour = QColor(84, 84, 84);
    painter->setPen(QPen(Qt::white, 1.0));
    painter->setBrush(colour);
    const QRectF rect = boundingRect();
    painter->drawRoundedRect(rect, rect.height() / 2, rect.height() / 2);
    if (lod < kTextDetail) return;
    QFont font = edgeLabelFont();
    font.setBold(true);
    painter->setFont(font);
    painter->drawText(rect, Qt::AlignCenter, text_);
}

// ---- GraphScene

GraphScene::GraphScene(QObject* parent) : QGraphicsScene(parent) {
    setItemIndexMethod(QGraphicsScene::BspTreeIndex);
}

NodeItem* GraphScene::node(const QString& name) const {
    const auto it = nodes_.find(name);
    return it != nodes_.end() ? it->second : nullptr;
}

int GraphScene::nodeItemCount() const {
    int count = 0;
    for (const auto& [name, item] : nodes_) count += item->isInput() ? 0 : 1;
    return count;
}

int GraphScene::badgeCount(BadgeItem::Kind kind) const {
    const auto it = badges_.find(kind);
    return it != badges_.end() ? it->second : 0;
}

void GraphScene::setHeat(const std::map<QString, QColor>& fills,
                         const std::map<QString, QString>& fp32,
                         const std::map<QString, QString>& notes) {
    for (BadgeItem* badge : heatBadges_) delete badge;  // child items: the node lets go of it
    heatBadges_.clear();
    badges_.erase(BadgeItem::Kind::Fp32);
    for (const auto& [item, tip] : plainTooltips_) item->setToolTip(tip);
    plainTooltips_.clear();
    // The fold frames would cover the colours at a distance: hidden while the heat map is on.
    const bool on = !fills.empty() || !fp32.empty();
    for (QGraphicsItem* item : items())
        if (item->type() == FoldFrameItem::Type) item->setVisible(!on);
    for (const auto& [name, item] : nodes_) {
        const auto fill = fills.find(name);
        const auto kept = fp32.find(name);
        if (fill != fills.end()) {
            item->setHeat(NodeItem::Heat::Coloured, fill->second);
        } else if (kept != fp32.end()) {
            item->setHeat(NodeItem::Heat::Fp32);
            auto* badge = new BadgeItem(BadgeItem::Kind::Fp32, QStringLiteral("FP32"), item);
            const QRectF at = item->box();
            badge->setPos(at.left() + badge->boundingRect().width() / 2 - 2, at.top());
            badge->setToolTip(kept->second.toHtmlEscaped());
            heatBadges_.push_back(badge);
            ++badges_[BadgeItem::Kind::Fp32];
        } else {
            item->setHeat(on ? NodeItem::Heat::Other : NodeItem::Heat::None);
        }
        const auto note = notes.find(name);
        if (note != notes.end()) {
            plainTooltips_[item] = item->toolTip();
            item->setToolTip(item->toolTip() + QStringLiteral("<br>") + note->second);
        }
    }
}

int GraphScene::heatColouredCount() const {
    int count = 0;
    for (const auto& [name, item] : nodes_) count += item->heat() == NodeItem::Heat::Coloured;
    return count;
}

int GraphScene::heatFp32Count() const {
    int count = 0;
    for (const auto& [name, item] : nodes_) count += item->heat() == NodeItem::Heat::Fp32;
    return count;
}

void GraphScene::build(const GraphPicture& picture) {
    heatBadges_.clear();  // clear() below deletes them with their nodes
    plainTooltips_.clear();
    clear();
    nodes_.clear();
    edges_ = 0;
    frames_ = 0;
    badges_.clear();
    graphRect_ = QRectF();
    if (!picture.state.graph || !picture.facts || !picture.shapes) return;
    const qf::Graph& graph = *picture.state.graph;
    const ModelFacts& facts = *picture.facts;
    const auto& topology = picture.topology;
    const auto& layout = picture.layout;
    const auto request = layoutRequestFor(picture);

    std::vector<NodeItem*> boxes;
    boxes.reserve(topology.boxes.size());
    std::map<std::string, std::string> foldsInto;  // affine -> target (foldable ones)
    std::map<std::string, QStringList> groups;     // target -> affines
    for (const auto& candidate : facts.candidates)
        if (candidate.foldable()) {
            foldsInto[candidate.affine] = candidate.target;
            groups[candidate.target] << QString::fromStdString(candidate.affine);
        }
    std::map<std::string, QStringList> foldedInto;  // target -> affines folded since loading
    for (const auto& record : picture.state.folded)
        foldedInto[record.target] << QString::fromStdString(record.affine);

    const auto shapeOf = [&picture](const std::string& tensor) {
        const auto it = picture.shapes->find(tensor);
        return it != picture.shapes->end() ? shapeText(it->second) : QString();
    };

    for (size_t k = 0; k < topology.boxes.size(); ++k) {
        const auto& box = topology.boxes[k];
        const bool input = box.kind == TopologyBox::Kind::Input;
        const BoxText text = boxText(box, picture);
        const qf::OpKind kind =
            input ? qf::OpKind::Shape : qf::opTraits(graph.nodes[box.nodeIndex].op).kind;
        auto item = std::make_unique<NodeItem>(QString::fromStdString(box.name), text.title,
                                               text.subtitle, kind, input, request.boxes[k]);
        item->setPos(k < layout.centres.size() ? layout.centres[k] : QPointF());
        NodeItem* raw = item.get();
        addItem(item.release());  // the scene owns its items
        boxes.push_back(raw);
        nodes_[raw->name()] = raw;
        if (input) {
            raw->setToolTip(
                QCoreApplication::translate("qf::ui::GraphScene", "Graph input <b>%1</b> %2")
                    .arg(escaped(box.name), shapeOf(box.name)));
            continue;
        }
        const qf::Node& node = graph.nodes[box.nodeIndex];
        QString tip = QStringLiteral("<b>%1</b> (%2, %3)")
                          .arg(escaped(node.name), escaped(node.op), kindLabel(kind));
        for (const auto& output : node.outputs)
            tip += QStringLiteral("<br>&rarr; %1 %2").arg(escaped(output), shapeOf(output));
        const QRectF at = raw->box();
        if (facts.unsupported.count(node.name)) {
            raw->setUnsupported(true);
            auto* badge =
                new BadgeItem(BadgeItem::Kind::Unsupported, QStringLiteral("\u2715"), raw);
            badge->setPos(at.left() + 4, at.top());
            const QString why =
                QCoreApplication::translate(
                    "qf::ui::GraphScene",
                    "This runtime cannot execute %1; it is kept as it was in the file.")
                    .arg(escaped(node.op));
            badge->setToolTip(why);
            tip += QStringLiteral("<br><span style='color:#c62828'>%1</span>").arg(why);
            ++badges_[BadgeItem::Kind::Unsupported];
        }
        if (const auto* candidate = facts.candidate(node.name)) {
            if (candidate->foldable()) {
                raw->setFoldRole(FoldRole::FoldableAffine);
                auto* badge =
                    new BadgeItem(BadgeItem::Kind::Fold,
                                  QCoreApplication::translate("qf::ui::GraphScene", "fold"), raw);
                badge->setPos(at.right() - badge->boundingRect().width() / 2 + 2, at.top());
                const QString why =
                    QCoreApplication::translate("qf::ui::GraphScene",
                                                "Folds into %1 '%2' (%3 channels)")
                        .arg(escaped(candidate->targetOp), escaped(candidate->target))
                        .arg(candidate->channels);
                badge->setToolTip(why);
                tip += QStringLiteral("<br><span style='color:#2e7d32'>%1</span>").arg(why);
                ++badges_[BadgeItem::Kind::Fold];
            } else {
                raw->setFoldRole(FoldRole::BlockedAffine);
                auto* badge = new BadgeItem(BadgeItem::Kind::CannotFold, QStringLiteral("!"), raw);
                badge->setPos(at.right() - 4, at.top());
                const QString why =
                    QCoreApplication::translate("qf::ui::GraphScene", "Cannot fold: %1")
                        .arg(escaped(candidate->reason));
                badge->setToolTip(why);
                tip += QStringLiteral("<br><span style='color:#e67800'>%1</span>").arg(why);
                ++badges_[BadgeItem::Kind::CannotFold];
            }
        }
        if (groups.count(node.name)) {
            raw->setFoldRole(FoldRole::Target);
            tip += QStringLiteral("<br>") +
                   QCoreApplication::translate("qf::ui::GraphScene", "Absorbs: %1")
                       .arg(groups[node.name].join(QStringLiteral(", ")).toHtmlEscaped());
        }
        if (foldedInto.count(node.name)) {
            if (raw->foldRole() == FoldRole::None) raw->setFoldRole(FoldRole::FoldedTarget);
            const QString folded = foldedInto[node.name].join(QStringLiteral(", "));
            auto* badge =
                new BadgeItem(BadgeItem::Kind::Folded,
                              QCoreApplication::translate("qf::ui::GraphScene", "folded"), raw);
            badge->setPos(at.left() + badge->boundingRect().width() / 2 - 2, at.bottom());
            const QString why =
                QCoreApplication::translate("qf::ui::GraphScene", "Folded into it: %1")
                    .arg(folded.toHtmlEscaped());
            badge->setToolTip(why);
            tip += QStringLiteral("<br>") + why;
            ++badges_[BadgeItem::Kind::Folded];
        }
        raw->setToolTip(tip);
    }

    // Edges; each tensor's shape is written once, on its first link.
    std::set<std::string> labelled;
    for (size_t k = 0; k < topology.links.size(); ++k) {
        const auto& link = topology.links[k];
        std::vector<QPointF> spline =
            k < layout.edgeSplines.size() ? layout.edgeSplines[k] : std::vector<QPointF>{};
        QPointF tip = k < layout.arrowTips.size() ? layout.arrowTips[k] : QPointF();
        if (spline.size() < 4) {  // no route from dot: a straight line between the boxes
            const QPointF from =
                boxes[link.from]->pos() + QPointF(0, boxes[link.from]->box().bottom());
            const QPointF to = boxes[link.to]->pos() + QPointF(0, boxes[link.to]->box().top());
            spline = {from, from, to, to};
            tip = to;
        }
        const bool first = labelled.insert(link.tensor).second;
        auto edge = std::make_unique<EdgeItem>(QString::fromStdString(link.tensor), spline, tip,
                                               first ? shapeOf(link.tensor) : QString());
        edge->setToolTip(QString::fromStdString(link.tensor).toHtmlEscaped() + QStringLiteral(" ") +
                         shapeOf(link.tensor));
        addItem(edge.release());
        ++edges_;
    }

    // Frames around each foldable group.
    for (const auto& [target, affines] : groups) {
        NodeItem* targetItem = node(QString::fromStdString(target));
        if (!targetItem) continue;
        QRectF rect = targetItem->mapRectToScene(targetItem->box());
        for (const auto& affine : affines)
            if (NodeItem* item = node(affine))
                rect = rect.united(item->mapRectToScene(item->box()));
        auto frame = std::make_unique<FoldFrameItem>(QString::fromStdString(target), affines,
                                                     rect.adjusted(-7, -7, 7, 7));
        frame->setToolTip(
            QCoreApplication::translate("qf::ui::GraphScene", "%1 fold into %2")
                .arg(affines.join(QStringLiteral(", ")), QString::fromStdString(target))
                .toHtmlEscaped());
        addItem(frame.release());
        ++frames_;
    }
    graphRect_ = itemsBoundingRect();
}

}  // namespace qf::ui

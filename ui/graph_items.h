#pragma once
#include <QColor>
#include <QFont>
#include <QGraphicsItem>
#include <QGraphicsScene>
#include <QPainterPath>
#include <map>
#include <string>
#include <vector>

#include "graph/op_traits.h"
#include "ui/graph_layout.h"

namespace qf::ui {

struct GraphPicture;

// What a node is in the fold picture.
enum class FoldRole {
    None,
    FoldableAffine,  // a BatchNorm / Scale / Bias the core can fold (framed with its target)
    BlockedAffine,   // an affine node the core cannot fold (marked; tooltip gives the reason)
    Target,          // a Conv / Deconvolution / InnerProduct that foldable nodes fold into
    FoldedTarget,    // a node something was folded into since loading
};

QColor kindColour(qf::OpKind kind);
QString kindLabel(qf::OpKind kind);  // translated name of a kind, for legends and tooltips
QFont nodeTitleFont();
QFont nodeNameFont();
QFont edgeLabelFont();

// Box sizes from the labels' font metrics (GUI thread) for the layout job.
LayoutRequest layoutRequestFor(const GraphPicture& picture);

// A layer (or a graph input) box. Paints with level of detail: far out, only a coloured box.
class NodeItem : public QGraphicsItem {
public:
    enum { Type = UserType + 1 };
    NodeItem(QString name, QString title, QString subtitle, qf::OpKind kind, bool isInput,
             QSizeF size);
    int type() const override { return Type; }
    QRectF boundingRect() const override;
    void paint(QPainter* painter, const QStyleOptionGraphicsItem* option, QWidget*) override;

    const QString& name() const { return name_; }
    const QString& title() const { return title_; }
    bool isInput() const { return isInput_; }
    qf::OpKind kind() const { return kind_; }
    FoldRole foldRole() const { return role_; }
    void setFoldRole(FoldRole role) { role_ = role; }
    bool unsupported() const { return unsupported_; }
    void setUnsupported(bool unsupported) { unsupported_ = unsupported; }
    void setHighlighted(bool on);  // a find hit
    // The error heat map: a fill of its own instead of the kind's colour (an int8 layer), grey
    // and hatched (a layer kept in FP32), or pale (any other layer, so the colours stand out);
    // None: the normal colours.
    enum class Heat { None, Coloured, Fp32, Other };
    void setHeat(Heat heat, QColor fill = {});
    Heat heat() const { return heat_; }
    QColor fillColour() const;  // what the box is filled with now
    QRectF box() const {
        return QRectF(-size_.width() / 2, -size_.height() / 2, size_.width(), size_.height());
    }

private:
    QString name_, title_, subtitle_;
    qf::OpKind kind_;
    bool isInput_;
    QSizeF size_;
    FoldRole role_ = FoldRole::None;
    bool unsupported_ = false;
    bool highlighted_ = false;
    Heat heat_ = Heat::None;
    QColor heatFill_;
};

// A tensor link: the dot spline, an arrow head and (once per tensor) its shape.
class EdgeItem : public QGraphicsItem {
public:
    enum { Type = UserType + 2 };
    EdgeItem(QString tensor, const std::vector<QPointF>& spline, QPointF tip, QString label);
    int type() const override { return Type; }
    QRectF boundingRect() const override { return bounds_; }
    void paint(QPainter* painter, const QStyleOptionGraphicsItem* option, QWidget*) override;
    const QString& tensor() const { return tensor_; }
    const QString& label() const { return label_; }

private:
    QString tensor_;
    QPainterPath path_;
    QPolygonF arrow_;
    QString label_;
    QPointF labelPos_;
    QRectF bounds_;
};

// The frame around a foldable group: the target and every affine node that folds into it.
class FoldFrameItem : public QGraphicsItem {
public:
    enum { Type = UserType + 3 };
    FoldFrameItem(QString target, QStringList affines, QRectF rect);
    int type() const override { return Type; }
    QRectF boundingRect() const override { return rect_.adjusted(-2, -2, 2, 2); }
    void paint(QPainter* painter, const QStyleOptionGraphicsItem* option, QWidget*) override;
    const QString& target() const { return target_; }
    const QStringList& affines() const { return affines_; }

private:
    QString target_;
    QStringList affines_;
    QRectF rect_;
};

// A small badge on a node: "fold" on a foldable affine node, "!" on one that cannot fold,
// "✕" on a node this runtime cannot execute. The tooltip says why.
class BadgeItem : public QGraphicsItem {
public:
    enum { Type = UserType + 4 };
    enum class Kind { Fold, CannotFold, Unsupported, Folded, Fp32 };
    BadgeItem(Kind kind, QString text, QGraphicsItem* parent);
    int type() const override { return Type; }
    QRectF boundingRect() const override;
    void paint(QPainter* painter, const QStyleOptionGraphicsItem* option, QWidget*) override;
    Kind badgeKind() const { return kind_; }

private:
    Kind kind_;
    QString text_;
    QSizeF size_;
};

// The scene of one picture; items are owned by the scene.
class GraphScene : public QGraphicsScene {
    Q_OBJECT
public:
    explicit GraphScene(QObject* parent = nullptr);
    void build(const GraphPicture& picture);
    NodeItem* node(const QString& name) const;
    const std::map<QString, NodeItem*>& nodes() const { return nodes_; }
    int nodeItemCount() const;  // layers only, not graph inputs
    int edgeItemCount() const { return edges_; }
    int foldFrameCount() const { return frames_; }
    int badgeCount(BadgeItem::Kind kind) const;
    QRectF graphRect() const { return graphRect_; }

    // The error heat map: `fills` colours those nodes, `fp32` (node -> why) marks nodes kept
    // in FP32 with a hatch and an "FP32" badge, `notes` (node -> html) extends their tooltips.
    // An empty call restores the kind colours and the tooltips.
    void setHeat(const std::map<QString, QColor>& fills, const std::map<QString, QString>& fp32,
                 const std::map<QString, QString>& notes);
    void clearHeat() { setHeat({}, {}, {}); }
    int heatColouredCount() const;  // nodes filled by the heat map
    int heatFp32Count() const;      // nodes marked FP32 by it

private:
    std::map<QString, NodeItem*> nodes_;
    int edges_ = 0;
    int frames_ = 0;
    std::map<BadgeItem::Kind, int> badges_;
    QRectF graphRect_;
    std::vector<BadgeItem*> heatBadges_;          // the FP32 badges, removed with the heat map
    std::map<NodeItem*, QString> plainTooltips_;  // tooltips before the heat map's notes
};

}  // namespace qf::ui

#pragma once
#include <QFutureWatcher>
#include <QPointer>
#include <QString>
#include <QWidget>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "graph/graph.h"
#include "ui/properties/node_properties.h"

class QCustomPlot;
class QLabel;
class QTextBrowser;
class QToolButton;

namespace qf::ui {

// The Properties dock's contents: everything about one node (op, attributes, tensors with
// shapes, weight statistics, parameter and MAC counts, a per-channel plot for convolutions and
// BatchNorms) or a summary of the whole model. Text is selectable; Copy copies all of it as
// tab-separated lines. Shapes are inferred on a worker thread once per graph snapshot; until
// they arrive the panel shows what it knows without them and then refreshes itself.
class PropertiesPanel : public QWidget {
    Q_OBJECT

public:
    // A line about the shown node that the panel cannot know itself (fold state, whether the
    // runtime executes it), shown under the title until the next showNode/showSummary.
    struct Note {
        enum class Tone { Plain, Good, Warning, Error };
        QString text;
        Tone tone = Tone::Plain;
    };

    explicit PropertiesPanel(QWidget* parent = nullptr);
    ~PropertiesPanel() override;

    // The node with that stable id (Node::id); the summary when the snapshot has no such node.
    void showNode(std::shared_ptr<const Graph> graph, uint64_t nodeId);
    void showSummary(std::shared_ptr<const Graph> graph);
    void clear();
    // Shapes the caller already has for this snapshot, instead of inferring them here.
    void setShapes(std::shared_ptr<const Graph> graph, std::map<std::string, Shape> shapes);
    void setNotes(QList<Note> notes);

    bool shapesKnown() const { return shapesGraph_ != nullptr && !shapesPending_; }
    QString shapeError() const { return shapeError_; }  // why inference failed, "" if it did not
    QString plainText() const { return plainText_; }
    const NodeProperties* nodeProperties() const;
    const ModelSummary* modelSummary() const;
    QCustomPlot* plot() const { return plot_; }
    QTextBrowser* details() const { return details_; }

public slots:
    void copyAll() const;

signals:
    void shapesComputed();
    // A node name was clicked in the text (an input's producer, a layer of the summary).
    void nodeActivated(const QString& nodeName);

private:
    struct ShapeResult {
        std::shared_ptr<const Graph> graph;
        std::map<std::string, Shape> shapes;
        QString error;
    };
    void ensureShapes(const std::shared_ptr<const Graph>& graph);
    void onShapesFinished();
    void refresh();
    void renderNode(const NodeProperties& p);
    void renderSummary(const ModelSummary& s);
    void plotChannelRanges(const NodeProperties& p);
    void plotBatchNorm(const BatchNormChannels& bn);
    void plotScale(const ScaleChannels& scale);
    void finishChannelPlot(size_t channels);

    QLabel* title_;
    QToolButton* copyButton_;
    QTextBrowser* details_;
    QCustomPlot* plot_;
    QFutureWatcher<ShapeResult>* shapeJob_;

    std::shared_ptr<const Graph> graph_;  // what is shown
    std::optional<int> nodeIndex_;        // empty: the summary
    std::shared_ptr<const Graph> shapesGraph_;
    std::map<std::string, Shape> shapes_;
    bool shapesPending_ = false;
    QString shapeError_;
    QList<Note> notes_;
    std::optional<NodeProperties> node_;
    std::optional<ModelSummary> summary_;
    QString plainText_;
};

}  // namespace qf::ui

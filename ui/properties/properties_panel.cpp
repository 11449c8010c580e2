#include "ui/properties/properties_panel.h"

#include <qcustomplot.h>

#include <QApplication>
#include <QClipboard>
#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QSplitter>
#include <QTextBrowser>
#include <QToolButton>
#include <QUrl>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

#include "runtime/shape_inference.h"

namespace qf::ui {

namespace {

// The node with that stable id (Node::id), if the snapshot still has it.
std::optional<int> findNodeIndex(const Graph& graph, uint64_t nodeId) {
    const int index = graph.nodeIndexById(nodeId);
    if (index < 0) return std::nullopt;
    return index;
}

QString q(const std::string& text) { return QString::fromStdString(text); }

// Full precision for copying, short enough to read.
QString number(double value) { return QString::number(value, 'g', 7); }

QString count(int64_t value) { return QLocale().toString(static_cast<qlonglong>(value)); }

// 1234567 → "1.23 M", for reading magnitudes at a glance next to the exact count.
QString shortCount(int64_t value) {
    const double v = static_cast<double>(value);
    if (v >= 1e9) return QString::number(v / 1e9, 'f', 2) + " G";
    if (v >= 1e6) return QString::number(v / 1e6, 'f', 2) + " M";
    if (v >= 1e3) return QString::number(v / 1e3, 'f', 1) + " K";
    return QString::number(value);
}

QString countWithShort(int64_t value) {
    return value >= 1000 ? count(value) + " (" + shortCount(value) + ")" : count(value);
}

QString shapeText(const std::optional<Shape>& shape) {
    if (!shape) return PropertiesPanel::tr("unknown");
    return q(shapeToString(*shape));
}

QString channelList(const std::vector<int>& channels) {
    QStringList items;
    for (const int c : channels) items << QString::number(c);
    return items.join(", ");
}

// Builds the panel's HTML and, alongside, its plain-text copy (tab-separated table rows), so
// what Copy puts on the clipboard is exactly what is shown.
class Report {
public:
    void heading(const QString& text) {
        closeTable();
        html_ += "<h3>" + text.toHtmlEscaped() + "</h3>";
        text_ += "\n" + text + "\n";
    }
    void paragraph(const QString& text, bool warning = false, const char* colour = nullptr) {
        closeTable();
        if (warning) colour = "#b00020";
        html_ += colour ? QString("<p style='color:%1'>").arg(colour) : QString("<p>");
        html_ += text.toHtmlEscaped() + "</p>";
        text_ += text + "\n";
    }
    void header(const QStringList& cells) {
        openTable();
        html_ += "<tr>";
        for (const auto& cell : cells)
            html_ += "<th align='left'>" + cell.toHtmlEscaped() + "</th>";
        html_ += "</tr>";
        text_ += cells.join('\t') + "\n";
    }
    // Cells are plain text; `links` optionally names, per cell, a node the cell links to.
    void row(const QStringList& cells, const QStringList& links = {}, bool flagged = false) {
        openTable();
        html_ += flagged ? "<tr style='color:#b00020'>" : "<tr>";
        for (int k = 0; k < cells.size(); ++k) {
            const QString escaped = cells[k].toHtmlEscaped();
            const QString link = k < links.size() ? links[k] : QString();
            html_ += "<td>";
            html_ += link.isEmpty() ? escaped
                                    : "<a href='node:" + QUrl::toPercentEncoding(link) + "'>" +
                                          escaped + "</a>";
            html_ += "</td>";
        }
        html_ += "</tr>";
        text_ += cells.join('\t') + "\n";
    }
    QString html() {
        closeTable();
        return html_;
    }
    QString text() const { return text_.trimmed() + "\n"; }

private:
    void openTable() {
        if (inTable_) return;
        html_ += "<table cellspacing='0' cellpadding='2'>";
        inTable_ = true;
    }
    void closeTable() {
        if (!inTable_) return;
        html_ += "</table>";
        inTable_ = false;
    }
    QString html_, text_;
    bool inTable_ = false;
};

// One block per weight: its name on a line of its own (names are long), then its figures.
void addStatisticsRows(Report& report, const std::vector<WeightRow>& weights) {
    for (const auto& w : weights) {
        const WeightStatistics& s = w.statistics;
        report.paragraph(PropertiesPanel::tr("%1 — %2, %3")
                             .arg(q(w.name), q(shapeToString(w.shape)), q(w.dtype)));
        const double total = static_cast<double>(s.count + s.nonFinite);
        const QString zeros =
            count(s.zeros) +
            QString(" (%1%)").arg(total > 0 ? 100.0 * s.zeros / total : 0.0, 0, 'f', 1);
        report.header({PropertiesPanel::tr("Min"), PropertiesPanel::tr("Max"),
                       PropertiesPanel::tr("Mean"), PropertiesPanel::tr("Std"),
                       PropertiesPanel::tr("Zeros")});
        report.row({number(s.min), number(s.max), number(s.mean), number(s.std), zeros}, {},
                   s.nonFinite > 0);
        if (s.nonFinite > 0)
            report.paragraph(PropertiesPanel::tr("%1 values are NaN or infinite").arg(s.nonFinite),
                             true);
    }
}

}  // namespace

PropertiesPanel::PropertiesPanel(QWidget* parent)
    : QWidget(parent),
      title_(new QLabel(this)),
      copyButton_(new QToolButton(this)),
      details_(new QTextBrowser(this)),
      plot_(new QCustomPlot(this)),
      shapeJob_(new QFutureWatcher<ShapeResult>(this)) {
    setObjectName("propertiesPanel");
    QFont titleFont = title_->font();
    titleFont.setBold(true);
    title_->setFont(titleFont);
    title_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    title_->setWordWrap(true);

    copyButton_->setText(tr("Copy"));
    copyButton_->setToolTip(tr("Copy all properties as text (tab-separated)"));
    connect(copyButton_, &QToolButton::clicked, this, &PropertiesPanel::copyAll);

    details_->setOpenLinks(false);
    details_->setTextInteractionFlags(Qt::TextBrowserInteraction | Qt::TextSelectableByKeyboard);
    connect(details_, &QTextBrowser::anchorClicked, this, [this](const QUrl& url) {
        if (url.scheme() == "node")
            emit nodeActivated(QUrl::fromPercentEncoding(url.path().toUtf8()));
    });

    plot_->setMinimumHeight(160);
    // The legend goes under the axes, so it never hides a channel.
    plot_->legend->setFillOrder(QCPLegend::foColumnsFirst);
    plot_->legend->setWrap(3);
    plot_->legend->setBorderPen(Qt::NoPen);
    plot_->plotLayout()->addElement(1, 0, plot_->legend);
    plot_->plotLayout()->setRowStretchFactor(1, 0.001);
    plot_->setVisible(false);
    plot_->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);

    auto* top = new QHBoxLayout;
    top->addWidget(title_, 1);
    top->addWidget(copyButton_);
    auto* splitter = new QSplitter(Qt::Vertical, this);
    splitter->addWidget(details_);
    splitter->addWidget(plot_);
    splitter->setStretchFactor(0, 1);
    splitter->setStretchFactor(1, 1);
    splitter->setSizes({560, 440});  // proportions: the plot needs height to be readable
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addLayout(top);
    layout->addWidget(splitter, 1);

    connect(shapeJob_, &QFutureWatcher<ShapeResult>::finished, this,
            &PropertiesPanel::onShapesFinished);
    clear();
}

PropertiesPanel::~PropertiesPanel() {
    // The job holds its own snapshot; nothing here waits for it, its result is just dropped.
    shapeJob_->disconnect(this);
}

const NodeProperties* PropertiesPanel::nodeProperties() const { return node_ ? &*node_ : nullptr; }

const ModelSummary* PropertiesPanel::modelSummary() const {
    return summary_ ? &*summary_ : nullptr;
}

void PropertiesPanel::clear() {
    graph_.reset();
    nodeIndex_.reset();
    node_.reset();
    summary_.reset();
    title_->setText(tr("No model open"));
    details_->clear();
    plainText_.clear();
    plot_->setVisible(false);
    copyButton_->setEnabled(false);
}

void PropertiesPanel::showNode(std::shared_ptr<const Graph> graph, uint64_t nodeId) {
    if (!graph) return clear();
    const std::optional<int> index = findNodeIndex(*graph, nodeId);
    if (!index) return showSummary(std::move(graph));
    graph_ = std::move(graph);
    nodeIndex_ = index;
    notes_.clear();
    ensureShapes(graph_);
    refresh();
}

void PropertiesPanel::showSummary(std::shared_ptr<const Graph> graph) {
    if (!graph) return clear();
    graph_ = std::move(graph);
    nodeIndex_.reset();
    notes_.clear();
    ensureShapes(graph_);
    refresh();
}

void PropertiesPanel::setShapes(std::shared_ptr<const Graph> graph,
                                std::map<std::string, Shape> shapes) {
    if (graph == shapesGraph_ && !shapesPending_ && shapeError_.isEmpty()) return;
    shapesGraph_ = std::move(graph);
    shapes_ = std::move(shapes);
    shapesPending_ = false;
    shapeError_.clear();
    if (graph_ && graph_ == shapesGraph_) refresh();
}

void PropertiesPanel::setNotes(QList<Note> notes) {
    notes_ = std::move(notes);
    if (graph_) refresh();
}

void PropertiesPanel::ensureShapes(const std::shared_ptr<const Graph>& graph) {
    if (graph == shapesGraph_) return;
    shapesGraph_ = graph;
    shapes_.clear();
    shapeError_.clear();
    shapesPending_ = true;
    // A run of the graph on zeros: too slow for the GUI thread on a big model.
    shapeJob_->setFuture(QtConcurrent::run([graph] {
        ShapeResult result;
        result.graph = graph;
        try {
            result.shapes = inferShapes(*graph);
        } catch (const std::exception& error) {
            result.error = QString::fromUtf8(error.what());
        }
        return result;
    }));
}

void PropertiesPanel::onShapesFinished() {
    ShapeResult result = shapeJob_->result();
    if (result.graph != shapesGraph_) return;  // a newer snapshot's job is on its way
    shapes_ = std::move(result.shapes);
    shapeError_ = result.error;
    shapesPending_ = false;
    refresh();
    emit shapesComputed();
}

void PropertiesPanel::refresh() {
    node_.reset();
    summary_.reset();
    if (!graph_) return clear();
    const std::map<std::string, Shape> none;
    const auto& shapes = shapesGraph_ == graph_ ? shapes_ : none;
    if (nodeIndex_) {
        node_ = describeNode(*graph_, *nodeIndex_, shapes);
        renderNode(*node_);
    } else {
        summary_ = summarizeModel(*graph_, shapes);
        renderSummary(*summary_);
    }
    copyButton_->setEnabled(true);
}

void PropertiesPanel::copyAll() const {
    if (!plainText_.isEmpty()) QApplication::clipboard()->setText(plainText_);
}

void PropertiesPanel::renderNode(const NodeProperties& p) {
    title_->setText(tr("%1 — %2").arg(q(p.name), q(p.op)));
    Report report;
    report.paragraph(tr("Layer %1: %2 (%3)").arg(p.index).arg(q(p.name), q(p.op)));
    for (const Note& note : notes_) {
        const char* colours[] = {nullptr, "#2e7d32", "#e67800", "#c62828"};
        report.paragraph(note.text, false, colours[static_cast<int>(note.tone)]);
    }
    if (shapesPending_) report.paragraph(tr("Inferring shapes…"));
    if (!shapeError_.isEmpty())
        report.paragraph(tr("Shapes are unknown past a layer that cannot run: %1").arg(shapeError_),
                         true);

    report.heading(tr("Cost"));
    report.row({tr("Parameters"), countWithShort(p.cost.parameters)});
    report.row({tr("Multiply-accumulates"),
                p.cost.macs ? countWithShort(*p.cost.macs) : tr("unknown (shapes needed)")});

    // What the channels show comes first; the per-channel table closes the panel.
    if (!p.channelRanges.empty()) {
        report.heading(tr("Output channels"));
        report.row({tr("Channels"), QString::number(p.channelRanges.size())});
        report.row({tr("All-zero channels"),
                    p.zeroChannels.empty()
                        ? tr("none")
                        : tr("%1: %2").arg(p.zeroChannels.size()).arg(channelList(p.zeroChannels))},
                   {}, !p.zeroChannels.empty());
        report.row({tr("Near-zero channels (max |w| < %1 of the layer's)")
                        .arg(number(kNearZeroChannelRatio)),
                    p.nearZeroChannels.empty() ? tr("none")
                                               : tr("%1: %2")
                                                     .arg(p.nearZeroChannels.size())
                                                     .arg(channelList(p.nearZeroChannels))},
                   {}, !p.nearZeroChannels.empty());
    }

    if (p.batchNorm) {
        const BatchNormChannels& bn = *p.batchNorm;
        report.heading(tr("Channel checks"));
        report.row({tr("Near-zero variance (< %1·ε)").arg(number(kNearZeroVarianceEpsilons)),
                    bn.nearZeroVariance.empty() ? tr("none")
                                                : tr("%1: %2")
                                                      .arg(bn.nearZeroVariance.size())
                                                      .arg(channelList(bn.nearZeroVariance))},
                   {}, !bn.nearZeroVariance.empty());
        if (!p.scaleLayerAfter.empty())
            report.row(
                {tr("γ and β"), tr("in the Scale layer %1 after it").arg(q(p.scaleLayerAfter))},
                {QString(), q(p.scaleLayerAfter)});
    }

    if (!p.attributes.empty()) {
        report.heading(tr("Attributes"));
        for (const auto& [name, value] : p.attributes) report.row({q(name), q(value)});
    }

    report.heading(tr("Inputs"));
    report.header({tr("Tensor"), tr("Shape"), tr("From")});
    for (const auto& input : p.inputs)
        report.row(
            {q(input.name), shapeText(input.shape),
             input.isWeight ? tr("weight")
                            : (input.producer.empty() ? tr("graph input") : q(input.producer))},
            {QString(), QString(), q(input.producer)});
    report.heading(tr("Outputs"));
    report.header({tr("Tensor"), tr("Shape")});
    for (const auto& output : p.outputs) report.row({q(output.name), shapeText(output.shape)});

    if (!p.weights.empty()) {
        report.heading(tr("Weights"));
        addStatisticsRows(report, p.weights);
    }

    if (p.batchNorm) {
        const BatchNormChannels& bn = *p.batchNorm;
        report.heading(tr("Per channel (ε = %1)").arg(number(bn.epsilon)));
        report.header({tr("Channel"), tr("Mean"), tr("Variance"), tr("γ"), tr("β")});
        size_t flagged = 0;
        for (size_t c = 0; c < bn.variance.size(); ++c) {
            const bool isFlagged = flagged < bn.nearZeroVariance.size() &&
                                   bn.nearZeroVariance[flagged] == static_cast<int>(c);
            if (isFlagged) ++flagged;
            report.row({QString::number(c), number(bn.mean[c]), number(bn.variance[c]),
                        number(bn.gamma[c]), number(bn.beta[c])},
                       {}, isFlagged);
        }
    }
    if (p.scale) {
        report.heading(tr("Per channel"));
        report.header({tr("Channel"), tr("γ"), tr("β")});
        for (size_t c = 0; c < p.scale->gamma.size(); ++c)
            report.row({QString::number(c), number(p.scale->gamma[c]), number(p.scale->beta[c])});
    }
    details_->setHtml(report.html());
    plainText_ = title_->text() + "\n" + report.text();

    if (!p.channelRanges.empty())
        plotChannelRanges(p);
    else if (p.batchNorm)
        plotBatchNorm(*p.batchNorm);
    else if (p.scale)
        plotScale(*p.scale);
    else
        plot_->setVisible(false);
}

void PropertiesPanel::renderSummary(const ModelSummary& s) {
    title_->setText(s.name.empty() ? tr("Model") : tr("Model %1").arg(q(s.name)));
    Report report;
    if (shapesPending_) report.paragraph(tr("Inferring shapes…"));
    if (!shapeError_.isEmpty())
        report.paragraph(tr("Shapes are unknown past a layer that cannot run: %1").arg(shapeError_),
                         true);
    report.heading(tr("Model"));
    report.row({tr("Format"), q(s.format)});
    report.row({tr("Layers"), QString::number(s.nodeCount)});
    report.row({tr("Weights"), QString::number(s.weightCount)});
    report.row({tr("Parameters"), countWithShort(s.cost.parameters)});
    QString macs = countWithShort(s.cost.macs);
    if (s.cost.unknownMacLayers > 0)
        macs += " " + tr("(%n layer(s) not counted: shapes unknown)", "", s.cost.unknownMacLayers);
    report.row({tr("Multiply-accumulates"), macs});

    report.heading(tr("Inputs"));
    report.header({tr("Tensor"), tr("Shape")});
    for (const auto& input : s.inputs) report.row({q(input.name), shapeText(input.shape)});
    report.heading(tr("Outputs"));
    report.header({tr("Tensor"), tr("Shape")});
    for (const auto& output : s.outputs) report.row({q(output.name), shapeText(output.shape)});

    if (!s.heaviestLayers.empty()) {
        report.heading(tr("Heaviest layers"));
        report.header({tr("Layer"), tr("Op"), tr("MACs"), tr("Share"), tr("Parameters")});
        for (const auto& layer : s.heaviestLayers) {
            const double share =
                s.cost.macs > 0 ? 100.0 * static_cast<double>(*layer.cost.macs) / s.cost.macs : 0;
            report.row({q(layer.name), q(layer.op), countWithShort(*layer.cost.macs),
                        QString::number(share, 'f', 1) + "%", count(layer.cost.parameters)},
                       {q(layer.name)});
        }
    }
    report.heading(tr("Layers by op"));
    report.header({tr("Op"), tr("Count")});
    for (const auto& [op, n] : s.opCounts) report.row({q(op), QString::number(n)});

    details_->setHtml(report.html());
    plainText_ = title_->text() + "\n" + report.text();
    plot_->setVisible(false);
}

void PropertiesPanel::finishChannelPlot(size_t channels) {
    // Channels are integers: ticks on whole channels only.
    QSharedPointer<QCPAxisTickerFixed> ticker(new QCPAxisTickerFixed);
    ticker->setTickStep(1.0);
    ticker->setScaleStrategy(QCPAxisTickerFixed::ssMultiples);
    plot_->xAxis->setTicker(ticker);
    plot_->legend->setVisible(true);
    plot_->rescaleAxes();
    plot_->xAxis->setRange(-0.5, std::max<double>(1.0, static_cast<double>(channels) - 0.5));
    plot_->yAxis->scaleRange(1.1, plot_->yAxis->range().center());
    plot_->setVisible(true);
    plot_->replot();
}

void PropertiesPanel::plotScale(const ScaleChannels& scale) {
    plot_->clearGraphs();
    plot_->clearPlottables();
    QVector<double> x;
    for (size_t c = 0; c < scale.gamma.size(); ++c) x << static_cast<double>(c);
    const std::pair<QString, const std::vector<float>*> series[] = {{tr("γ"), &scale.gamma},
                                                                    {tr("β"), &scale.beta}};
    const QColor colours[] = {QColor(40, 150, 60), QColor(130, 60, 170)};
    for (int k = 0; k < 2; ++k) {
        QCPGraph* g = plot_->addGraph();
        g->setName(series[k].first);
        g->setData(x, QVector<double>(series[k].second->begin(), series[k].second->end()), true);
        g->setPen(QPen(colours[k], 1.5));
        if (x.size() <= 64) g->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, 4));
    }
    plot_->xAxis->setLabel(tr("channel"));
    plot_->yAxis->setLabel(QString());
    finishChannelPlot(scale.gamma.size());
}

void PropertiesPanel::plotChannelRanges(const NodeProperties& p) {
    plot_->clearGraphs();
    plot_->clearPlottables();
    QVector<double> x, low, high, zeroX, zeroY;
    for (size_t c = 0; c < p.channelRanges.size(); ++c) {
        x << static_cast<double>(c);
        low << p.channelRanges[c].min;
        high << p.channelRanges[c].max;
    }
    for (const int c : p.zeroChannels) {
        zeroX << c;
        zeroY << 0.0;
    }
    QCPGraph* maxGraph = plot_->addGraph();
    maxGraph->setName(tr("weight range (min to max)"));
    maxGraph->setData(x, high, true);
    maxGraph->setPen(QPen(QColor(30, 100, 200), 1.5));
    QCPGraph* minGraph = plot_->addGraph();
    minGraph->setName(tr("min"));
    minGraph->setData(x, low, true);
    minGraph->setPen(QPen(QColor(30, 100, 200), 1.5));
    maxGraph->setBrush(QColor(30, 100, 200, 60));
    maxGraph->setChannelFillGraph(minGraph);
    if (p.channelRanges.size() <= 64) {
        maxGraph->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, 4));
        minGraph->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, 4));
    }
    QVector<double> nearX, nearY;
    for (const int c : p.nearZeroChannels) {
        nearX << c;
        nearY << 0.0;
    }
    QCPGraph* nearZero = plot_->addGraph();
    nearZero->setObjectName("nearZeroChannels");
    nearZero->setName(tr("near-zero channel"));
    nearZero->setData(nearX, nearY, true);
    nearZero->setLineStyle(QCPGraph::lsNone);
    nearZero->setScatterStyle(
        QCPScatterStyle(QCPScatterStyle::ssTriangle, QPen(QColor(230, 120, 0), 2), QBrush(), 9));
    QCPGraph* zeros = plot_->addGraph();
    zeros->setObjectName("zeroChannels");
    zeros->setName(tr("all-zero channel"));
    zeros->setData(zeroX, zeroY, true);
    zeros->setLineStyle(QCPGraph::lsNone);
    zeros->setScatterStyle(
        QCPScatterStyle(QCPScatterStyle::ssCross, QPen(QColor(200, 0, 30), 2), QBrush(), 9));
    plot_->xAxis->setLabel(tr("output channel"));
    plot_->yAxis->setLabel(tr("weight range"));
    minGraph->removeFromLegend();  // one legend entry for the band
    finishChannelPlot(p.channelRanges.size());
}

void PropertiesPanel::plotBatchNorm(const BatchNormChannels& bn) {
    plot_->clearGraphs();
    plot_->clearPlottables();
    QVector<double> x;
    for (size_t c = 0; c < bn.variance.size(); ++c) x << static_cast<double>(c);
    const auto addSeries = [&](const QString& name, const std::vector<float>& values,
                               const QColor& colour) {
        QCPGraph* g = plot_->addGraph();
        g->setName(name);
        g->setData(x, QVector<double>(values.begin(), values.end()), true);
        g->setPen(QPen(colour, 1.5));
        if (values.size() <= 64) g->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, 4));
        return g;
    };
    addSeries(tr("mean"), bn.mean, QColor(30, 100, 200));
    addSeries(tr("variance"), bn.variance, QColor(230, 120, 0));
    addSeries(tr("γ"), bn.gamma, QColor(40, 150, 60));
    addSeries(tr("β"), bn.beta, QColor(130, 60, 170));
    QVector<double> flaggedX, flaggedY;
    for (const int c : bn.nearZeroVariance) {
        flaggedX << c;
        flaggedY << bn.variance[static_cast<size_t>(c)];
    }
    QCPGraph* flagged = plot_->addGraph();
    flagged->setObjectName("nearZeroVariance");
    flagged->setName(tr("near-zero variance"));
    flagged->setData(flaggedX, flaggedY, true);
    flagged->setLineStyle(QCPGraph::lsNone);
    flagged->setScatterStyle(
        QCPScatterStyle(QCPScatterStyle::ssCircle, QPen(QColor(200, 0, 30), 2), QBrush(), 11));
    plot_->xAxis->setLabel(tr("channel"));
    plot_->yAxis->setLabel(QString());
    finishChannelPlot(bn.variance.size());
}

}  // namespace qf::ui

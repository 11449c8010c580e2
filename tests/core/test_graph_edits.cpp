// Graph edits for an interactive app: node ids that survive edits, copy-on-write weights, one
// fold as an undoable edit (undo restores the graph exactly, down to the exported bytes; redo
// gives what the whole-graph fold gives), typed refusals, the fold pass in linear time and
// constant folding that is all or nothing.
#include <QtTest>
#include <chrono>
#include <cmath>
#include <ctime>
#include <set>

#include "formats/model_io.h"
#include "graph_builder.h"
#include "graph_compare.h"
#include "passes/fold_batchnorm.h"
#include "passes/fold_constants.h"
#include "passes/graph_edit.h"
#include "runtime/executor.h"
#include "test_support.h"
#include "util/atomic_file.h"

using qf::Attribute;
using qftest::GraphBuilder;

namespace {

std::map<std::string, Attribute> convAttrs() {
    return {{"pads", Attribute::ofInts({0, 0, 0, 0})},
            {"group", Attribute::ofInt(1)},
            {"strides", Attribute::ofInts({1, 1})}};
}

// firstDifference plus what it does not look at: ids, source text, the graph's own source.
std::string exactDifference(const qf::Graph& a, const qf::Graph& b) {
    if (auto difference = qftest::firstDifference(a, b); !difference.empty()) return difference;
    for (size_t k = 0; k < a.nodes.size(); ++k) {
        if (a.nodes[k].id != b.nodes[k].id) return "id of node " + a.nodes[k].name;
        if (a.nodes[k].source != b.nodes[k].source) return "source of node " + a.nodes[k].name;
    }
    if (a.source != b.source || a.sourceInfo != b.sourceInfo) return "graph source";
    return "";
}

struct Exported {
    std::string model, weights;
};

Exported exportBytes(const qf::Graph& graph, const QTemporaryDir& dir, const std::string& stem) {
    const bool caffe = graph.format == "caffe";
    const std::string model =
        dir.filePath(QString::fromStdString(stem + (caffe ? ".prototxt" : ".onnx"))).toStdString();
    const std::string weights =
        caffe ? dir.filePath(QString::fromStdString(stem + ".caffemodel")).toStdString() : "";
    qf::saveModel(graph, model, weights);
    return {qf::readFile(model), caffe ? qf::readFile(weights) : ""};
}

GraphBuilder convBatchNorm() {
    GraphBuilder b;
    b.input("x", {1, 3, 5, 5}).weight("w", {4, 3, 1, 1}).output("y");
    b.node("conv", "Conv", {"x", "w"}, {"c"}, convAttrs());
    b.batchNorm("bn", "c", "y", 4);
    return b;
}

// The refusal foldOne throws for `node`, checking that the graph is left as it was.
qf::FoldRefusal refusalOf(const qf::Graph& graph, const std::string& node) {
    qf::Graph work = graph;
    try {
        qf::foldOne(work, node);
    } catch (const qf::FoldError& error) {
        const std::string difference = exactDifference(work, graph);
        if (!difference.empty()) qWarning("refused fold changed the graph: %s", difference.c_str());
        if (work.revision != graph.revision) qWarning("refused fold bumped the revision");
        return difference.empty() && work.revision == graph.revision ? error.refusal()
                                                                     : qf::FoldRefusal::None;
    }
    return qf::FoldRefusal::None;
}

}  // namespace

class TestGraphEdits : public QObject {
    Q_OBJECT

private slots:
    void copiesShareWeightsUntilWritten() {
        GraphBuilder b = convBatchNorm();
        const qf::Graph original = b.graph();
        qf::Graph copy = original;
        for (const auto& [name, tensor] : original.weights)
            QVERIFY2(copy.weight(name)->f.data() == tensor.f.data(), name.c_str());
        const std::vector<float> before = original.weight("w")->f;
        copy.weights.mutableTensor("w").f[0] += 1.0f;
        QCOMPARE(original.weight("w")->f, before);
        QVERIFY(copy.weight("w")->f[0] != before[0]);
        QVERIFY(copy.weight("w")->f.data() != original.weight("w")->f.data());
        // The other weights are still shared; the sole owner writes in place.
        QVERIFY(copy.weights.sharesWith(original.weights, "bn.gamma"));
        const float* own = copy.weight("w")->f.data();
        QCOMPARE(copy.weights.mutableTensor("w").f.data(), own);
        // A fold on a copy (a snapshot, say) leaves the original untouched.
        qf::Graph folded = original;
        qf::foldBatchNorm(folded);
        QCOMPARE(original.weight("w")->f, before);
        QCOMPARE(original.nodes.size(), size_t{2});
        QVERIFY(original.isWeight("bn.gamma"));
    }

    void forgottenUndoFreesTheUnfoldedWeights() {
        qf::Graph graph = convBatchNorm().graph();
        const std::weak_ptr<const qf::Tensor> unfolded = graph.weights.shared("w");
        qf::FoldReport report = qf::foldBatchNorm(graph);
        QVERIFY(!unfolded.expired());  // the report can still undo
        report.forgetUndo();
        QVERIFY(unfolded.expired());
        QCOMPARE(report.folded.size(), size_t{1});
    }

    void nodeIdsAreUniqueAndSurviveEdits() {
        GraphBuilder b("caffe");
        b.input("data", {1, 3, 8, 8}).weight("conv1$0", {4, 3, 3, 3}).output("conv1");
        b.weight("scale1$0", {4}, 0.5f, 2.0f).weight("scale1$1", {4});
        b.node("conv1", "Conv", {"data", "conv1$0"}, {"conv1@conv1"}, convAttrs());
        b.batchNorm("bn1", "conv1@conv1", "conv1@bn1", 4);
        b.node("scale1", "Scale", {"conv1@bn1", "scale1$0", "scale1$1"}, {"conv1@scale1"});
        b.node("relu1", "Relu", {"conv1@scale1"}, {"conv1"});
        qf::Graph graph = b.graph();
        std::set<uint64_t> ids;
        for (const auto& node : graph.nodes) {
            QVERIFY(node.id != 0);
            QVERIFY(ids.insert(node.id).second);
            QCOMPARE(graph.nodeById(node.id), &node);
        }
        const uint64_t reluId = graph.nodes[3].id, convId = graph.nodes[0].id;
        const uint64_t bnId = graph.nodes[1].id;
        const uint64_t revision = graph.revision;
        const qf::GraphEdit undo = qf::foldOne(graph, "bn1");
        QVERIFY(graph.revision > revision);
        // Indices shift, ids do not.
        QCOMPARE(graph.nodes[2].name, std::string("relu1"));
        QCOMPARE(graph.nodes[2].id, reluId);
        QCOMPARE(graph.nodeById(reluId)->name, std::string("relu1"));
        QCOMPARE(graph.nodeById(convId)->outputs, std::vector<std::string>{"conv1@bn1"});
        QVERIFY(graph.nodeById(bnId) == nullptr);
        // A new node gets an id never handed out before, even after the graph was copied.
        qf::Graph copy = graph;
        const qf::Node& added = copy.addNode(qf::makeNode("extra", "Relu", {"conv1"}, {"z"}));
        QVERIFY(added.id != 0 && !ids.count(added.id));
        const uint64_t beforeUndo = graph.revision;
        undo.apply(graph);
        QVERIFY(graph.revision > beforeUndo);
        QCOMPARE(exactDifference(graph, b.graph()), std::string());
    }

    void foldOneUndoRedoIsExact_data() {
        QTest::addColumn<QString>("model");
        QTest::addColumn<QString>("weights");
        QTest::addColumn<bool>("shared");
        QTest::newRow("retinaface-caffe") << "faces/retinaface_mnet25/mnet25.prototxt"
                                          << "faces/retinaface_mnet25/mnet25.caffemodel" << true;
        QTest::newRow("resnet20-caffe") << "cifar10/resnet20/resnet20_cifar10_deploy.prototxt"
                                        << "cifar10/resnet20/resnet20_cifar10.caffemodel" << true;
        QTest::newRow("resnet20-onnx") << "cifar10/resnet20/resnet20_cifar10.onnx"
                                       << "" << true;
        // Opset 9, initializers listed among the graph inputs as well.
        QTest::newRow("ultraface-onnx")
            << "faces/ultraface/version-RFB-320_without_postprocessing.onnx"
            << "" << true;
        QTest::newRow("sample-caffe") << "resources/sample/digits_deploy.prototxt"
                                      << "resources/sample/digits.caffemodel" << false;
        QTest::newRow("sample-onnx") << "resources/sample/digits.onnx"
                                     << "" << false;
    }

    void foldOneUndoRedoIsExact() {
        QFETCH(QString, model);
        QFETCH(QString, weights);
        QFETCH(bool, shared);
        std::string modelPath, weightsPath;
        if (shared) {
            QF_SHARED(path, model.toStdString());
            modelPath = path;
            if (!weights.isEmpty())
                weightsPath = qftest::sharedDataRoot() + "/" + weights.toStdString();
        } else {
            modelPath = qftest::sourcePath(model.toStdString());
            if (!weights.isEmpty()) weightsPath = qftest::sourcePath(weights.toStdString());
        }
        const qf::Graph original = qf::loadModel(modelPath, weightsPath);
        QTemporaryDir dir;
        const Exported expected = exportBytes(original, dir, "original");

        // Fold every foldable node one at a time, in graph order (a BatchNorm before its Scale).
        std::vector<std::string> foldable;
        for (const auto& candidate : qf::findFoldCandidates(original))
            if (candidate.foldable()) foldable.push_back(candidate.affine);
        QVERIFY(!foldable.empty());
        qf::Graph work = original;
        std::vector<qf::GraphEdit> undoStack, redoStack;
        for (const auto& name : foldable) {
            const uint64_t revision = work.revision;
            undoStack.push_back(qf::foldOne(work, name));
            QVERIFY(work.revision > revision);
            QVERIFY(work.nodeIndex(name) < 0);
        }
        qf::Graph whole = original;
        const qf::FoldReport report = qf::foldBatchNorm(whole);
        QCOMPARE(report.folded.size(), foldable.size());
        QCOMPARE(exactDifference(work, whole), std::string());

        // Undo them all, last first: the graph is the original again, sharing its weights.
        while (!undoStack.empty()) {
            const uint64_t revision = work.revision;
            redoStack.push_back(undoStack.back().apply(work));
            undoStack.pop_back();
            QVERIFY(work.revision > revision);
        }
        QCOMPARE(exactDifference(work, original), std::string());
        for (const auto& [name, tensor] : original.weights)
            QVERIFY2(work.weights.sharesWith(original.weights, name), name.c_str());
        const Exported undone = exportBytes(work, dir, "undone");
        QVERIFY(undone.model == expected.model);
        QVERIFY(undone.weights == expected.weights);

        // Redo them all: the whole-graph fold's result, bit for bit.
        while (!redoStack.empty()) {
            undoStack.push_back(redoStack.back().apply(work));
            redoStack.pop_back();
        }
        QCOMPARE(exactDifference(work, whole), std::string());
        const Exported redone = exportBytes(work, dir, "redone");
        const Exported wholeBytes = exportBytes(whole, dir, "whole");
        QVERIFY(redone.model == wholeBytes.model);
        QVERIFY(redone.weights == wholeBytes.weights);

        // The whole-graph fold's report undoes too: fold by fold, or as one edit.
        qf::Graph stepwise = whole;
        for (auto it = report.folded.rbegin(); it != report.folded.rend(); ++it)
            qf::undoFold(*it).apply(stepwise);
        for (const auto& weight : report.droppedUnused)
            stepwise.weights.setShared(weight.name, weight.tensor);
        QCOMPARE(exactDifference(stepwise, original), std::string());
        qf::Graph once = whole;
        const qf::GraphEdit redoAll = qf::undoFolds(report).apply(once);
        QCOMPARE(exactDifference(once, original), std::string());
        redoAll.apply(once);
        QCOMPARE(exactDifference(once, whole), std::string());
    }

    void caffeChainFoldsLinkByLink() {
        GraphBuilder b("caffe");
        b.input("data", {1, 3, 8, 8}).weight("conv1$0", {4, 3, 3, 3}).output("conv1");
        b.weight("scale1$0", {4}, 0.5f, 2.0f).weight("scale1$1", {4});
        b.node("conv1", "Conv", {"data", "conv1$0"}, {"conv1@conv1"}, convAttrs());
        b.batchNorm("bn1", "conv1@conv1", "conv1@bn1", 4);
        b.node("scale1", "Scale", {"conv1@bn1", "scale1$0", "scale1$1"}, {"conv1@scale1"});
        b.node("relu1", "Relu", {"conv1@scale1"}, {"conv1"});
        const qf::Graph original = b.graph();
        QCOMPARE(refusalOf(original, "scale1"), qf::FoldRefusal::FollowsUnfoldedAffine);

        qf::Graph graph = original;
        const qf::Tensor input = b.randomInput({1, 3, 8, 8});
        const qf::Tensor before = qf::Executor(graph).run({{"data", input}}).at("conv1");
        const qf::GraphEdit undoBn = qf::foldOne(graph, "bn1");
        QCOMPARE(undoBn.description,
                 std::string("Fold BatchNormalization 'bn1' into Conv 'conv1'"));
        // The fold created the conv's bias under Caffe's blob name; undo removes it again.
        QVERIFY(graph.isWeight("conv1$1"));
        const qf::GraphEdit undoScale = qf::foldOne(graph, "scale1");
        QCOMPARE(graph.nodes.size(), size_t{2});
        const qf::Tensor after = qf::Executor(graph).run({{"data", input}}).at("conv1");
        QVERIFY(qftest::maxRelativeDifference(after, before) < 1e-5);
        undoScale.apply(graph);
        undoBn.apply(graph);
        QVERIFY(!graph.isWeight("conv1$1"));
        QCOMPARE(exactDifference(graph, original), std::string());
    }

    void refusalsAreTyped() {
        using R = qf::FoldRefusal;
        {
            GraphBuilder b = convBatchNorm();
            QCOMPARE(refusalOf(b.graph(), "conv"), R::NotAffine);
            QCOMPARE(refusalOf(b.graph(), "nothing"), R::UnknownNode);
            b.graph().weights.mutableTensor("bn.var").f[2] = -1.0f;
            QCOMPARE(refusalOf(b.graph(), "bn"), R::NegativeVariance);
        }
        {
            GraphBuilder b = convBatchNorm();
            b.graph().weights.mutableTensor("w").f[1] = std::nanf("");
            QCOMPARE(refusalOf(b.graph(), "bn"), R::NonFiniteParameters);
        }
        {
            GraphBuilder b = convBatchNorm();
            b.graph().nodes[1].inputs[3] = "x";  // the mean is computed, not constant
            QCOMPARE(refusalOf(b.graph(), "bn"), R::ParametersNotConstant);
        }
        {
            GraphBuilder b;
            b.input("x", {1, 3, 5, 5}).weight("w", {3, 3, 1, 1}).output("y");
            b.node("conv", "Conv", {"x", "w"}, {"c"}, convAttrs());
            b.node("relu", "Relu", {"c"}, {"r"});
            b.batchNorm("bn", "r", "y", 3);
            b.batchNorm("bn0", "x", "y0", 3);
            b.output("y0");
            QCOMPARE(refusalOf(b.graph(), "bn"), R::FollowsNonLinear);
            QCOMPARE(refusalOf(b.graph(), "bn0"), R::NoFoldableProducer);
            const auto candidates = qf::findFoldCandidates(b.graph());
            QCOMPARE(candidates.size(), size_t{2});
            QCOMPARE(candidates[0].refusal, R::FollowsNonLinear);
            QVERIFY(!candidates[0].reason.empty());
        }
        {
            GraphBuilder b = convBatchNorm();
            b.node("side", "Relu", {"c"}, {"side"}).output("side");
            QCOMPARE(refusalOf(b.graph(), "bn"), R::ProducerHasOtherReaders);
        }
        {
            GraphBuilder b = convBatchNorm();
            b.node("conv2", "Conv", {"y", "w"}, {"c2"}, convAttrs()).output("c2");
            QCOMPARE(refusalOf(b.graph(), "bn"), R::SharedWeights);
        }
        // The error names the node and says why.
        GraphBuilder b = convBatchNorm();
        const std::string message = qftest::errorOf([&] { qf::foldOne(b.graph(), "conv"); });
        QVERIFY2(message.find("'conv'") != std::string::npos, message.c_str());
        QVERIFY2(message.find("not a per-channel affine op") != std::string::npos, message.c_str());
    }

    void staleEditIsRefusedAndLeavesTheGraph() {
        GraphBuilder b = convBatchNorm();
        qf::Graph graph = b.graph();
        const qf::GraphEdit undo = qf::foldOne(graph, "bn");
        // The undo inserts bn, then replaces the conv by id: with the conv gone, the second step
        // fails after the first has run, and the first must be taken back.
        qf::Graph changed = graph;
        changed.nodes.clear();
        changed.addNode(qf::makeNode("other", "Relu", {"x"}, {"y"}));
        const qf::Graph before = changed;
        const std::string message = qftest::errorOf([&] { undo.apply(changed); });
        QVERIFY2(message.find("'conv'") != std::string::npos, message.c_str());
        QCOMPARE(exactDifference(changed, before), std::string());
    }

    void findsAndFoldsTwentyThousandPairsFast() {
        constexpr int pairs = 20000;
        GraphBuilder b;
        b.input("x", {1, 2, 1, 1});
        std::string tensor = "x";
        for (int k = 0; k < pairs; ++k) {
            const std::string id = std::to_string(k);
            b.weight("w" + id, {2, 2, 1, 1});
            b.node("conv" + id, "Conv", {tensor, "w" + id}, {"c" + id}, convAttrs());
            b.batchNorm("bn" + id, "c" + id, "b" + id, 2);
            tensor = "b" + id;
        }
        b.output(tensor);
        qf::Graph graph = b.graph();
        // Timed in CPU time as well as wall time: on a shared, loaded machine the wall time
        // says more about the neighbours than about the pass (the pass is single-threaded).
        const auto start = std::chrono::steady_clock::now();
        const std::clock_t cpuStart = std::clock();
        const auto candidates = qf::findFoldCandidates(graph);
        const std::clock_t cpuFound = std::clock();
        const qf::FoldReport report = qf::foldBatchNorm(graph);
        const std::clock_t cpuEnd = std::clock();
        const double wall =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        const auto cpuSeconds = [](std::clock_t from, std::clock_t to) {
            return static_cast<double>(to - from) / CLOCKS_PER_SEC;
        };
        const double cpu = cpuSeconds(cpuStart, cpuEnd);
        qInfo("on %d pairs: findFoldCandidates %.3f s CPU, foldBatchNorm %.3f s CPU (%.3f s wall)",
              pairs, cpuSeconds(cpuStart, cpuFound), cpuSeconds(cpuFound, cpuEnd), wall);
        QCOMPARE(candidates.size(), size_t{pairs});
        for (const auto& candidate : candidates) QVERIFY(candidate.foldable());
        QCOMPARE(report.folded.size(), size_t{pairs});
        QCOMPARE(graph.nodes.size(), size_t{pairs});
        QCOMPARE(graph.nodes.back().outputs, std::vector<std::string>{tensor});
        QVERIFY(cpu < 5.0);
        // The bulk pass did what foldOne does, fold for fold (checked on the first links; the
        // real models above check whole graphs).
        qf::Graph stepwise = b.graph();
        for (int k = 0; k < 3; ++k) qf::foldOne(stepwise, "bn" + std::to_string(k));
        for (int k = 0; k < 3; ++k) {
            const std::string name = "conv" + std::to_string(k);
            const qf::Node& bulk = graph.nodes[static_cast<size_t>(k)];
            const qf::Node* one = stepwise.nodeById(bulk.id);
            QVERIFY(one != nullptr);
            QCOMPARE(one->name, name);
            QCOMPARE(one->inputs, bulk.inputs);
            QCOMPARE(one->outputs, bulk.outputs);
            QCOMPARE(stepwise.weight(bulk.inputs[1])->f, graph.weight(bulk.inputs[1])->f);
            QCOMPARE(stepwise.weight(bulk.inputs[2])->f, graph.weight(bulk.inputs[2])->f);
        }
    }

    void foldConstantsIsAllOrNothing() {
        const auto build = [](std::vector<int64_t> shape) {
            GraphBuilder b;
            b.input("x", {2, 3}).output("y");
            b.weight("a", {6}).weight("b", {6});
            b.weight("shape", qf::Tensor::ints({2}, std::move(shape)));
            b.node("sum", "Add", {"a", "b"}, {"s"});
            b.node("reshape", "Reshape", {"s", "shape"}, {"r"});
            b.node("out", "Add", {"x", "r"}, {"y"});
            return b.graph();
        };
        qf::Graph broken = build({-1, -1});  // two -1: the Reshape kernel throws
        const qf::Graph before = broken;
        QVERIFY(!qftest::errorOf([&] { qf::foldConstants(broken); }).empty());
        QCOMPARE(exactDifference(broken, before), std::string());
        QCOMPARE(broken.revision, before.revision);
        QVERIFY(!broken.isWeight("s"));

        qf::Graph good = build({2, 3});
        const uint64_t revision = good.revision;
        QCOMPARE(qf::foldConstants(good), (std::vector<std::string>{"sum", "reshape"}));
        QCOMPARE(good.nodes.size(), size_t{1});
        QCOMPARE(good.weight("r")->shape, (qf::Shape{2, 3}));
        QVERIFY(good.revision > revision);
        QVERIFY(!good.isWeight("a"));
    }
};

QTEST_GUILESS_MAIN(TestGraphEdits)
#include "test_graph_edits.moc"

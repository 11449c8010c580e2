#include "passes/equalize.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <memory>
#include <set>
#include <unordered_map>

namespace qf {
namespace {

// Ops between the two convs that commute with a positive per-channel scale.
bool isPositivelyHomogeneous(const std::string& op) {
    return op == "Relu" || op == "LeakyRelu" || op == "PRelu";
}

// Readers of every tensor (distinct nodes), built once.
class Readers {
public:
    explicit Readers(const Graph& graph) {
        for (size_t k = 0; k < graph.nodes.size(); ++k) {
            const Node& node = graph.nodes[k];
            for (const auto& in : node.inputs) {
                if (in.empty()) continue;
                auto& list = readers_[in];
                if (list.empty() || list.back() != static_cast<int>(k))
                    list.push_back(static_cast<int>(k));
            }
        }
        for (const auto& out : graph.outputs) outputs_.insert(out.name);
    }
    const std::vector<int>& of(const std::string& tensor) const {
        static const std::vector<int> none;
        const auto it = readers_.find(tensor);
        return it == readers_.end() ? none : it->second;
    }
    bool isGraphOutput(const std::string& tensor) const { return outputs_.count(tensor) != 0; }

private:
    std::unordered_map<std::string, std::vector<int>> readers_;
    std::set<std::string> outputs_;
};

// A pair found eligible, with what the sweeps need.
struct Pair {
    int first = -1, second = -1;  // node indices
    std::string between;
    std::string w1, b1, w2;  // b1 "" when the first conv has no bias
    int64_t channels = 0;
    std::vector<double> total;  // product of the scales applied so far, per channel
};

// Max |w| per output channel of conv weights [Cout, Cin/group, k...].
std::vector<double> outputRanges(const Tensor& w) {
    const int64_t channels = w.shape.at(0);
    const int64_t per = channels > 0 ? w.numel() / channels : 0;
    std::vector<double> ranges(static_cast<size_t>(channels), 0.0);
    for (int64_t c = 0; c < channels; ++c) {
        float r = 0.0f;
        for (int64_t k = 0; k < per; ++k) r = std::max(r, std::abs(w.f[c * per + k]));
        ranges[static_cast<size_t>(c)] = r;
    }
    return ranges;
}

// Where input channel i of a conv with `group` groups lives in its weights
// [M, N/group, spatial]: the output channels of its group, at column i mod N/group.
struct InputChannelLayout {
    int64_t outPerGroup = 0, inPerGroup = 0, spatial = 0;
    int64_t firstOutput(int64_t i) const { return (i / inPerGroup) * outPerGroup; }
    int64_t column(int64_t i) const { return i % inPerGroup; }
};

InputChannelLayout layoutOf(const Tensor& w, int64_t group) {
    InputChannelLayout layout;
    layout.inPerGroup = w.shape.at(1);
    layout.outPerGroup = w.shape.at(0) / group;
    layout.spatial = w.numel() / (w.shape.at(0) * layout.inPerGroup);
    return layout;
}

std::vector<double> inputRanges(const Tensor& w, const InputChannelLayout& layout,
                                int64_t channels) {
    std::vector<double> ranges(static_cast<size_t>(channels), 0.0);
    for (int64_t i = 0; i < channels; ++i) {
        float r = 0.0f;
        const int64_t first = layout.firstOutput(i), column = layout.column(i);
        for (int64_t m = first; m < first + layout.outPerGroup; ++m) {
            const float* kernel = w.f.data() + (m * layout.inPerGroup + column) * layout.spatial;
            for (int64_t k = 0; k < layout.spatial; ++k) r = std::max(r, std::abs(kernel[k]));
        }
        ranges[static_cast<size_t>(i)] = r;
    }
    return ranges;
}

double spreadOf(const std::vector<double>& ranges, double negligible) {
    double largest = 0.0;
    for (const double r : ranges) largest = std::max(largest, r);
    double smallest = largest;
    for (const double r : ranges)
        if (r > 0.0 && r >= negligible * largest) smallest = std::min(smallest, r);
    return smallest > 0.0 ? largest / smallest : 1.0;
}

bool allFinite(const Tensor& t) {
    return std::all_of(t.f.begin(), t.f.end(), [](float v) { return std::isfinite(v); });
}

// Why `weightName` cannot be rescaled for `node`, or "".
std::string weightProblem(const Graph& graph, const Readers& readers, const Node& node,
                          const std::string& weightName, const char* role) {
    const Tensor* w = graph.weight(weightName);
    if (!w) return std::string("the ") + role + " of '" + node.name + "' is not a constant";
    if (!w->isFloat() || !allFinite(*w))
        return std::string("the ") + role + " of '" + node.name + "' is not finite floating point";
    if (readers.of(weightName).size() > 1 || readers.isGraphOutput(weightName))
        return std::string("the ") + role + " of '" + node.name + "' is shared with another node";
    return {};
}

// Why the pair cannot be equalized, or "" (then `pair` is filled in).
std::string examine(const Graph& graph, const Readers& readers, int first, int second,
                    const Node* between, Pair& pair) {
    const Node& a = graph.nodes[static_cast<size_t>(first)];
    const Node& b = graph.nodes[static_cast<size_t>(second)];
    const std::string& middle = a.outputs.at(0);
    if (readers.of(middle).size() != 1 || readers.isGraphOutput(middle))
        return "the output of '" + a.name + "' is read elsewhere too";
    if (between) {
        if (!isPositivelyHomogeneous(between->op))
            return between->op + " '" + between->name +
                   "' between them does not commute with a per-channel scale";
        const std::string& out = between->outputs.at(0);
        if (readers.of(out).size() != 1 || readers.isGraphOutput(out))
            return "the output of '" + between->name + "' is read elsewhere too";
        for (size_t k = 1; k < between->outputs.size(); ++k)
            if (!between->outputs[k].empty())
                return "'" + between->name + "' has more than one output";
    }
    if (a.outputs.size() > 1) return "'" + a.name + "' has more than one output";
    if (auto problem = weightProblem(graph, readers, a, a.input(1), "weights"); !problem.empty())
        return problem;
    if (!a.input(2).empty())
        if (auto problem = weightProblem(graph, readers, a, a.input(2), "bias"); !problem.empty())
            return problem;
    if (auto problem = weightProblem(graph, readers, b, b.input(1), "weights"); !problem.empty())
        return problem;
    const Tensor& w1 = *graph.weight(a.input(1));
    const Tensor& w2 = *graph.weight(b.input(1));
    if (w1.rank() < 3 || w2.rank() < 3 || w1.rank() != w2.rank())
        return "the weights of '" + a.name + "' and '" + b.name + "' are not conv kernels";
    const int64_t channels = w1.shape[0];
    const int64_t group = b.attrInt("group", 1);
    if (group < 1 || w2.shape[1] * group != channels || w2.shape[0] % group != 0)
        return "'" + b.name + "' (group " + std::to_string(group) + ", weights " +
               shapeToString(w2.shape) + ") does not read the " + std::to_string(channels) +
               " channels of '" + a.name + "' one for one";
    if (!a.input(2).empty() && graph.weight(a.input(2))->numel() != channels)
        return "the bias of '" + a.name + "' is not one value per output channel";
    pair.first = first;
    pair.second = second;
    pair.between = between ? between->op : std::string();
    pair.w1 = a.input(1);
    pair.b1 = a.input(2);
    pair.w2 = b.input(1);
    pair.channels = channels;
    pair.total.assign(static_cast<size_t>(channels), 1.0);
    return {};
}

// The working copies of the weights the sweeps rescale (copied from the graph once).
class WorkingWeights {
public:
    explicit WorkingWeights(const Graph& graph) : graph_(graph) {}
    Tensor& operator[](const std::string& name) {
        auto it = tensors_.find(name);
        if (it == tensors_.end()) it = tensors_.emplace(name, graph_.weights.at(name)).first;
        return it->second;
    }
    const Tensor& current(const std::string& name) const {
        const auto it = tensors_.find(name);
        return it == tensors_.end() ? graph_.weights.at(name) : it->second;
    }
    std::map<std::string, Tensor>& all() { return tensors_; }

private:
    const Graph& graph_;
    std::map<std::string, Tensor> tensors_;
};

// One equalization step of a pair; returns the largest |log s| it applied.
double equalizePair(const Graph& graph, WorkingWeights& weights, Pair& pair, double negligible) {
    const Node& b = graph.nodes[static_cast<size_t>(pair.second)];
    const InputChannelLayout layout = layoutOf(weights.current(pair.w2), b.attrInt("group", 1));
    const std::vector<double> r1 = outputRanges(weights.current(pair.w1));
    const std::vector<double> r2 = inputRanges(weights.current(pair.w2), layout, pair.channels);
    const double max1 = *std::max_element(r1.begin(), r1.end());
    const double max2 = *std::max_element(r2.begin(), r2.end());
    std::vector<double> scale(static_cast<size_t>(pair.channels), 1.0);
    double moved = 0.0;
    for (size_t i = 0; i < scale.size(); ++i) {
        const bool negligibleChannel = !(r1[i] > negligible * max1) || !(r2[i] > negligible * max2);
        const double s = std::sqrt(r1[i] * r2[i]) / r2[i];
        if (negligibleChannel || !std::isfinite(s) || !(s > 0.0)) continue;
        scale[i] = s;
        moved = std::max(moved, std::abs(std::log(s)));
    }
    if (moved == 0.0) return 0.0;
    Tensor& w1 = weights[pair.w1];
    const int64_t per1 = w1.numel() / pair.channels;
    for (int64_t c = 0; c < pair.channels; ++c) {
        const double s = scale[static_cast<size_t>(c)];
        if (s == 1.0) continue;
        for (int64_t k = 0; k < per1; ++k)
            w1.f[c * per1 + k] = static_cast<float>(w1.f[c * per1 + k] / s);
    }
    if (!pair.b1.empty()) {
        Tensor& b1 = weights[pair.b1];
        for (int64_t c = 0; c < pair.channels; ++c)
            b1.f[c] = static_cast<float>(b1.f[c] / scale[static_cast<size_t>(c)]);
    }
    Tensor& w2 = weights[pair.w2];
    for (int64_t i = 0; i < pair.channels; ++i) {
        const double s = scale[static_cast<size_t>(i)];
        if (s == 1.0) continue;
        const int64_t first = layout.firstOutput(i), column = layout.column(i);
        for (int64_t m = first; m < first + layout.outPerGroup; ++m) {
            float* kernel = w2.f.data() + (m * layout.inPerGroup + column) * layout.spatial;
            for (int64_t k = 0; k < layout.spatial; ++k)
                kernel[k] = static_cast<float>(kernel[k] * s);
        }
    }
    for (size_t i = 0; i < scale.size(); ++i) pair.total[i] *= scale[i];
    return moved;
}

}  // namespace

EqualizeReport equalizeConvPairs(Graph& graph, const EqualizeOptions& options) {
    graph.assignMissingIds();
    EqualizeReport report;
    const Readers readers(graph);
    std::vector<Pair> pairs;
    const auto consider = [&](int first, int second, const Node* between) {
        Pair pair;
        std::string reason = examine(graph, readers, first, second, between, pair);
        if (reason.empty())
            pairs.push_back(std::move(pair));
        else
            report.skipped.push_back({graph.nodes[static_cast<size_t>(first)].name,
                                      graph.nodes[static_cast<size_t>(second)].name,
                                      std::move(reason)});
    };
    const auto readsAsData = [&](int reader, const std::string& tensor) {
        const Node& node = graph.nodes[static_cast<size_t>(reader)];
        return node.op == "Conv" && node.input(0) == tensor;
    };
    for (size_t k = 0; k < graph.nodes.size(); ++k) {
        const Node& a = graph.nodes[k];
        if (a.op != "Conv" || a.outputs.empty()) continue;
        const std::string& out = a.outputs[0];
        for (const int reader : readers.of(out)) {
            if (readsAsData(reader, out)) {
                consider(static_cast<int>(k), reader, nullptr);
                continue;
            }
            const Node& middle = graph.nodes[static_cast<size_t>(reader)];
            const bool activation = isPositivelyHomogeneous(middle.op) || middle.op == "Clip";
            if (!activation || middle.input(0) != out || middle.outputs.empty()) continue;
            for (const int next : readers.of(middle.outputs[0]))
                if (readsAsData(next, middle.outputs[0]))
                    consider(static_cast<int>(k), next, &middle);
        }
    }
    if (pairs.empty()) return report;

    // Layers and their spread before.
    std::map<int, std::string> touched;  // node index -> weights
    for (const auto& pair : pairs) {
        touched.emplace(pair.first, pair.w1);
        touched.emplace(pair.second, pair.w2);
    }
    for (const auto& [index, weightName] : touched) {
        RangeSpread spread;
        spread.node = graph.nodes[static_cast<size_t>(index)].name;
        spread.ratioBefore =
            spreadOf(outputRanges(graph.weights.at(weightName)), options.negligibleRange);
        report.layers.push_back(spread);
    }

    WorkingWeights weights(graph);
    for (int sweep = 0; sweep < options.maxIterations; ++sweep) {
        double moved = 0.0;
        for (auto& pair : pairs)
            moved = std::max(moved, equalizePair(graph, weights, pair, options.negligibleRange));
        report.iterations = sweep + 1;
        if (moved < options.tolerance) {
            report.converged = true;
            break;
        }
    }

    size_t layer = 0;
    for (const auto& [index, weightName] : touched) {
        (void)index;
        RangeSpread& spread = report.layers[layer++];
        spread.ratioAfter =
            spreadOf(outputRanges(weights.current(weightName)), options.negligibleRange);
        report.worstRatioBefore = std::max(report.worstRatioBefore, spread.ratioBefore);
        report.worstRatioAfter = std::max(report.worstRatioAfter, spread.ratioAfter);
    }
    for (const auto& pair : pairs) {
        EqualizedPair done;
        done.first = graph.nodes[static_cast<size_t>(pair.first)].name;
        done.second = graph.nodes[static_cast<size_t>(pair.second)].name;
        done.between = pair.between;
        done.channels = pair.channels;
        done.unscaled = std::count(pair.total.begin(), pair.total.end(), 1.0);
        done.minScale = *std::min_element(pair.total.begin(), pair.total.end());
        done.maxScale = *std::max_element(pair.total.begin(), pair.total.end());
        report.pairs.push_back(std::move(done));
    }

    GraphEdit edit;
    edit.description = "Equalize " + std::to_string(report.pairs.size()) + " conv pairs";
    for (auto& [name, tensor] : weights.all())
        edit.weights.push_back({name, std::make_shared<const Tensor>(std::move(tensor))});
    if (!edit.weights.empty()) report.undo = edit.apply(graph);
    return report;
}

}  // namespace qf

#include "formats/tensorflow/tf_importer.h"
#include "formats/protobuf_log.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <functional>
#include <map>
#include <set>

#include "formats/tensorflow/tf_input_ref.h"
#include "formats/tensorflow/tf_quantized_weights.h"
#include "formats/tensorflow/tf_tensor.h"
#include "passes/fold_constants.h"
#include "runtime/executor.h"
#include "runtime/kernel.h"
#include "tf_graph.pb.h"
#include "util/atomic_file.h"
#include "util/error.h"

namespace qf {
namespace {

using tf_format::InputRef;
using tf_format::outputName;
using tf_format::parseInput;

// Why the layout is converted at the boundary rather than carried: every consumer of the IR
// (kernels, shape inference, the fold pass, int8 planning, the QDQ export) is written for NCHW.
// Converting once on import keeps them all unchanged; the cost is a Transpose where a
// layout-dependent op (Reshape, Squeeze of a middle axis...) meets an NCHW-held tensor, and
// one before each 4-D graph output so outputs keep TensorFlow's NHWC.
constexpr int kNhwcToNchw[] = {0, 3, 1, 2};  // IR axis k holds TensorFlow axis kNhwcToNchw[k]
constexpr int kTfAxisInIr[] = {0, 2, 3, 1};  // TensorFlow axis k is IR axis kTfAxisInIr[k]

// A TensorFlow tensor as the IR holds it.
struct TfValue {
    std::string name;   // the IR tensor
    bool nchw = false;  // a 4-D NHWC tensor held transposed to NCHW
    int rank = -1;      // -1: unknown
};

class Converter {
public:
    Converter(const qf_tf::GraphDef& def, std::string file, Shape inputShape)
        : def_(def), file_(std::move(file)), inputShape_(std::move(inputShape)) {}

    Graph convert(const Progress& progress);
    // Why a node of a known op was kept unconverted ("" when its op is simply unknown).
    std::string unsupportedReason(const std::string& node) const {
        const auto it = unsupportedWhy_.find(node);
        return it == unsupportedWhy_.end() ? std::string() : it->second;
    }

private:
    const qf_tf::GraphDef& def_;
    const std::string file_;
    const Shape inputShape_;
    bool inputShapeUsed_ = false;  // a Placeholder took inputShape_
    Graph graph_;
    std::map<std::string, const qf_tf::NodeDef*> byName_;
    std::map<std::string, int> outputsUsed_;  // node -> 1 + highest output index read
    std::map<std::string, size_t> mainNode_;  // TensorFlow node -> index of its emitMain node
    std::set<std::string> readTensors_;
    std::map<std::string, std::vector<const qf_tf::NodeDef*>> readers_;  // data and control
    std::map<std::string, TfValue> values_;         // TensorFlow tensor -> IR value
    std::map<std::string, std::string> converted_;  // cached layout transposes and weights
    const qf_tf::NodeDef* node_ = nullptr;          // the node being converted
    std::map<std::string, std::string> unsupportedWhy_;

    [[noreturn]] void fail(const std::string& node, const std::string& problem) const {
        throw Error(Diagnostic{Severity::Error, file_, 0, 0, node, "", problem},
                    file_ + ": node '" + node + "': " + problem);
    }
    std::string where() const { return "node '" + node_->name() + "' (" + node_->op() + ")"; }

    std::vector<const qf_tf::NodeDef*> sortedNodes();
    void convertNode(const qf_tf::NodeDef& n);
    void markOutputs();

    // --- attributes
    const qf_tf::AttrValue* attr(const std::string& name) const {
        const auto it = node_->attr().find(name);
        return it == node_->attr().end() ? nullptr : &it->second;
    }
    std::string attrS(const std::string& name, const std::string& fallback) const {
        const auto* a = attr(name);
        return a && a->value_case() == qf_tf::AttrValue::kS ? a->s() : fallback;
    }
    float attrF(const std::string& name, float fallback) const {
        const auto* a = attr(name);
        return a && a->value_case() == qf_tf::AttrValue::kF ? a->f() : fallback;
    }
    bool attrB(const std::string& name, bool fallback) const {
        const auto* a = attr(name);
        return a && a->value_case() == qf_tf::AttrValue::kB ? a->b() : fallback;
    }
    std::vector<int64_t> attrInts(const std::string& name, std::vector<int64_t> fallback) const {
        const auto* a = attr(name);
        if (!a || a->value_case() != qf_tf::AttrValue::kList || a->list().i_size() == 0)
            return fallback;
        return {a->list().i().begin(), a->list().i().end()};
    }
    bool nhwc() const { return attrS("data_format", "NHWC").rfind("NHWC", 0) == 0; }

    // --- values
    std::vector<InputRef> dataInputs() const {
        std::vector<InputRef> refs;
        for (const auto& text : node_->input()) {
            InputRef ref = parseInput(text);
            if (!ref.control) refs.push_back(ref);
        }
        return refs;
    }
    const TfValue& in(size_t k) const {
        const auto refs = dataInputs();
        if (k >= refs.size())
            fail(node_->name(), node_->op() + " needs at least " + std::to_string(k + 1) +
                                    " inputs, it has " + std::to_string(refs.size()));
        const std::string tensor = outputName(refs[k].node, refs[k].index);
        const auto it = values_.find(tensor);
        if (it == values_.end())
            fail(node_->name(), "input '" + tensor + "' is output " +
                                    std::to_string(refs[k].index) + " of node '" + refs[k].node +
                                    "', which this importer does not produce");
        return it->second;
    }
    const Tensor* constant(const TfValue& v) const { return graph_.weight(v.name); }
    const Tensor& requireConstant(size_t k, const std::string& what) const {
        const Tensor* t = constant(in(k));
        if (!t) throw Unsupported{what + " (input " + std::to_string(k) + ") is not a constant"};
        return *t;
    }
    void define(const std::string& tensor, TfValue value) { values_[tensor] = std::move(value); }
    void defineOut(TfValue value) { define(node_->name(), std::move(value)); }

    // --- emitting
    struct Unsupported {
        std::string why;
    };
    Node& emit(const std::string& name, const std::string& op, std::vector<std::string> inputs,
               std::vector<std::string> outputs, std::map<std::string, Attribute> attrs = {},
               bool withSource = true) {
        Node node = makeNode(name, op, std::move(inputs), std::move(outputs), std::move(attrs));
        if (withSource) node.source = node_->SerializeAsString();
        return graph_.addNode(std::move(node));
    }
    // The node's single IR node, writing the TensorFlow node's first output.
    void emitMain(const std::string& op, std::vector<std::string> inputs,
                  std::map<std::string, Attribute> attrs, TfValue out) {
        out.name = node_->name();
        emit(node_->name(), op, std::move(inputs), {node_->name()}, std::move(attrs));
        mainNode_[node_->name()] = graph_.nodes.size() - 1;
        defineOut(std::move(out));
    }
    std::string derivedWeight(const std::string& base, const std::string& kind,
                              const std::function<Tensor(const Tensor&)>& make) {
        const std::string key = base + "|" + kind;
        const auto it = converted_.find(key);
        if (it != converted_.end()) return it->second;
        const std::string name = graph_.addWeight(base + "/" + kind, make(*graph_.weight(base)));
        converted_[key] = name;
        return name;
    }
    // `v` held in NCHW: as it is, or transposed from a plain 4-D NHWC tensor.
    std::string asNchw(const TfValue& v) {
        if (v.nchw) return v.name;
        if (constant(v) && constant(v)->rank() == 4)
            return derivedWeight(v.name, "nchw", [](const Tensor& t) {
                return transposedTensor(t, {kNhwcToNchw, kNhwcToNchw + 4});
            });
        if (v.rank != 4) throw Unsupported{"expects a 4-D input"};
        const std::string key = v.name + "|to_nchw";
        if (!converted_.count(key)) {
            const std::string out = v.name + "/qf_nchw";
            emit(out, "Transpose", {v.name}, {out}, {{"perm", Attribute::ofInts({0, 3, 1, 2})}},
                 false);
            converted_[key] = out;
        }
        return converted_[key];
    }
    // `v` as TensorFlow sees it (NHWC again when held as NCHW).
    std::string asPlain(const TfValue& v) {
        if (!v.nchw) return v.name;
        const std::string key = v.name + "|to_nhwc";
        if (!converted_.count(key)) {
            const std::string out = v.name + "/qf_nhwc";
            emit(out, "Transpose", {v.name}, {out}, {{"perm", Attribute::ofInts({0, 2, 3, 1})}},
                 false);
            converted_[key] = out;
        }
        return converted_[key];
    }
    // The input of a layout-aware op (Conv2D, pooling, BatchNorm): NCHW for both data formats.
    std::string spatialInput(const TfValue& v) { return nhwc() ? asNchw(v) : asPlain(v); }
    TfValue spatialOutput() const { return {"", nhwc(), 4}; }

    // --- ops
    void opaque();
    void convolution(bool depthwise);
    void pooling(const std::string& irOp);
    void windowAttrs(std::map<std::string, Attribute>& attrs, const std::vector<int64_t>& kernel);
    void binary(const std::string& irOp);
    void batchNorm();
    void globalNormalization();
    void transposedConvolution();
    bool evaluateConstant();
    void mean();
    void pad();
    void concat();
    void squeeze();
    void resize(bool linear);
    bool evaluateShapeOps();
    bool absorbBias(const TfValue& x, const TfValue& bias);
    Shape knownShape(const std::string& tensor, std::string& why) const;
    Tensor stridedSlice(const Tensor& x);
};

// Kahn's order over data and control inputs: a cycle or an input naming no node is an error
// naming the node.
std::vector<const qf_tf::NodeDef*> Converter::sortedNodes() {
    for (const auto& n : def_.node()) {
        if (n.name().empty()) fail("", "a node has no name (op " + n.op() + ")");
        if (!byName_.emplace(n.name(), &n).second) fail(n.name(), "two nodes have this name");
    }
    std::map<std::string, int> pending;
    for (const auto& n : def_.node()) {
        int count = 0;
        for (const auto& text : n.input()) {
            const InputRef ref = parseInput(text);
            if (!byName_.count(ref.node))
                fail(n.name(), "input '" + text + "' names node '" + ref.node +
                                   "', which is not in the graph");
            readers_[ref.node].push_back(&n);
            ++count;
            if (ref.control) continue;
            int& used = outputsUsed_[ref.node];
            used = std::max(used, ref.index + 1);
            readTensors_.insert(outputName(ref.node, ref.index));
        }
        pending[n.name()] = count;
    }
    std::vector<const qf_tf::NodeDef*> order;
    std::vector<const qf_tf::NodeDef*> ready;
    for (const auto& n : def_.node())
        if (pending[n.name()] == 0) ready.push_back(&n);
    // Keep the file's order among nodes that are ready together (a stable, readable graph).
    while (!ready.empty()) {
        const qf_tf::NodeDef* n = ready.front();
        ready.erase(ready.begin());
        order.push_back(n);
        for (const auto* reader : readers_[n->name()])
            if (--pending[reader->name()] == 0) ready.push_back(reader);
    }
    if (order.size() != static_cast<size_t>(def_.node_size()))
        for (const auto& n : def_.node())
            if (pending[n.name()] > 0) fail(n.name(), "the graph has a cycle through this node");
    return order;
}

void Converter::opaque() {
    // Kept with TensorFlow's op name under a "tf." prefix: some TensorFlow ops share a name with
    // an IR op of another meaning (Max, Sum, Concat...), which must not run as that.
    std::vector<std::string> inputs;
    for (size_t k = 0; k < dataInputs().size(); ++k) inputs.push_back(asPlain(in(k)));
    const int outputs = std::max(1, outputsUsed_[node_->name()]);
    std::vector<std::string> names;
    for (int k = 0; k < outputs; ++k) {
        names.push_back(outputName(node_->name(), k));
        define(names.back(), {names.back(), false, -1});
    }
    emit(node_->name(), "tf." + node_->op(), std::move(inputs), std::move(names));
}

void Converter::windowAttrs(std::map<std::string, Attribute>& attrs,
                            const std::vector<int64_t>& kernel) {
    const int h = nhwc() ? 1 : 2, w = nhwc() ? 2 : 3;
    const auto strides = attrInts("strides", {1, 1, 1, 1});
    if (strides.size() != 4) throw Unsupported{"strides must have 4 values"};
    if (strides[0] != 1 || strides[nhwc() ? 3 : 1] != 1)
        throw Unsupported{"strides over the batch or channel axis"};
    attrs["kernel_shape"] = Attribute::ofInts(kernel);
    attrs["strides"] = Attribute::ofInts({strides[h], strides[w]});
    const std::string padding = attrS("padding", "VALID");
    if (padding == "SAME") {
        // TensorFlow puts the odd pixel of padding at the end, as ONNX's SAME_UPPER does.
        attrs["auto_pad"] = Attribute::ofString("SAME_UPPER");
    } else if (padding == "VALID") {
        attrs["pads"] = Attribute::ofInts({0, 0, 0, 0});
    } else if (padding == "EXPLICIT") {
        const auto p = attrInts("explicit_paddings", {});
        if (p.size() != 8) throw Unsupported{"explicit_paddings must have 8 values"};
        attrs["pads"] = Attribute::ofInts({p[2 * h], p[2 * w], p[2 * h + 1], p[2 * w + 1]});
    } else {
        throw Unsupported{"padding '" + padding + "'"};
    }
}

void Converter::convolution(bool depthwise) {
    const TfValue x = in(0);
    const Tensor& filter = requireConstant(1, "the filter");
    if (filter.rank() != 4 || !filter.isFloat()) throw Unsupported{"the filter is not 4-D float"};
    const auto dilations = attrInts("dilations", {1, 1, 1, 1});
    if (dilations.size() != 4) throw Unsupported{"dilations must have 4 values"};
    std::map<std::string, Attribute> attrs;
    windowAttrs(attrs, {filter.shape[0], filter.shape[1]});
    attrs["dilations"] = Attribute::ofInts({dilations[nhwc() ? 1 : 2], dilations[nhwc() ? 2 : 3]});
    std::string weight;
    if (depthwise) {
        // [kh, kw, C, m] -> [C*m, 1, kh, kw]: output channel c*m + j is input c's j-th filter.
        weight = derivedWeight(in(1).name, "oihw", [](const Tensor& t) {
            Tensor w = transposedTensor(t, {2, 3, 0, 1});  // [C, m, kh, kw]
            w.shape = {t.shape[2] * t.shape[3], 1, t.shape[0], t.shape[1]};
            return w;
        });
        attrs["group"] = Attribute::ofInt(filter.shape[2]);
    } else {
        weight = derivedWeight(in(1).name, "oihw", [](const Tensor& t) {
            return transposedTensor(t, {3, 2, 0, 1});
        });
    }
    const std::string input = spatialInput(x);
    emitMain("Conv", {input, weight}, std::move(attrs), spatialOutput());
}

void Converter::pooling(const std::string& irOp) {
    const auto ksize = attrInts("ksize", {});
    if (ksize.size() != 4) throw Unsupported{"ksize must have 4 values"};
    if (ksize[0] != 1 || ksize[nhwc() ? 3 : 1] != 1)
        throw Unsupported{"pooling over the batch or channel axis"};
    std::map<std::string, Attribute> attrs;
    windowAttrs(attrs, {ksize[nhwc() ? 1 : 2], ksize[nhwc() ? 2 : 3]});
    // TensorFlow's average leaves the padding out of the count (ONNX's count_include_pad = 0).
    const std::string input = spatialInput(in(0));
    emitMain(irOp, {input}, std::move(attrs), spatialOutput());
}

void Converter::binary(const std::string& irOp) {
    const TfValue a = in(0), b = in(1);
    const Tensor* ca = constant(a);
    const Tensor* cb = constant(b);
    const int rank = a.rank < 0 || b.rank < 0 ? -1 : std::max(a.rank, b.rank);
    if (ca && cb) {  // evaluated at load by foldConstants
        emitMain(irOp, {a.name, b.name}, {}, {"", false, rank});
        return;
    }
    const bool commutative = irOp == "Add" || irOp == "Mul" || irOp == "Max";
    const TfValue* x = !ca ? &a : commutative ? &b : nullptr;
    const Tensor* c = x == &a ? cb : x == &b ? ca : nullptr;
    const TfValue* cv = x == &a ? &b : &a;
    if (x && c) {
        if (c->numel() == 1) {
            emitMain(irOp,
                     x == &a ? std::vector<std::string>{a.name, b.name}
                             : std::vector<std::string>{b.name, a.name},
                     {}, {"", x->nchw, x->rank});
            return;
        }
        // A vector over the last (channel) axis of an NHWC activation or a [N, C] matrix: the
        // per-channel Scale / Bias the fold pass absorbs into the conv or MatMul before it.
        const bool perChannel = c->rank() == 1 && c->isFloat() && (x->nchw || x->rank == 2);
        if (perChannel) {
            const std::map<std::string, Attribute> axis{{"axis", Attribute::ofInt(1)}};
            if (irOp == "Mul") return emitMain("Scale", {x->name, cv->name}, axis, *x);
            if (irOp == "Add") return emitMain("Bias", {x->name, cv->name}, axis, *x);
            if (irOp == "Sub")
                return emitMain("Bias",
                                {x->name, derivedWeight(cv->name, "negated",
                                                        [](Tensor t) {
                                                            for (auto& v : t.f) v = -v;
                                                            return t;
                                                        })},
                                axis, *x);
            if (irOp == "Div")
                return emitMain("Scale",
                                {x->name, derivedWeight(cv->name, "reciprocal",
                                                        [](Tensor t) {
                                                            for (auto& v : t.f) v = 1.0f / v;
                                                            return t;
                                                        })},
                                axis, *x);
        }
    }
    // Numpy broadcasting, as TensorFlow's: a constant meeting an NCHW-held activation is
    // padded to 4-D and transposed the same way; two activations must agree on the layout.
    const bool anyNchw = a.nchw || b.nchw;
    const auto operand = [&](const TfValue& v) -> std::string {
        const Tensor* t = constant(v);
        if (t && anyNchw) {
            if (t->rank() > 4) throw Unsupported{"a constant of more than 4 dimensions"};
            return derivedWeight(v.name, "nchw", [](const Tensor& value) {
                Tensor padded = value;
                padded.shape.insert(padded.shape.begin(), 4 - value.shape.size(), 1);
                return transposedTensor(padded, {kNhwcToNchw, kNhwcToNchw + 4});
            });
        }
        if (t) return v.name;
        return v.nchw || !anyNchw ? v.name : v.rank == 4 ? asNchw(v) : std::string();
    };
    std::string ea = operand(a), eb = operand(b);
    if (ea.empty() || eb.empty()) {  // an NCHW-held tensor against a lower-rank activation
        ea = constant(a) ? a.name : asPlain(a);
        eb = constant(b) ? b.name : asPlain(b);
        emitMain(irOp, {ea, eb}, {}, {"", false, rank});
        return;
    }
    emitMain(irOp, {ea, eb}, {}, {"", anyNchw, anyNchw ? 4 : rank});
}

void Converter::batchNorm() {
    if (attrB("is_training", true))
        throw Unsupported{"is_training is true (only inference-mode BatchNorm is supported)"};
    for (int k = 1; k < 5; ++k)
        if (!constant(in(static_cast<size_t>(k))))
            throw Unsupported{"its scale, offset, mean and variance must be constants"};
    // BatchNorm's epsilon defaults to 1e-4 in TensorFlow's op definitions.
    const float epsilon = attrF("epsilon", 1e-4f);
    const std::string input = spatialInput(in(0));
    emitMain("BatchNormalization", {input, in(1).name, in(2).name, in(3).name, in(4).name},
             {{"epsilon", Attribute::ofFloat(epsilon)}}, spatialOutput());
}

// BatchNormWithGlobalNormalization(t, m, v, beta, gamma): TensorFlow's older inference-mode
// BatchNorm, NHWC only; without scale_after_normalization gamma is not applied.
void Converter::globalNormalization() {
    for (int k = 1; k < 5; ++k)
        if (!constant(in(static_cast<size_t>(k))))
            throw Unsupported{"its mean, variance, beta and gamma must be constants"};
    std::string gamma = in(4).name;
    if (!attrB("scale_after_normalization", false))
        gamma = derivedWeight(gamma, "ones", [](Tensor t) {
            std::fill(t.f.begin(), t.f.end(), 1.0f);
            return t;
        });
    const std::string input = asNchw(in(0));
    emitMain("BatchNormalization", {input, gamma, in(3).name, in(1).name, in(2).name},
             {{"epsilon", Attribute::ofFloat(attrF("variance_epsilon", 1e-3f))}}, {"", true, 4});
}

// Conv2DBackpropInput(input_sizes, filter [kh, kw, out_c, in_c], out_backprop): a
// ConvTranspose whose output_shape makes the IR kernel split the padding as TensorFlow's SAME
// does (the odd pixel at the end) and leave VALID's remainder at the end; EXPLICIT gives its
// pads directly.
void Converter::transposedConvolution() {
    const auto sizes = requireConstant(0, "input_sizes").asInts();
    const Tensor& filter = requireConstant(1, "the filter");
    if (sizes.size() != 4 || filter.rank() != 4 || !filter.isFloat())
        throw Unsupported{"input_sizes must have 4 values and the filter be 4-D float"};
    const std::string padding = attrS("padding", "VALID");
    if (padding != "SAME" && padding != "VALID" && padding != "EXPLICIT")
        throw Unsupported{"padding '" + padding + "' (SAME, VALID and EXPLICIT are)"};
    const int h = nhwc() ? 1 : 2, w = nhwc() ? 2 : 3;
    const auto strides = attrInts("strides", {1, 1, 1, 1});
    const auto dilations = attrInts("dilations", {1, 1, 1, 1});
    if (strides.size() != 4 || dilations.size() != 4)
        throw Unsupported{"strides and dilations must have 4 values"};
    std::map<std::string, Attribute> attrs{
        {"kernel_shape", Attribute::ofInts({filter.shape[0], filter.shape[1]})},
        {"strides", Attribute::ofInts({strides[h], strides[w]})},
        {"dilations", Attribute::ofInts({dilations[h], dilations[w]})}};
    if (padding == "EXPLICIT") {
        // The gradient of a conv padded so: ONNX's pads, plus output_padding for the rows and
        // columns the forward conv's stride left unread at the end (input_sizes says how many).
        const auto p = attrInts("explicit_paddings", {});
        if (p.size() != 8) throw Unsupported{"explicit_paddings must have 8 values"};
        const auto remainder = [&](int axis, int kernelAxis) {
            const int64_t stride = std::max<int64_t>(strides[axis], 1);
            const int64_t span = dilations[axis] * (filter.shape[kernelAxis] - 1) + 1;
            const int64_t extent = sizes[axis] + p[2 * axis] + p[2 * axis + 1] - span;
            if (extent < 0) throw Unsupported{"input_sizes smaller than the padded filter"};
            return extent % stride;
        };
        attrs["pads"] = Attribute::ofInts({p[2 * h], p[2 * w], p[2 * h + 1], p[2 * w + 1]});
        attrs["output_padding"] = Attribute::ofInts({remainder(h, 0), remainder(w, 1)});
    } else {
        attrs["output_shape"] = Attribute::ofInts({sizes[h], sizes[w]});
    }
    // [kh, kw, out_c, in_c] -> [in_c, out_c, kh, kw]: the IR's [Cin, Cout, kh, kw].
    const std::string weight = derivedWeight(in(1).name, "oihw", [](const Tensor& t) {
        return transposedTensor(t, {3, 2, 0, 1});
    });
    const std::string input = spatialInput(in(2));
    emitMain("ConvTranspose", {input, weight}, std::move(attrs), spatialOutput());
}

// Elementwise ops whose inputs are all constants (the Rsqrt-based BatchNorm subgraph of
// tf.nn.batch_normalization, scalars...) are computed now, so their readers see constants.
bool Converter::evaluateConstant() {
    static const std::map<std::string, std::string> binaryOps{
        {"Add", "Add"},     {"AddV2", "Add"},   {"Sub", "Sub"},    {"Mul", "Mul"},
        {"RealDiv", "Div"}, {"Maximum", "Max"}, {"Minimum", "Max"}};
    const std::string& op = node_->op();
    const bool unary = op == "Rsqrt" || op == "Sqrt";
    const auto binary = binaryOps.find(op);
    if (!unary && binary == binaryOps.end()) return false;
    const auto refs = dataInputs();
    if (refs.size() != (unary ? 1u : 2u)) return false;
    for (size_t k = 0; k < refs.size(); ++k)
        if (!constant(in(k))) return false;
    Tensor result;
    if (unary) {
        result = *constant(in(0));
        if (!result.isFloat()) return false;
        for (auto& v : result.f) v = op == "Sqrt" ? std::sqrt(v) : 1.0f / std::sqrt(v);
    } else {
        Tensor a = *constant(in(0)), b = *constant(in(1));
        const bool minimum = op == "Minimum";  // min(a, b) = -max(-a, -b)
        const auto negate = [](Tensor& t) {
            for (auto& v : t.f) v = -v;
            for (auto& v : t.i) v = -v;
        };
        if (minimum) {
            negate(a);
            negate(b);
        }
        const Node node = makeNode(node_->name(), binary->second, {"a", "b"}, {node_->name()});
        std::vector<Tensor> outputs(1);
        try {
            findKernel(binary->second)(node, {&a, &b}, outputs);
        } catch (const Error&) {
            return false;  // left to the node as it is (and its own error, if any)
        }
        result = std::move(outputs[0]);
        if (minimum) negate(result);
    }
    graph_.weights.set(node_->name(), result);
    defineOut({node_->name(), false, result.rank()});
    return true;
}

// Conv2D / DepthwiseConv2dNative / Conv2DBackpropInput / MatMul → BiasAdd is how TensorFlow
// writes a layer with a bias: the BiasAdd becomes the IR node's bias input (so it is not offered
// as a fold of its own, and a BatchNorm after it folds directly), and the IR node writes the
// BiasAdd's tensor. sourceInfo["tf.bias_add.<node>"] names the BiasAdd for the exporter, which
// writes it back as it was. Only when the BiasAdd is the layer's sole reader.
bool Converter::absorbBias(const TfValue& x, const TfValue& bias) {
    const auto refs = dataInputs();
    const auto main = mainNode_.find(refs[0].node);
    if (refs[0].index != 0 || main == mainNode_.end()) return false;
    Node& layer = graph_.nodes[main->second];
    const bool target = layer.op == "Conv" || layer.op == "ConvTranspose" || layer.op == "Gemm";
    if (!target || !layer.input(2).empty() || layer.outputs.size() != 1 ||
        layer.outputs[0] != x.name || readers_[refs[0].node].size() != 1)
        return false;
    const Tensor* weights = graph_.weight(layer.input(1));
    const Tensor* values = constant(bias);
    if (!weights || !values || !values->isFloat() || weights->rank() < 2) return false;
    const int64_t channels = layer.op == "Conv" ? weights->shape[0]
                             : layer.op == "ConvTranspose"
                                 ? weights->shape[1] * layer.attrInt("group", 1)
                             : layer.attrInt("transB", 0) ? weights->shape[0]
                                                          : weights->shape[1];
    if (values->numel() != channels) return false;
    layer.inputs.resize(3);
    layer.inputs[2] = bias.name;
    layer.outputs[0] = node_->name();
    graph_.sourceInfo["tf.bias_add." + layer.name] = node_->name();
    defineOut({node_->name(), x.nchw, x.rank});
    return true;
}

// StridedSlice of a constant: begin/end/strides for the leading axes (the rest whole), with
// TensorFlow's begin, end and shrink masks; ellipsis and new-axis masks are not supported.
Tensor Converter::stridedSlice(const Tensor& x) {
    const auto begin = requireConstant(1, "begin").asInts();
    const auto end = requireConstant(2, "end").asInts();
    const auto strides = requireConstant(3, "strides").asInts();
    const auto mask = [&](const std::string& name) {
        const auto* m = attr(name);
        return m && m->value_case() == qf_tf::AttrValue::kI ? m->i() : int64_t{0};
    };
    if (mask("ellipsis_mask") || mask("new_axis_mask"))
        throw Unsupported{"ellipsis_mask and new_axis_mask are not supported"};
    const size_t sliced = begin.size();
    if (end.size() != sliced || strides.size() != sliced || sliced > static_cast<size_t>(x.rank()))
        throw Unsupported{"begin, end and strides must have one value per sliced axis"};
    std::vector<std::vector<int64_t>> picked(static_cast<size_t>(x.rank()));
    Shape shape;
    for (size_t axis = 0; axis < picked.size(); ++axis) {
        const int64_t n = x.shape[axis];
        auto& indices = picked[axis];
        if (axis >= sliced) {
            for (int64_t k = 0; k < n; ++k) indices.push_back(k);
            shape.push_back(n);
            continue;
        }
        const int64_t bit = int64_t{1} << axis, step = strides[axis];
        if (step == 0) throw Unsupported{"a stride of 0"};
        if (mask("shrink_axis_mask") & bit) {
            const int64_t index = begin[axis] < 0 ? begin[axis] + n : begin[axis];
            if (index < 0 || index >= n)
                fail(node_->name(), "StridedSlice index " + std::to_string(begin[axis]) +
                                        " is out of range for axis " + std::to_string(axis) +
                                        " of size " + std::to_string(n));
            indices.push_back(index);
            continue;  // the axis is dropped from the result
        }
        // TensorFlow's rule: negative bounds count from the end, then clamp to the range a walk
        // in the stride's direction can reach.
        const auto bound = [&](int64_t v, bool masked, bool isBegin) {
            if (masked && isBegin) return step > 0 ? int64_t{0} : n - 1;
            if (masked) return step > 0 ? n : int64_t{-1};
            if (v < 0) v += n;
            return step > 0 ? std::clamp<int64_t>(v, 0, n) : std::clamp<int64_t>(v, -1, n - 1);
        };
        const int64_t b = bound(begin[axis], mask("begin_mask") & bit, true);
        const int64_t e = bound(end[axis], mask("end_mask") & bit, false);
        for (int64_t k = b; step > 0 ? k < e : k > e; k += step) indices.push_back(k);
        shape.push_back(static_cast<int64_t>(indices.size()));
    }
    Tensor result;
    result.dtype = x.dtype;
    result.shape = shape;
    // Every combination of the picked indices, the last axis fastest.
    std::vector<size_t> at(picked.size(), 0);
    const bool empty = std::any_of(picked.begin(), picked.end(),
                                   [](const std::vector<int64_t>& p) { return p.empty(); });
    while (!empty) {
        int64_t offset = 0;
        for (size_t axis = 0; axis < picked.size(); ++axis)
            offset = offset * x.shape[axis] + picked[axis][at[axis]];
        if (x.isFloat())
            result.f.push_back(x.f[static_cast<size_t>(offset)]);
        else
            result.i.push_back(x.i[static_cast<size_t>(offset)]);
        size_t axis = picked.size();
        while (axis > 0 && ++at[axis - 1] == picked[axis - 1].size()) at[--axis] = 0;
        if (axis == 0) break;
    }
    return result;
}

// Shape / StridedSlice / Pack / Fill, the subgraphs that compute a Reshape's shape (as in
// Reshape(x, Pack([StridedSlice(Shape(x), 0, 1, shrink), -1]))): evaluated now, to a weight,
// when their inputs are constants or, for Shape, when the input's shape is fixed by the
// Placeholder's. A dimension that is not (an unknown batch...) leaves the node unsupported,
// saying which; the input shape can then be given (--input-shape).
bool Converter::evaluateShapeOps() {
    const std::string& op = node_->op();
    if (op != "Shape" && op != "StridedSlice" && op != "Pack" && op != "Fill") return false;
    const auto refs = dataInputs();
    const auto intType = [&](const std::string& name) {
        const auto* a = attr(name);
        return a && a->value_case() == qf_tf::AttrValue::kType && a->type() == qf_tf::DT_INT64
                   ? DataType::Int64
                   : DataType::Int32;
    };
    Tensor result;
    if (op == "Shape") {
        const TfValue x = in(0);
        std::string why;
        Shape shape = knownShape(x.name, why);
        if (!why.empty()) throw Unsupported{"the shape of '" + x.name + "': " + why};
        if (x.nchw && shape.size() == 4)
            shape = {shape[0], shape[2], shape[3], shape[1]};  // back to TensorFlow's NHWC
        std::string unknown;
        for (size_t k = 0; k < shape.size(); ++k)
            if (shape[k] < 0) unknown += (unknown.empty() ? "" : ", ") + std::to_string(k);
        if (!unknown.empty())
            throw Unsupported{"dimension(s) " + unknown + " of '" + x.name +
                              "' are unknown at load (give the input shape, e.g. --input-shape)"};
        result = Tensor::ints({static_cast<int64_t>(shape.size())}, shape, intType("out_type"));
    } else {
        for (size_t k = 0; k < refs.size(); ++k)
            if (!constant(in(k)))
                throw Unsupported{"input " + std::to_string(k) + " is not a constant"};
    }
    if (op == "Fill") {
        const auto dims = requireConstant(0, "the dims").asInts();
        const Tensor& value = requireConstant(1, "the value");
        if (value.numel() != 1) throw Unsupported{"the value is not a scalar"};
        int64_t count = 1;
        for (const auto d : dims) {
            if (d < 0) throw Unsupported{"a negative dimension"};
            count *= d;
        }
        result =
            value.isFloat()
                ? Tensor::floats(dims, std::vector<float>(static_cast<size_t>(count), value.f[0]))
                : Tensor::ints(dims, std::vector<int64_t>(static_cast<size_t>(count), value.i[0]),
                               value.dtype);
    } else if (op == "Pack") {
        // Stacking along `axis` (negative counts from the end of the output's rank): for each
        // index of the axes before it, one block of every input in turn.
        const Tensor& first = requireConstant(0, "the values");
        int64_t axis = 0;
        if (const auto* a = attr("axis"); a && a->value_case() == qf_tf::AttrValue::kI)
            axis = a->i();
        const int64_t outRank = first.rank() + 1;
        if (axis < 0) axis += outRank;
        if (axis < 0 || axis >= outRank)
            fail(node_->name(), "Pack axis " + std::to_string(axis) + " is out of range");
        for (size_t k = 0; k < refs.size(); ++k) {
            const Tensor& t = *constant(in(k));
            if (t.shape != first.shape || t.isFloat() != first.isFloat())
                throw Unsupported{"the values differ in shape or type"};
        }
        int64_t outer = 1, inner = 1;
        for (int64_t d = 0; d < first.rank(); ++d) (d < axis ? outer : inner) *= first.shape[d];
        result.dtype = first.dtype;
        result.shape = first.shape;
        result.shape.insert(result.shape.begin() + axis, static_cast<int64_t>(refs.size()));
        for (int64_t o = 0; o < outer; ++o)
            for (size_t k = 0; k < refs.size(); ++k) {
                const Tensor& t = *constant(in(k));
                const auto from = static_cast<size_t>(o * inner), to = from + inner;
                if (t.isFloat())
                    result.f.insert(result.f.end(), t.f.begin() + from, t.f.begin() + to);
                else
                    result.i.insert(result.i.end(), t.i.begin() + from, t.i.begin() + to);
            }
    } else if (op == "StridedSlice") {
        result = stridedSlice(requireConstant(0, "the input"));
    }
    graph_.weights.set(node_->name(), result);
    defineOut({node_->name(), false, result.rank()});
    return true;
}

void Converter::mean() {
    const TfValue x = in(0);
    std::vector<int64_t> axes = requireConstant(1, "the reduction axes").asInts();
    for (auto& a : axes)
        if (a < 0) a += 4;
    std::sort(axes.begin(), axes.end());
    if (!x.nchw || axes != std::vector<int64_t>{1, 2})
        throw Unsupported{"only the mean over the spatial axes [1, 2] of an NHWC tensor"};
    if (attrB("keep_dims", false)) {
        emitMain("GlobalAveragePool", {x.name}, {}, {"", true, 4});
        return;
    }
    const std::string pooled = node_->name() + "/qf_pool";
    emit(node_->name(), "GlobalAveragePool", {x.name}, {pooled});
    emit(node_->name() + "/qf_flatten", "Flatten", {pooled}, {node_->name()},
         {{"axis", Attribute::ofInt(1)}});
    defineOut({node_->name(), false, 2});
}

void Converter::pad() {
    const TfValue x = in(0);
    const Tensor& paddings = requireConstant(1, "the paddings");
    const auto p = paddings.asInts();
    const int rank = paddings.rank() == 2 ? static_cast<int>(paddings.shape[0]) : -1;
    if (rank < 0 || paddings.shape[1] != 2) throw Unsupported{"paddings must be [rank, 2]"};
    std::map<std::string, Attribute> attrs;
    if (node_->op() == "MirrorPad") {
        if (attrS("mode", "") != "REFLECT")
            throw Unsupported{"MirrorPad mode '" + attrS("mode", "") + "' (REFLECT is)"};
        attrs["mode"] = Attribute::ofString("reflect");
    } else if (node_->op() == "PadV2") {
        const Tensor& value = requireConstant(2, "the constant value");
        if (value.numel() != 1) throw Unsupported{"the constant value is not a scalar"};
        attrs["value"] = Attribute::ofFloat(value.asFloats()[0]);
    }
    std::vector<int64_t> begins(static_cast<size_t>(rank)), ends(static_cast<size_t>(rank));
    const bool nchw = x.nchw && rank == 4;
    for (int k = 0; k < rank; ++k) {
        const int irAxis = nchw ? kTfAxisInIr[k] : k;
        begins[irAxis] = p[2 * k];
        ends[irAxis] = p[2 * k + 1];
    }
    begins.insert(begins.end(), ends.begin(), ends.end());
    attrs["pads"] = Attribute::ofInts(begins);
    const std::string input = nchw ? x.name : asPlain(x);
    emitMain("Pad", {input}, std::move(attrs), {"", nchw, rank});
}

void Converter::concat() {
    const auto refs = dataInputs();
    if (refs.size() < 2) throw Unsupported{"ConcatV2 needs its values and an axis"};
    const size_t count = refs.size() - 1;
    int64_t axis = requireConstant(count, "the axis").asInts().at(0);
    bool allNchw = true;
    int rank = -1;
    for (size_t k = 0; k < count; ++k) {
        const TfValue& v = in(k);
        if (!constant(v)) allNchw = allNchw && v.nchw;
        rank = std::max(rank, constant(v) ? constant(v)->rank() : v.rank);
    }
    if (axis < 0) {
        if (rank < 0) throw Unsupported{"a negative axis on inputs of unknown rank"};
        axis += rank;
    }
    std::vector<std::string> inputs;
    for (size_t k = 0; k < count; ++k) inputs.push_back(allNchw ? asNchw(in(k)) : asPlain(in(k)));
    emitMain("Concat", std::move(inputs),
             {{"axis", Attribute::ofInt(allNchw ? kTfAxisInIr[axis] : axis)}}, {"", allNchw, rank});
}

void Converter::squeeze() {
    const TfValue x = in(0);
    std::vector<int64_t> dims = attrInts("squeeze_dims", attrInts("axis", {}));
    if (dims.empty() || x.rank < 0) {  // which axes go depends on the shape: squeeze as TF has it
        emitMain("Squeeze", {asPlain(x)},
                 dims.empty() ? std::map<std::string, Attribute>{}
                              : std::map<std::string, Attribute>{{"axes", Attribute::ofInts(dims)}},
                 {"", false, -1});
        return;
    }
    for (auto& d : dims)
        if (d < 0) d += x.rank;
    std::sort(dims.begin(), dims.end());
    const int rank = x.rank - static_cast<int>(dims.size());
    if (x.nchw) {
        // Squeezing the NCHW-held tensor directly is right when the axes that stay keep their
        // order (as [N,1,1,C] -> [N,C] does); otherwise go back to NHWC first.
        std::vector<int64_t> irDims;
        std::vector<int> kept;
        for (int k = 0; k < 4; ++k)
            if (std::binary_search(dims.begin(), dims.end(), k))
                irDims.push_back(kTfAxisInIr[k]);
            else
                kept.push_back(kTfAxisInIr[k]);
        if (std::is_sorted(kept.begin(), kept.end())) {
            std::sort(irDims.begin(), irDims.end());
            emitMain("Squeeze", {x.name}, {{"axes", Attribute::ofInts(irDims)}}, {"", false, rank});
            return;
        }
    }
    emitMain("Squeeze", {asPlain(x)}, {{"axes", Attribute::ofInts(dims)}}, {"", false, rank});
}

// The IR shape of `tensor` as far as the graph built so far fixes it, -1 for a dimension that
// follows an unknown input dimension. Shapes are not tracked op by op: the nodes `tensor`
// depends on are run twice on zeros, the unknown input dimensions taken as 1 and as 2, and a
// dimension equal in both runs is fixed. Empty, with `why` set, when they cannot be run (an
// input of unknown rank, an unsupported op, a size too small for a VALID window...).
Shape Converter::knownShape(const std::string& tensor, std::string& why) const {
    if (const Tensor* t = graph_.weight(tensor)) return t->shape;
    Graph sub;
    sub.weights = graph_.weights;
    std::set<std::string> needed{tensor};
    std::vector<const Node*> nodes;
    for (auto it = graph_.nodes.rbegin(); it != graph_.nodes.rend(); ++it) {
        const bool used = std::any_of(it->outputs.begin(), it->outputs.end(),
                                      [&](const std::string& o) { return needed.count(o) > 0; });
        if (!used) continue;
        nodes.push_back(&*it);
        needed.insert(it->inputs.begin(), it->inputs.end());
    }
    for (auto it = nodes.rbegin(); it != nodes.rend(); ++it) sub.nodes.push_back(**it);
    for (const auto& input : graph_.inputs)
        if (needed.count(input.name)) {
            if (input.shape.empty()) {
                why = "graph input '" + input.name + "' has no static shape";
                return {};
            }
            sub.inputs.push_back(input);
        }
    sub.outputs.push_back({tensor, {}, DataType::Float32});
    Shape runs[2];
    for (int run = 0; run < 2; ++run) {
        TensorMap feeds;
        for (const auto& input : sub.inputs) {
            Shape shape = input.shape;
            for (auto& d : shape)
                if (d <= 0) d = run + 1;
            feeds[input.name] = Tensor::floats(shape, 0.0f);
        }
        try {
            runs[run] = Executor(sub).run(feeds).at(tensor).shape;
        } catch (const std::exception& error) {
            why = std::string("its shape could not be found by running the graph before it (") +
                  error.what() + ")";
            return {};
        }
        const bool anyUnknown =
            std::any_of(sub.inputs.begin(), sub.inputs.end(), [](const auto& i) {
                return std::any_of(i.shape.begin(), i.shape.end(),
                                   [](int64_t d) { return d <= 0; });
            });
        if (!anyUnknown) return runs[0];
    }
    Shape shape = runs[0];
    if (runs[1].size() != shape.size()) {
        why = "its rank depends on an unknown input dimension";
        return {};
    }
    for (size_t k = 0; k < shape.size(); ++k)
        if (runs[1][k] != shape[k]) shape[k] = -1;
    return shape;
}

// ResizeBilinear / ResizeNearestNeighbor(images, size = [new_height, new_width]): the IR's
// Resize, whose sizes (or scales) cover every NCHW axis. TensorFlow's coordinate rules map to
// ONNX's: half_pixel_centers is half_pixel for bilinear and, for nearest, floor((x + 0.5) *
// in / out) (tf_half_pixel_for_nn, floor); align_corners rounds half up for nearest (roundf
// of a non-negative coordinate); neither is asymmetric with floor.
void Converter::resize(bool linear) {
    const TfValue x = in(0);
    const auto size = requireConstant(1, "the size").asInts();
    if (size.size() != 2 || size[0] <= 0 || size[1] <= 0)
        throw Unsupported{"size must be two positive values [new_height, new_width]"};
    const bool alignCorners = attrB("align_corners", false);
    const bool halfPixel = attrB("half_pixel_centers", false);
    if (alignCorners && halfPixel)
        throw Unsupported{"align_corners and half_pixel_centers are both set"};
    std::map<std::string, Attribute> attrs{
        {"mode", Attribute::ofString(linear ? "linear" : "nearest")},
        {"coordinate_transformation_mode",
         Attribute::ofString(alignCorners ? "align_corners"
                             : halfPixel  ? (linear ? "half_pixel" : "tf_half_pixel_for_nn")
                                          : "asymmetric")}};
    if (!linear)
        attrs["nearest_mode"] = Attribute::ofString(alignCorners ? "round_prefer_ceil" : "floor");
    const std::string input = asNchw(x);
    std::string why;
    const Shape shape = knownShape(input, why);
    if (shape.size() != 4 && why.empty()) why = "its input is not 4-D";
    if (shape.size() != 4) throw Unsupported{why};
    std::string sizes, scales;
    if (shape[0] > 0 && shape[1] > 0) {
        sizes = graph_.addWeight(node_->name() + "/qf_sizes",
                                 Tensor::ints({4}, {shape[0], shape[1], size[0], size[1]}));
    } else if (shape[2] > 0 && shape[3] > 0) {
        // An unknown batch or channel count: scales, each nudged up until the kernel's
        // floor(in * scale) gives the size exactly (out / in as a float may fall just short).
        std::vector<float> values{1.0f, 1.0f};
        for (int k = 0; k < 2; ++k) {
            const auto in = static_cast<double>(shape[2 + k]);
            auto s = static_cast<float>(static_cast<double>(size[k]) / in);
            while (std::floor(in * s) < static_cast<double>(size[k]))
                s = std::nextafter(s, 2.0f * s);
            values.push_back(s);
        }
        scales = graph_.addWeight(node_->name() + "/qf_scales", Tensor::floats({4}, values));
    } else {
        throw Unsupported{
            "the input's height and width are not known at load (give the input "
            "shape, e.g. --input-shape)"};
    }
    emitMain("Resize", {input, "", scales, sizes}, std::move(attrs), {"", true, 4});
}

void Converter::convertNode(const qf_tf::NodeDef& n) {
    node_ = &n;
    const std::string& op = n.op();
    if (op == "NoOp") return;
    if (op == "Const") {
        const auto* value = attr("value");
        if (!value || value->value_case() != qf_tf::AttrValue::kTensor)
            fail(n.name(), "Const has no tensor 'value'");
        try {
            graph_.weights.set(n.name(), tensorFromTf(value->tensor(), "Const"));
        } catch (const Error& error) {
            fail(n.name(), error.what());
        }
        defineOut({n.name(), false, graph_.weight(n.name())->rank()});
        return;
    }
    if (op == "Placeholder" || op == "PlaceholderWithDefault") {
        ValueInfo info;
        info.name = n.name();
        Shape shape;
        const bool declared = attr("shape") &&
                              attr("shape")->value_case() == qf_tf::AttrValue::kShape &&
                              !attr("shape")->shape().unknown_rank();
        if (declared)
            for (const auto& dim : attr("shape")->shape().dim()) shape.push_back(dim.size());
        // The given input shape fills the declared shape's unknown dimensions; a Placeholder
        // of another rank (a flag, a second input) keeps its own.
        if (!inputShape_.empty() && (!declared || shape.size() == inputShape_.size())) {
            inputShapeUsed_ = true;
            if (!declared) shape = inputShape_;
            const Shape declaredShape = shape;
            for (size_t k = 0; k < shape.size(); ++k) {
                if (shape[k] > 0 && inputShape_[k] > 0 && shape[k] != inputShape_[k])
                    fail(n.name(), "the given input shape " + shapeToString(inputShape_) +
                                       " differs from the declared " +
                                       shapeToString(declaredShape) + " in dimension " +
                                       std::to_string(k));
                if (shape[k] <= 0) shape[k] = inputShape_[k];
            }
        }
        // A 4-D Placeholder is an NHWC image held as NCHW, unless the ops reading it say
        // their data_format is NCHW (then it is NCHW already, as the IR wants it).
        bool channelsFirst = false;
        for (const auto* reader : readers_[n.name()]) {
            const auto format = reader->attr().find("data_format");
            channelsFirst = channelsFirst || (format != reader->attr().end() &&
                                              format->second.s().rfind("NCHW", 0) == 0);
        }
        const bool image = shape.size() == 4 && !channelsFirst;
        if (image) shape = {shape[0], shape[3], shape[1], shape[2]};
        info.shape = shape;
        graph_.inputs.push_back(info);
        defineOut({n.name(), image, static_cast<int>(info.shape.size())});
        return;
    }
    try {
        if (op == "Identity" || op == "Snapshot" || op == "StopGradient") {
            const TfValue x = in(0);
            if (constant(x)) return defineOut(x);  // "w/read" of a frozen variable
            return emitMain("Identity", {x.name}, {}, x);
        }
        if (evaluateConstant() || evaluateShapeOps()) return;
        if (op == "BatchNormWithGlobalNormalization") return globalNormalization();
        if (op == "Conv2DBackpropInput") return transposedConvolution();
        if (op == "Dequantize") {  // weights transform_graph quantize_weights wrote
            const std::string mode = attrS("mode", "MIN_COMBINED");
            if (mode != "MIN_FIRST") throw Unsupported{"mode '" + mode + "' (MIN_FIRST is)"};
            const Tensor& values = requireConstant(0, "the quantized values");
            const Tensor& min = requireConstant(1, "the minimum");
            const Tensor& max = requireConstant(2, "the maximum");
            if (values.dtype != DataType::UInt8 || min.numel() != 1 || max.numel() != 1)
                throw Unsupported{"only quint8 values with a scalar min and max"};
            graph_.weights.set(n.name(),
                               dequantizeMinFirst(values, min.asFloats()[0], max.asFloats()[0]));
            return defineOut({n.name(), false, values.rank()});
        }
        if (op == "Conv2D") return convolution(false);
        if (op == "DepthwiseConv2dNative") return convolution(true);
        if (op == "MaxPool") return pooling("MaxPool");
        if (op == "AvgPool") return pooling("AveragePool");
        if (op == "FusedBatchNorm" || op == "FusedBatchNormV2" || op == "FusedBatchNormV3")
            return batchNorm();
        if (op == "BiasAdd") {
            const TfValue x = in(0);
            const Tensor& bias = requireConstant(1, "the bias");
            if (bias.rank() != 1) throw Unsupported{"the bias is not a vector"};
            const bool channelFirst = x.nchw || !nhwc() || x.rank == 2;
            if (channelFirst && absorbBias(x, in(1))) return;
            return emitMain("Bias", {x.name, in(1).name},
                            {{"axis", Attribute::ofInt(channelFirst ? 1 : -1)}}, x);
        }
        if (op == "Add" || op == "AddV2") return binary("Add");
        if (op == "Sub") return binary("Sub");
        if (op == "Mul") return binary("Mul");
        if (op == "RealDiv") return binary("Div");
        if (op == "Maximum") return binary("Max");
        if (op == "Minimum") {  // min(x, c) with a scalar c (as in Relu6 written out): a clamp
            const bool constFirst = constant(in(0)) != nullptr;
            const TfValue x = in(constFirst ? 1 : 0);
            const Tensor* bound = constant(in(constFirst ? 0 : 1));
            if (!bound || bound->numel() != 1 || !bound->isFloat())
                throw Unsupported{"only the minimum of a tensor and a scalar constant"};
            return emitMain("Clip", {x.name}, {{"max", Attribute::ofFloat(bound->f[0])}}, x);
        }
        if (op == "Relu" || op == "Sigmoid" || op == "Tanh") {
            const TfValue x = in(0);
            return emitMain(op, {x.name}, {}, x);
        }
        if (op == "Relu6") {
            const TfValue x = in(0);
            return emitMain("Clip", {x.name},
                            {{"min", Attribute::ofFloat(0.0f)}, {"max", Attribute::ofFloat(6.0f)}},
                            x);
        }
        if (op == "LeakyRelu") {
            const TfValue x = in(0);
            return emitMain("LeakyRelu", {x.name},
                            {{"alpha", Attribute::ofFloat(attrF("alpha", 0.2f))}}, x);
        }
        if (op == "Softmax") {
            const TfValue x = in(0);
            return emitMain("Softmax", {x.name}, {{"axis", Attribute::ofInt(x.nchw ? 1 : -1)}}, x);
        }
        if (op == "Mean") return mean();
        if (op == "Pad" || op == "PadV2" || op == "MirrorPad") return pad();
        if (op == "ConcatV2") return concat();
        if (op == "Squeeze") return squeeze();
        if (op == "ResizeBilinear") return resize(true);
        if (op == "ResizeNearestNeighbor") return resize(false);
        if (op == "MatMul") {
            const TfValue a = in(0), b = in(1);
            if (a.nchw) throw Unsupported{"a 4-D first input"};
            if (constant(b)) {
                return emitMain("Gemm", {a.name, b.name},
                                {{"transA", Attribute::ofInt(attrB("transpose_a", false))},
                                 {"transB", Attribute::ofInt(attrB("transpose_b", false))}},
                                {"", false, 2});
            }
            if (attrB("transpose_a", false) || attrB("transpose_b", false))
                throw Unsupported{"transposed MatMul of two activations"};
            return emitMain("MatMul", {a.name, asPlain(b)}, {}, {"", false, 2});
        }
        if (op == "Reshape") {
            const TfValue x = in(0);
            const Tensor& shape = requireConstant(1, "the shape");
            const std::string input = asPlain(x);
            // The shape as an attribute (the IR's Reshape reads 0 as "copy", TensorFlow as an
            // empty axis; TensorFlow graphs do not reshape to empty tensors in practice).
            return emitMain("Reshape", {input}, {{"shape", Attribute::ofInts(shape.asInts())}},
                            {"", false, static_cast<int>(shape.numel())});
        }
        if (op == "ExpandDims") {
            const TfValue x = in(0);
            int64_t axis = requireConstant(1, "the axis").asInts().at(0);
            if (axis < 0) {
                if (x.rank < 0) throw Unsupported{"a negative axis on an input of unknown rank"};
                axis += x.rank + 1;
            }
            const std::string input = asPlain(x);
            return emitMain("Unsqueeze", {input}, {{"axes", Attribute::ofInts({axis})}},
                            {"", false, x.rank < 0 ? -1 : x.rank + 1});
        }
        if (op == "Transpose") {
            const TfValue x = in(0);
            const auto perm = requireConstant(1, "the permutation").asInts();
            std::vector<int64_t> irPerm = perm;
            if (x.nchw) {  // compose with the NCHW -> NHWC step: one Transpose
                if (perm.size() != 4) throw Unsupported{"a permutation of another rank"};
                for (size_t k = 0; k < 4; ++k) irPerm[k] = kTfAxisInIr[perm[k]];
            }
            return emitMain("Transpose", {x.name}, {{"perm", Attribute::ofInts(irPerm)}},
                            {"", false, static_cast<int>(perm.size())});
        }
        opaque();
    } catch (const Unsupported& unsupported) {
        unsupportedWhy_[n.name()] = unsupported.why;
        opaque();
    } catch (const Error& error) {
        if (!error.diagnostic().file.empty()) throw;  // already names the file and node
        fail(n.name(), n.op() + ": " + error.what());
    }
}

// Tensors no node reads are the graph's outputs; 4-D ones held as NCHW get a Transpose back so
// the outputs have TensorFlow's layout and names.
void Converter::markOutputs() {
    for (const auto& n : def_.node()) {
        if (n.op() == "Const" || n.op() == "NoOp" || n.op() == "Placeholder") continue;
        const int outputs = std::max(1, outputsUsed_[n.name()]);
        for (int k = 0; k < outputs; ++k) {
            const std::string tensor = outputName(n.name(), k);
            if (readTensors_.count(tensor) || !values_.count(tensor)) continue;
            const TfValue v = values_[tensor];
            if (graph_.isWeight(v.name)) continue;
            if (v.nchw) {
                const int producer = graph_.producerIndex(v.name);
                const std::string held = v.name + "/qf_nchw";
                for (auto& out : graph_.nodes[producer].outputs)
                    if (out == v.name) out = held;
                graph_.addNode(makeNode(v.name + "/qf_nhwc", "Transpose", {held}, {v.name},
                                        {{"perm", Attribute::ofInts({0, 2, 3, 1})}}));
            }
            graph_.outputs.push_back({v.name, {}, DataType::Float32});
        }
    }
}

Graph Converter::convert(const Progress& progress) {
    for (const int64_t dim : inputShape_)
        if (dim == 0 || dim < -1)
            throw Error(file_ + ": the given input shape " + shapeToString(inputShape_) +
                        " has a dimension of " + std::to_string(dim) +
                        " (each must be positive, or -1 to keep it unknown)");
    graph_.format = "tensorflow";
    graph_.sourceInfo["producer"] = std::to_string(def_.versions().producer());
    const auto order = sortedNodes();
    const Progress nodesProgress = progress.phase(0, 80, 100);
    for (size_t k = 0; k < order.size(); ++k) {
        if (k % 32 == 0) {
            nodesProgress.throwIfCancelled();
            nodesProgress.step(static_cast<long>(k), static_cast<long>(order.size()),
                               "converting nodes");
        }
        convertNode(*order[k]);
    }
    markOutputs();
    if (!inputShape_.empty() && !inputShapeUsed_) {
        std::string ranks;
        for (const auto& input : graph_.inputs)
            ranks += (ranks.empty() ? "" : ", ") + std::string("'") + input.name + "' has " +
                     std::to_string(input.shape.size()) + " dimensions";
        throw Error(file_ + ": the given input shape " + shapeToString(inputShape_) +
                    " fits no Placeholder (" + (ranks.empty() ? "the graph has none" : ranks) +
                    ")");
    }
    progress.throwIfCancelled();
    progress.step(80, 100, "checking the graph");
    try {
        graph_.sortTopologically();
        foldConstants(graph_);
        // Constants read only through a converted copy (HWIO filters, NHWC-shaped operands)
        // would otherwise be held twice.
        graph_.removeUnusedWeights();
    } catch (const Error& error) {
        rethrowInFile(error, file_);
    }
    return std::move(graph_);
}

std::string fileNameOf(const std::string& path) {
    return std::filesystem::path(path).filename().string();
}

}  // namespace

Graph importTensorflowFromBytes(const std::string& bytes, const std::string& nameForErrors,
                                Diagnostics* warnings, const Progress& progress,
                                const Shape& inputShape) {
    if (bytes.empty()) throw Error(nameForErrors + ": file is empty, not a TensorFlow GraphDef");
    progress.throwIfCancelled();
    progress.step(0, 100, "parsing " + fileNameOf(nameForErrors));
    qf_tf::GraphDef def;
    const ProtobufLogCapture protobufLog;
    if (!def.ParseFromString(bytes) || def.node_size() == 0)
        throw Error(nameForErrors +
                    ": not a TensorFlow GraphDef (the protobuf data does not parse as one; the "
                    "file may be truncated or of another format)" +
                    protobufLog.suffix());
    Converter converter(def, nameForErrors, inputShape);
    Graph graph = converter.convert(progress.phase(30, 70, 100));
    graph.source = bytes;
    Diagnostics found;
    for (const auto& node : graph.nodes)
        if (!findKernel(node.op)) {
            const auto why = converter.unsupportedReason(node.name);
            const std::string op = node.op.rfind("tf.", 0) == 0 ? node.op.substr(3) : node.op;
            found.push_back({Severity::Warning, nameForErrors, 0, 0, node.name, "",
                             "op '" + op + "' is not supported by this runtime" +
                                 (why.empty() ? std::string() : " (" + why + ")") +
                                 ": the node is kept and written back, but the model cannot run"});
        }
    if (warnings) warnings->insert(warnings->end(), found.begin(), found.end());
    progress.step(100, 100, "");
    return graph;
}

Graph importTensorflow(const std::string& path, Diagnostics* warnings, const Progress& progress,
                       const Shape& inputShape) {
    const std::string bytes = readFile(path, progress.phase(0, 30, 100));
    return importTensorflowFromBytes(bytes, path, warnings, progress.phase(30, 70, 100),
                                     inputShape);
}

}  // namespace qf

// TensorFlow frozen GraphDefs: the two real ResNet-20 files against the ONNX model and OpenCV's
// readNetFromTensorflow on the CIFAR-10 eval images; small generated graphs (SAME padding with
// stride 2 on even and odd sizes, depthwise multipliers, NCHW data_format) against a direct
// NHWC reference written here; bad files.
#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>

#include <QtTest>
#include <cmath>
#include <fstream>
#include <functional>

#include "calibration/calibrator.h"
#include "evaluate/int8_comparison.h"
#include "formats/model_io.h"
#include "formats/tensorflow/tf_exporter.h"
#include "formats/tensorflow/tf_importer.h"
#include "formats/tensorflow/tf_quantized_weights.h"
#include "formats/tensorflow/tf_tensor.h"
#include "images/image_folder.h"
#include "images/preprocessing.h"
#include "opencv_reference.h"
#include "passes/fold_batchnorm.h"
#include "runtime/executor.h"
#include "test_support.h"
#include "tf_graph.pb.h"
#include "tf_graph_builder.h"

using qftest::addConst;
using qftest::addNode;
using qftest::addPlaceholder;
using qftest::ramp;
using qftest::setInts;
using qftest::setString;
using qftest::writeGraph;

namespace {

int argmax(const std::vector<float>& values) {
    return static_cast<int>(std::max_element(values.begin(), values.end()) - values.begin());
}

double maxAbsDiff(const std::vector<float>& a, const std::vector<float>& b) {
    if (a.size() != b.size()) return 1e30;
    double worst = 0.0;
    for (size_t k = 0; k < a.size(); ++k)
        worst = std::max(worst, std::abs(static_cast<double>(a[k]) - b[k]));
    return worst;
}

// OpenCV drops Identity nodes (the files' outputs): ask for its last layer's output instead.
qf::Tensor runOpenCvLast(cv::dnn::Net& net, const qf::Tensor& input) {
    net.setInput(qftest::toMat(input));
    return qftest::fromMat(net.forward());
}

// Attribute maps in key order, so equal messages give equal bytes.
std::string deterministicBytes(const google::protobuf::Message& message) {
    std::string bytes;
    {
        google::protobuf::io::StringOutputStream stream(&bytes);
        google::protobuf::io::CodedOutputStream coded(&stream);
        coded.SetSerializationDeterministic(true);
        message.SerializeToCodedStream(&coded);
    }
    return bytes;
}

// --- a direct NHWC reference: TensorFlow's convolution by its definition

struct ConvSpec {
    int64_t stride = 1;
    std::string padding = "SAME";
    std::vector<int64_t> explicitPads;  // top, bottom, left, right for EXPLICIT
    bool depthwise = false;
};

// x [N,H,W,C], filter [kh,kw,C,O] (depthwise: [kh,kw,C,m]); output [N,OH,OW,O or C*m].
qf::Tensor referenceConv(const qf::Tensor& x, const qf::Tensor& w, const ConvSpec& spec) {
    const int64_t n = x.shape[0], h = x.shape[1], wd = x.shape[2], c = x.shape[3];
    const int64_t kh = w.shape[0], kw = w.shape[1], last = w.shape[3];
    const int64_t s = spec.stride;
    int64_t oh = 0, ow = 0, top = 0, left = 0;
    if (spec.padding == "SAME") {
        oh = (h + s - 1) / s;
        ow = (wd + s - 1) / s;
        top = std::max<int64_t>((oh - 1) * s + kh - h, 0) / 2;
        left = std::max<int64_t>((ow - 1) * s + kw - wd, 0) / 2;
    } else if (spec.padding == "VALID") {
        oh = (h - kh) / s + 1;
        ow = (wd - kw) / s + 1;
    } else {
        const auto& p = spec.explicitPads;
        top = p[0];
        left = p[2];
        oh = (h + p[0] + p[1] - kh) / s + 1;
        ow = (wd + p[2] + p[3] - kw) / s + 1;
    }
    const int64_t outC = spec.depthwise ? c * last : last;
    qf::Tensor y = qf::Tensor::floats({n, oh, ow, outC});
    for (int64_t b = 0; b < n; ++b)
        for (int64_t oy = 0; oy < oh; ++oy)
            for (int64_t ox = 0; ox < ow; ++ox)
                for (int64_t o = 0; o < outC; ++o) {
                    double sum = 0.0;
                    for (int64_t ky = 0; ky < kh; ++ky)
                        for (int64_t kx = 0; kx < kw; ++kx) {
                            const int64_t iy = oy * s + ky - top, ix = ox * s + kx - left;
                            if (iy < 0 || iy >= h || ix < 0 || ix >= wd) continue;
                            const auto at = [&](int64_t ci) {
                                return x.f[((b * h + iy) * wd + ix) * c + ci];
                            };
                            if (spec.depthwise) {
                                const int64_t ci = o / last, m = o % last;
                                sum += at(ci) * w.f[((ky * kw + kx) * c + ci) * last + m];
                            } else {
                                for (int64_t ci = 0; ci < c; ++ci)
                                    sum += at(ci) * w.f[((ky * kw + kx) * c + ci) * last + o];
                            }
                        }
                    y.f[((b * oh + oy) * ow + ox) * outC + o] = static_cast<float>(sum);
                }
    return y;
}

qf::Tensor nhwcToNchw(const qf::Tensor& t) {
    const int64_t n = t.shape[0], h = t.shape[1], w = t.shape[2], c = t.shape[3];
    qf::Tensor out = qf::Tensor::floats({n, c, h, w});
    for (int64_t b = 0; b < n; ++b)
        for (int64_t y = 0; y < h; ++y)
            for (int64_t x = 0; x < w; ++x)
                for (int64_t k = 0; k < c; ++k)
                    out.f[((b * c + k) * h + y) * w + x] = t.f[((b * h + y) * w + x) * c + k];
    return out;
}

// TensorFlow's conv2d_transpose by its definition: x [1, ih, iw, ci] spread over an output of
// [1, h, w, co] through filter [kh, kw, co, ci], padded as the forward conv of that output.
// EXPLICIT padding takes `explicitTopLeft` as the forward conv's top and left padding.
qf::Tensor referenceConvTranspose(const qf::Tensor& x, const qf::Tensor& f, int64_t h, int64_t w,
                                  int64_t s, const std::string& padding,
                                  std::pair<int64_t, int64_t> explicitTopLeft = {0, 0}) {
    const int64_t ih = x.shape[1], iw = x.shape[2], ci = x.shape[3];
    const int64_t kh = f.shape[0], kw = f.shape[1], co = f.shape[2];
    const bool same = padding == "SAME";
    const int64_t top = same                    ? std::max<int64_t>((ih - 1) * s + kh - h, 0) / 2
                        : padding == "EXPLICIT" ? explicitTopLeft.first
                                                : 0;
    const int64_t left = same                    ? std::max<int64_t>((iw - 1) * s + kw - w, 0) / 2
                         : padding == "EXPLICIT" ? explicitTopLeft.second
                                                 : 0;
    qf::Tensor y = qf::Tensor::floats({1, h, w, co});
    for (int64_t iy = 0; iy < ih; ++iy)
        for (int64_t ix = 0; ix < iw; ++ix)
            for (int64_t ky = 0; ky < kh; ++ky)
                for (int64_t kx = 0; kx < kw; ++kx) {
                    const int64_t oy = iy * s + ky - top, ox = ix * s + kx - left;
                    if (oy < 0 || oy >= h || ox < 0 || ox >= w) continue;
                    for (int64_t o = 0; o < co; ++o)
                        for (int64_t c = 0; c < ci; ++c)
                            y.f[(oy * w + ox) * co + o] += x.f[(iy * iw + ix) * ci + c] *
                                                           f.f[((ky * kw + kx) * co + o) * ci + c];
                }
    return y;
}

// (y - mean) * gamma / sqrt(var + eps) + beta over the last (channel) axis.
qf::Tensor referenceBatchNorm(qf::Tensor y, const std::vector<float>& mean,
                              const std::vector<float>& var, const std::vector<float>& gamma,
                              const std::vector<float>& beta, float eps) {
    const size_t c = mean.size();
    for (size_t k = 0; k < y.f.size(); ++k) {
        const size_t ch = k % c;
        y.f[k] = (y.f[k] - mean[ch]) * gamma[ch] / std::sqrt(var[ch] + eps) + beta[ch];
    }
    return y;
}

// One Conv2D (or DepthwiseConv2dNative) graph: input -> conv -> output (Identity).
qf_tf::GraphDef convGraph(const qf::Shape& inputShape, const qf::Tensor& filter,
                          const ConvSpec& spec) {
    qf_tf::GraphDef def;
    addPlaceholder(def, "input", inputShape);
    addConst(def, "filter", filter);
    auto& conv = addNode(def, "conv", spec.depthwise ? "DepthwiseConv2dNative" : "Conv2D",
                         {"input", "filter"});
    setInts(conv, "strides", {1, spec.stride, spec.stride, 1});
    setString(conv, "padding", spec.padding);
    setString(conv, "data_format", "NHWC");
    if (spec.padding == "EXPLICIT") {
        const auto& p = spec.explicitPads;
        setInts(conv, "explicit_paddings", {0, 0, p[0], p[1], p[2], p[3], 0, 0});
    }
    addNode(def, "output", "Identity", {"conv"});
    return def;
}

// TensorFlow's resize kernels by their definition (resize_bilinear_op.cc,
// resize_nearest_neighbor_op.cc): x [N,H,W,C] -> [N,outH,outW,C].
qf::Tensor referenceResize(const qf::Tensor& x, int64_t outH, int64_t outW, bool bilinear,
                           bool alignCorners, bool halfPixel) {
    const int64_t n = x.shape[0], h = x.shape[1], w = x.shape[2], c = x.shape[3];
    const auto scaleOf = [&](int64_t in, int64_t out) {
        return alignCorners && out > 1 ? static_cast<float>(in - 1) / static_cast<float>(out - 1)
                                       : static_cast<float>(in) / static_cast<float>(out);
    };
    const float sy = scaleOf(h, outH), sx = scaleOf(w, outW);
    qf::Tensor y = qf::Tensor::floats({n, outH, outW, c});
    const auto at = [&](int64_t b, int64_t yy, int64_t xx, int64_t k) {
        return x.f[static_cast<size_t>(((b * h + yy) * w + xx) * c + k)];
    };
    for (int64_t b = 0; b < n; ++b)
        for (int64_t oy = 0; oy < outH; ++oy)
            for (int64_t ox = 0; ox < outW; ++ox)
                for (int64_t k = 0; k < c; ++k) {
                    float v = 0.0f;
                    if (bilinear) {
                        const float iy = halfPixel ? (oy + 0.5f) * sy - 0.5f : oy * sy;
                        const float ix = halfPixel ? (ox + 0.5f) * sx - 0.5f : ox * sx;
                        const auto y0 = std::max<int64_t>(static_cast<int64_t>(std::floor(iy)), 0);
                        const auto y1 =
                            std::min<int64_t>(static_cast<int64_t>(std::ceil(iy)), h - 1);
                        const auto x0 = std::max<int64_t>(static_cast<int64_t>(std::floor(ix)), 0);
                        const auto x1 =
                            std::min<int64_t>(static_cast<int64_t>(std::ceil(ix)), w - 1);
                        const float ly = iy - std::floor(iy), lx = ix - std::floor(ix);
                        const float top =
                            at(b, y0, x0, k) + (at(b, y0, x1, k) - at(b, y0, x0, k)) * lx;
                        const float bottom =
                            at(b, y1, x0, k) + (at(b, y1, x1, k) - at(b, y1, x0, k)) * lx;
                        v = top + (bottom - top) * ly;
                    } else {
                        const auto index = [&](int64_t o, float s, int64_t in) {
                            const float coordinate = halfPixel ? (o + 0.5f) * s : o * s;
                            int64_t i = std::min<int64_t>(
                                static_cast<int64_t>(alignCorners ? std::round(coordinate)
                                                                  : std::floor(coordinate)),
                                in - 1);
                            return halfPixel ? std::max<int64_t>(i, 0) : i;
                        };
                        v = at(b, index(oy, sy, h), index(ox, sx, w), k);
                    }
                    y.f[static_cast<size_t>(((b * outH + oy) * outW + ox) * c + k)] = v;
                }
    return y;
}

}  // namespace

class TestTensorflowFormat : public QObject {
    Q_OBJECT

private slots:
    void resnet20MatchesOnnxAndOpenCv_data() {
        QTest::addColumn<QString>("model");
        QTest::newRow("fused-batchnorm") << "cifar10/resnet20/resnet20_cifar10_frozen.pb";
        QTest::newRow("mul-add") << "cifar10/resnet20/resnet20_cifar10_frozen_muladd.pb";
    }

    // Both files give the ONNX model's logits and its 1627/2000; folding (FusedBatchNormV3, or
    // the decomposed Mul/Add) leaves no affine node after a conv and changes nothing.
    void resnet20MatchesOnnxAndOpenCv() {
        QFETCH(QString, model);
        QF_SHARED(modelPath, model.toStdString());
        QF_SHARED(onnxPath, "cifar10/resnet20/resnet20_cifar10.onnx");
        QF_SHARED(evalDir, "cifar10/images/eval");
        qf::Diagnostics warnings;
        const qf::Graph graph = qf::loadModel(modelPath, "", &warnings);
        QVERIFY(warnings.empty());
        QCOMPARE(graph.inputs.size(), size_t{1});
        QCOMPARE(graph.inputs[0].shape, (qf::Shape{1, 3, 32, 32}));
        QCOMPARE(graph.outputs.size(), size_t{1});
        QCOMPARE(graph.outputs[0].name, std::string("logits"));

        qf::Graph folded = graph;
        const qf::FoldReport report = qf::foldBatchNorm(folded);
        QVERIFY(report.skipped.empty());
        // 19 BatchNorms (one node each, or a Scale + Bias pair); the classifier's BiasAdd is
        // its MatMul's bias already, no fold of its own.
        QCOMPARE(report.folded.size(), static_cast<size_t>(model.contains("muladd") ? 38 : 19));
        const auto ops = graph.opCounts();
        QCOMPARE(ops.count("Bias") ? ops.at("Bias") : 0, model.contains("muladd") ? 19 : 0);
        for (const auto& node : folded.nodes) QVERIFY2(!qf::isAffineOp(node.op), node.name.c_str());

        // The folded graph written back: Conv2D (+ BiasAdd) only, read by us and by OpenCV.
        QTemporaryDir dir;
        const std::string foldedPath = dir.path().toStdString() + "/folded.pb";
        qf::saveModel(folded, foldedPath, "", {modelPath});
        const qf::Graph reloaded = qf::loadModel(foldedPath);
        const auto reloadedOps = reloaded.opCounts();
        QCOMPARE(reloadedOps.count("BatchNormalization") + reloadedOps.count("Scale"), size_t{0});
        // The folded biases, written as BiasAdds, read back as the layers' biases: nothing is
        // left to fold, and the file has one BiasAdd per conv and the classifier's.
        QCOMPARE(reloadedOps.count("Bias"), size_t{0});
        qf::Graph refolded = reloaded;
        QCOMPARE(qf::foldBatchNorm(refolded).folded.size(), size_t{0});
        {
            qf_tf::GraphDef written;
            std::ifstream file(foldedPath, std::ios::binary);
            QVERIFY(written.ParseFromIstream(&file));
            int biasAdds = 0;
            for (const auto& node : written.node()) biasAdds += node.op() == "BiasAdd";
            QCOMPARE(biasAdds, 20);
        }
        cv::dnn::Net foldedNet = cv::dnn::readNetFromTensorflow(foldedPath);
        foldedNet.setPreferableBackend(cv::dnn::DNN_BACKEND_OPENCV);

        // Eight-bit weights (quint8 Const + min/max + Dequantize MIN_FIRST) of the folded graph.
        const std::string quantizedPath = dir.path().toStdString() + "/quantized.pb";
        qf::exportTensorflowQuantizedWeights(graph, quantizedPath);
        const auto quantizedSize = QFileInfo(QString::fromStdString(quantizedPath)).size();
        const auto floatSize = QFileInfo(QString::fromStdString(modelPath)).size();
        qInfo("quantized weights: %lld bytes, %.1f %% of the float file",
              static_cast<long long>(quantizedSize), 100.0 * quantizedSize / floatSize);
        QVERIFY(quantizedSize <= floatSize * 3 / 10);
        const qf::Graph quantized = qf::loadModel(quantizedPath);
        const qf::Executor oursQuantized(quantized);
        cv::dnn::Net quantizedNet = cv::dnn::readNetFromTensorflow(quantizedPath);
        quantizedNet.setPreferableBackend(cv::dnn::DNN_BACKEND_OPENCV);

        const qf::Graph onnx = qf::loadModel(onnxPath);
        const qf::Executor ours(graph), oursFolded(folded), oursReloaded(reloaded), reference(onnx);
        cv::dnn::Net net = cv::dnn::readNetFromTensorflow(modelPath);
        net.setPreferableBackend(cv::dnn::DNN_BACKEND_OPENCV);
        const qf::ImageFolder folder = qf::openImageFolder(evalDir);
        QCOMPARE(folder.images.size(), size_t{2000});
        int hits = 0, foldedHits = 0, quantizedAgree = 0, openCvQuantizedAgree = 0;
        double worstQuantizedVsOpenCv = 0.0;
        double worstOnnx = 0.0, worstOpenCv = 0.0, worstFolded = 0.0, worstReloaded = 0.0,
               worstFoldedOpenCv = 0.0;
        for (const auto& image : folder.images) {
            const qf::Tensor x = qf::loadImageTensor(
                image.path,
                qftest::preprocessing(32, 32, 1.0f / 255, {0.485f, 0.456f, 0.406f},
                                      {0.229f, 0.224f, 0.225f}),
                3);
            const qf::Tensor logits = ours.run({{"input", x}}).at("logits");
            const qf::Tensor logitsFolded = oursFolded.run({{"input", x}}).at("logits");
            const qf::Tensor expected =
                reference.run({{onnx.inputs[0].name, x}}).at(onnx.outputs[0].name);
            const qf::Tensor openCv = runOpenCvLast(net, x);
            QCOMPARE(logits.numel(), int64_t{10});
            worstOnnx = std::max(worstOnnx, maxAbsDiff(logits.f, expected.f));
            worstOpenCv = std::max(worstOpenCv, maxAbsDiff(logits.f, openCv.f));
            worstFolded = std::max(worstFolded, maxAbsDiff(logitsFolded.f, logits.f));
            const qf::Tensor logitsReloaded = oursReloaded.run({{"input", x}}).at("logits");
            worstReloaded = std::max(worstReloaded, maxAbsDiff(logitsReloaded.f, logitsFolded.f));
            const qf::Tensor foldedOpenCv = runOpenCvLast(foldedNet, x);
            worstFoldedOpenCv = std::max(
                worstFoldedOpenCv, qftest::normRelativeDifference(foldedOpenCv.f, logitsFolded.f));
            const qf::Tensor logitsQuantized = oursQuantized.run({{"input", x}}).at("logits");
            const qf::Tensor openCvQuantized = runOpenCvLast(quantizedNet, x);
            quantizedAgree += argmax(logitsQuantized.f) == argmax(logits.f);
            openCvQuantizedAgree += argmax(openCvQuantized.f) == argmax(logits.f);
            worstQuantizedVsOpenCv =
                std::max(worstQuantizedVsOpenCv,
                         qftest::normRelativeDifference(openCvQuantized.f, logitsQuantized.f));
            hits += argmax(logits.f) == image.label;
            foldedHits += argmax(logitsFolded.f) == image.label;
        }
        qInfo(
            "top-1 %d/2000 (folded %d), max |delta| vs ONNX %g, vs OpenCV %g, folded %g, "
            "written and read back %g; OpenCV on the folded file: relative %g",
            hits, foldedHits, worstOnnx, worstOpenCv, worstFolded, worstReloaded,
            worstFoldedOpenCv);
        QCOMPARE(hits, 1627);
        QCOMPARE(foldedHits, 1627);
        QVERIFY(worstOnnx < 1e-4);
        QVERIFY(worstOpenCv < 1e-4);
        QVERIFY(worstFolded < 1e-4);
        qInfo(
            "quantized weights: top-1 agreement with FP32 %d/2000 (OpenCV on the same file "
            "%d/2000), relative difference to OpenCV %g",
            quantizedAgree, openCvQuantizedAgree, worstQuantizedVsOpenCv);
        QVERIFY(quantizedAgree >= 1980);
        QVERIFY(openCvQuantizedAgree >= 1980);
        QCOMPARE(worstReloaded, 0.0);  // the same weights, bit for bit
        QVERIFY(worstFoldedOpenCv < 1e-4);
    }

    // int8 (fold, KL calibration on 1000 images, per-channel weights) on the TensorFlow files
    // agrees with FP32 as often as on the ONNX file, within 0.3 points.
    void int8AgreementMatchesOnnx() {
        QF_SHARED(onnxPath, "cifar10/resnet20/resnet20_cifar10.onnx");
        QF_SHARED(fusedPath, "cifar10/resnet20/resnet20_cifar10_frozen.pb");
        QF_SHARED(mulAddPath, "cifar10/resnet20/resnet20_cifar10_frozen_muladd.pb");
        QF_SHARED(calibDir, "cifar10/images/calib");
        QF_SHARED(evalDir, "cifar10/images/eval");
        const qf::Preprocessing pre = qftest::preprocessing(
            32, 32, 1.0f / 255, {0.485f, 0.456f, 0.406f}, {0.229f, 0.224f, 0.225f});
        const auto agreement = [&](const std::string& path) {
            qf::Graph graph = qf::loadModel(path);
            qf::foldBatchNorm(graph);
            qf::CalibrationOptions calibration;
            calibration.pre = pre;
            calibration.method = qf::ThresholdMethod::Kl;
            const qf::CalibrationTable table =
                qf::calibrate(graph, qf::openImageFolder(calibDir), calibration);
            qf::ComparisonOptions options;
            options.pre = pre;
            options.perLayer = false;
            const auto report = qf::compareInt8(graph, table, qf::Int8Options{},
                                                qf::openImageFolder(evalDir), options);
            qInfo("%s: int8 top-1 %.2f %%, agreement with FP32 %.2f %%", path.c_str(),
                  100 * report.int8.top1Rate(), 100 * report.top1Agreement());
            return report.top1Agreement();
        };
        const double onnx = agreement(onnxPath);
        QVERIFY(std::abs(agreement(fusedPath) - onnx) <= 0.003 + 1e-12);
        QVERIFY(std::abs(agreement(mulAddPath) - onnx) <= 0.003 + 1e-12);
    }

    // Read -> write -> read: every node (attributes, device, unknown fields) and every weight
    // byte as it was, and the GraphDef's own fields too.
    void roundTripKeepsNodesAndBytes() {
        QF_SHARED(modelPath, "cifar10/resnet20/resnet20_cifar10_frozen_muladd.pb");
        std::ifstream in(modelPath, std::ios::binary);
        std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        qf_tf::GraphDef original;
        QVERIFY(original.ParseFromString(bytes));
        // Fields this schema does not know: NodeDef field 6 and GraphDef field 5, both as
        // length-delimited payloads (TensorFlow's experimental_debug_info and debug_info).
        std::string node0 = original.node(0).SerializeAsString() + std::string(
                                                                       "\x32\x03"
                                                                       "abc",
                                                                       5);
        QVERIFY(original.mutable_node(0)->ParseFromString(node0));
        bytes = original.SerializeAsString() + std::string(
                                                   "\x2a\x02"
                                                   "xy",
                                                   4);
        QVERIFY(original.ParseFromString(bytes));
        const qf::Graph graph = qf::importTensorflowFromBytes(bytes, "muladd.pb");
        qf_tf::GraphDef written;
        QVERIFY(written.ParseFromString(qf::tensorflowGraphBytes(graph)));
        QCOMPARE(written.node_size(), original.node_size());
        std::map<std::string, std::string> before, after;
        for (const auto& node : original.node()) before[node.name()] = deterministicBytes(node);
        for (const auto& node : written.node()) after[node.name()] = deterministicBytes(node);
        for (const auto& [name, text] : before)
            QVERIFY2(after.count(name) && after.at(name) == text, name.c_str());
        QVERIFY(after.at(original.node(0).name()).find("abc") != std::string::npos);
        written.clear_node();
        original.clear_node();
        QCOMPARE(deterministicBytes(written), deterministicBytes(original));
        QVERIFY(written.SerializeAsString().find("xy") != std::string::npos);
    }

    void convolutionMatchesDirectReference_data() {
        QTest::addColumn<int>("height");
        QTest::addColumn<int>("width");
        QTest::addColumn<int>("stride");
        QTest::addColumn<QString>("padding");
        QTest::addColumn<bool>("depthwise");
        QTest::addColumn<int>("last");  // output channels, or the depthwise multiplier
        QTest::newRow("same-s2-even") << 6 << 6 << 2 << "SAME" << false << 4;
        QTest::newRow("same-s2-odd") << 7 << 7 << 2 << "SAME" << false << 4;
        QTest::newRow("same-s2-mixed") << 6 << 9 << 2 << "SAME" << false << 2;
        QTest::newRow("same-s1") << 5 << 5 << 1 << "SAME" << false << 3;
        QTest::newRow("valid-s2") << 7 << 8 << 2 << "VALID" << false << 3;
        QTest::newRow("explicit") << 5 << 6 << 1 << "EXPLICIT" << false << 2;
        QTest::newRow("depthwise-m2-s2-even") << 8 << 8 << 2 << "SAME" << true << 2;
        QTest::newRow("depthwise-m3-s1-odd") << 7 << 5 << 1 << "SAME" << true << 3;
    }

    void convolutionMatchesDirectReference() {
        QFETCH(int, height);
        QFETCH(int, width);
        QFETCH(int, stride);
        QFETCH(QString, padding);
        QFETCH(bool, depthwise);
        QFETCH(int, last);
        const int64_t channels = 3;
        ConvSpec spec;
        spec.stride = stride;
        spec.padding = padding.toStdString();
        spec.explicitPads = {1, 0, 2, 1};
        spec.depthwise = depthwise;
        const qf::Tensor filter = ramp({3, 3, channels, last}, 0.05f, 0.01f);
        const qf::Tensor x = ramp({1, height, width, channels}, 0.1f, 0.3f);
        QTemporaryDir dir;
        const std::string path =
            writeGraph(convGraph({1, height, width, channels}, filter, spec), dir, "conv.pb");
        qf::Diagnostics warnings;
        const qf::Graph graph = qf::loadModel(path, "", &warnings);
        QVERIFY(warnings.empty());
        QCOMPARE(graph.inputs[0].shape, (qf::Shape{1, channels, height, width}));
        const qf::Tensor expected = referenceConv(x, filter, spec);
        // Our output keeps TensorFlow's NHWC.
        const qf::Tensor y = qf::Executor(graph).run({{"input", nhwcToNchw(x)}}).at("output");
        QCOMPARE(y.shape, expected.shape);
        QVERIFY2(maxAbsDiff(y.f, expected.f) < 1e-5,
                 std::to_string(maxAbsDiff(y.f, expected.f)).c_str());
        // OpenCV (NCHW in and out) as a second opinion where it reads the padding mode.
        if (spec.padding != "EXPLICIT") {
            cv::dnn::Net net = cv::dnn::readNetFromTensorflow(path);
            net.setPreferableBackend(cv::dnn::DNN_BACKEND_OPENCV);
            const qf::Tensor theirs = runOpenCvLast(net, nhwcToNchw(x));
            QVERIFY2(maxAbsDiff(theirs.f, nhwcToNchw(expected).f) < 1e-5,
                     std::to_string(maxAbsDiff(theirs.f, nhwcToNchw(expected).f)).c_str());
        }
    }

    void transposedConvolutionMatchesDirectReference_data() {
        QTest::addColumn<int>("outH");
        QTest::addColumn<int>("outW");
        QTest::addColumn<QString>("padding");
        QTest::newRow("same-even") << 8 << 8 << "SAME";
        QTest::newRow("same-odd") << 7 << 7 << "SAME";
        QTest::newRow("same-mixed") << 8 << 7 << "SAME";
        QTest::newRow("valid") << 9 << 9 << "VALID";
        QTest::newRow("valid-remainder") << 10 << 9 << "VALID";
        // Pads top 1, bottom 1 (the stride leaves one row at the end), left 0, right 2.
        QTest::newRow("explicit") << 8 << 7 << "EXPLICIT";
    }

    // Conv2DBackpropInput, stride 2, from a 4x4 input.
    void transposedConvolutionMatchesDirectReference() {
        QFETCH(int, outH);
        QFETCH(int, outW);
        QFETCH(QString, padding);
        const qf::Tensor filter = ramp({3, 3, 2, 3}, 0.05f, 0.02f);  // [kh, kw, out_c, in_c]
        const qf::Tensor x = ramp({1, 4, 4, 3}, 0.1f, 0.1f);
        qf_tf::GraphDef def;
        addPlaceholder(def, "input", {1, 4, 4, 3});
        addConst(def, "sizes", qf::Tensor::ints({4}, {1, outH, outW, 2}, qf::DataType::Int32));
        addConst(def, "filter", filter);
        auto& deconv = addNode(def, "deconv", "Conv2DBackpropInput", {"sizes", "filter", "input"});
        setInts(deconv, "strides", {1, 2, 2, 1});
        setString(deconv, "padding", padding.toStdString());
        if (padding == "EXPLICIT") setInts(deconv, "explicit_paddings", {0, 0, 1, 1, 0, 2, 0, 0});
        addNode(def, "output", "Identity", {"deconv"});
        QTemporaryDir dir;
        qf::Diagnostics warnings;
        const qf::Graph graph = qf::loadModel(writeGraph(def, dir, "deconv.pb"), "", &warnings);
        QVERIFY(warnings.empty());
        const qf::Tensor expected =
            referenceConvTranspose(x, filter, outH, outW, 2, padding.toStdString(), {1, 0});
        const qf::Tensor y = qf::Executor(graph).run({{"input", nhwcToNchw(x)}}).at("output");
        QCOMPARE(y.shape, expected.shape);
        QVERIFY2(maxAbsDiff(y.f, expected.f) < 1e-5,
                 std::to_string(maxAbsDiff(y.f, expected.f)).c_str());
    }

    void batchNormSubgraphsFoldIntoTheConv_data() {
        QTest::addColumn<QString>("form");
        QTest::newRow("rsqrt-subgraph") << "rsqrt";
        QTest::newRow("global-normalization") << "global";
    }

    // tf.nn.batch_normalization's Rsqrt subgraph of constants and the older
    // BatchNormWithGlobalNormalization: computed as TensorFlow does, folded into the conv, and
    // the folded graph written back computes the same.
    void batchNormSubgraphsFoldIntoTheConv() {
        QFETCH(QString, form);
        const std::vector<float> mean{0.1f, -0.2f, 0.3f}, var{0.5f, 2.0f, 0.05f},
            gamma{1.5f, -0.5f, 0.8f}, beta{0.0f, 0.25f, -1.0f};
        const float eps = 1e-3f;
        const qf::Tensor filter = ramp({3, 3, 2, 3}, 0.05f, 0.01f);
        const qf::Tensor x = ramp({1, 5, 6, 2}, 0.1f, 0.3f);
        qf_tf::GraphDef def;
        addPlaceholder(def, "input", {1, 5, 6, 2});
        addConst(def, "filter", filter);
        auto& conv = addNode(def, "conv", "Conv2D", {"input", "filter"});
        setInts(conv, "strides", {1, 1, 1, 1});
        setString(conv, "padding", "SAME");
        addConst(def, "mean", qf::Tensor::floats({3}, mean));
        addConst(def, "var", qf::Tensor::floats({3}, var));
        addConst(def, "gamma", qf::Tensor::floats({3}, gamma));
        addConst(def, "beta", qf::Tensor::floats({3}, beta));
        if (form == "rsqrt") {
            addConst(def, "eps", qf::Tensor::floats({}, {eps}));
            addNode(def, "bn/add", "AddV2", {"var", "eps"});
            addNode(def, "bn/Rsqrt", "Rsqrt", {"bn/add"});
            addNode(def, "bn/mul", "Mul", {"bn/Rsqrt", "gamma"});
            addNode(def, "bn/mul_1", "Mul", {"conv", "bn/mul"});
            addNode(def, "bn/mul_2", "Mul", {"mean", "bn/mul"});
            addNode(def, "bn/sub", "Sub", {"beta", "bn/mul_2"});
            addNode(def, "bn/add_1", "AddV2", {"bn/mul_1", "bn/sub"});
        } else {
            auto& bn = addNode(def, "bn/add_1", "BatchNormWithGlobalNormalization",
                               {"conv", "mean", "var", "beta", "gamma"});
            (*bn.mutable_attr())["variance_epsilon"].set_f(eps);
            (*bn.mutable_attr())["scale_after_normalization"].set_b(true);
        }
        addNode(def, "output", "Identity", {"bn/add_1"});
        QTemporaryDir dir;
        qf::Diagnostics warnings;
        const qf::Graph graph = qf::loadModel(writeGraph(def, dir, "bn.pb"), "", &warnings);
        QVERIFY(warnings.empty());
        ConvSpec spec;
        const qf::Tensor expected =
            referenceBatchNorm(referenceConv(x, filter, spec), mean, var, gamma, beta, eps);
        const auto run = [&](const qf::Graph& g) {
            return qf::Executor(g).run({{"input", nhwcToNchw(x)}}).at("output");
        };
        QVERIFY(maxAbsDiff(run(graph).f, expected.f) < 1e-5);
        qf::Graph folded = graph;
        const auto report = qf::foldBatchNorm(folded);
        QVERIFY(report.skipped.empty());
        QCOMPARE(report.folded.size(), size_t{form == "rsqrt" ? 2u : 1u});  // Scale + Bias, or BN
        for (const auto& node : folded.nodes) QVERIFY2(!qf::isAffineOp(node.op), node.name.c_str());
        QVERIFY(maxAbsDiff(run(folded).f, expected.f) < 1e-5);
        const std::string foldedPath = dir.path().toStdString() + "/folded.pb";
        qf::saveModel(folded, foldedPath, "");
        QVERIFY(maxAbsDiff(run(qf::loadModel(foldedPath)).f, expected.f) < 1e-5);
    }

    // data_format NCHW: the Placeholder and the conv stay channels-first, no transposes.
    void nchwDataFormat() {
        const qf::Tensor filter = ramp({3, 3, 2, 3}, 0.05f, 0.0f);
        const qf::Tensor x = ramp({1, 7, 6, 2}, 0.1f, 0.2f);
        qf_tf::GraphDef def;
        addPlaceholder(def, "input", {1, 2, 7, 6});
        addConst(def, "filter", filter);
        auto& conv = addNode(def, "conv", "Conv2D", {"input", "filter"});
        setInts(conv, "strides", {1, 1, 2, 2});
        setString(conv, "padding", "SAME");
        setString(conv, "data_format", "NCHW");
        addConst(def, "bias", qf::Tensor::floats({3}, {0.5f, -1.0f, 2.0f}));
        auto& biasAdd = addNode(def, "output", "BiasAdd", {"conv", "bias"});
        setString(biasAdd, "data_format", "NCHW");
        QTemporaryDir dir;
        const qf::Graph graph = qf::loadModel(writeGraph(def, dir, "nchw.pb"));
        QCOMPARE(graph.inputs[0].shape, (qf::Shape{1, 2, 7, 6}));
        QCOMPARE(graph.opCounts().count("Transpose"), size_t{0});
        ConvSpec spec;
        spec.stride = 2;
        qf::Tensor expected = nhwcToNchw(referenceConv(x, filter, spec));
        const int64_t plane = expected.shape[2] * expected.shape[3];
        for (int64_t k = 0; k < expected.numel(); ++k)
            expected.f[k] += std::vector<float>{0.5f, -1.0f, 2.0f}[(k / plane) % 3];
        const qf::Tensor y = qf::Executor(graph).run({{"input", nhwcToNchw(x)}}).at("output");
        QCOMPARE(y.shape, expected.shape);
        QVERIFY(maxAbsDiff(y.f, expected.f) < 1e-5);
    }

    // Pooling with SAME padding: the padding never wins a max and never counts in an average.
    // Then Reshape to [1, N] flattens in NHWC order, as TensorFlow does.
    void poolingAndLayoutDependentOps() {
        qf_tf::GraphDef def;
        addPlaceholder(def, "input", {1, 3, 3, 2});
        auto& maxPool = addNode(def, "max", "MaxPool", {"input"});
        setInts(maxPool, "ksize", {1, 2, 2, 1});
        setInts(maxPool, "strides", {1, 2, 2, 1});
        setString(maxPool, "padding", "SAME");
        auto& avgPool = addNode(def, "avg", "AvgPool", {"input"});
        setInts(avgPool, "ksize", {1, 2, 2, 1});
        setInts(avgPool, "strides", {1, 2, 2, 1});
        setString(avgPool, "padding", "SAME");
        addConst(def, "shape", qf::Tensor::ints({2}, {1, -1}, qf::DataType::Int32));
        addNode(def, "max_flat", "Reshape", {"max", "shape"});
        addNode(def, "avg_flat", "Reshape", {"avg", "shape"});
        QTemporaryDir dir;
        const qf::Graph graph = qf::loadModel(writeGraph(def, dir, "pool.pb"));
        // NHWC input: channel 0 all -1, channel 1 the values 1..9.
        qf::Tensor x = qf::Tensor::floats({1, 3, 3, 2});
        for (int k = 0; k < 9; ++k) {
            x.f[2 * k] = -1.0f;
            x.f[2 * k + 1] = static_cast<float>(k + 1);
        }
        const auto outputs = qf::Executor(graph).run({{"input", nhwcToNchw(x)}});
        // Windows (NHWC order of the 2x2 output, channel innermost): {1,2,4,5} {3,6} {7,8} {9}.
        QCOMPARE(outputs.at("max_flat").f, (std::vector<float>{-1, 5, -1, 6, -1, 8, -1, 9}));
        QCOMPARE(outputs.at("avg_flat").f, (std::vector<float>{-1, 3, -1, 4.5f, -1, 7.5f, -1, 9}));
    }

    // Ops whose meaning depends on the layout, each checked in TensorFlow's NHWC order against
    // values computed here from the NHWC input: Relu6, ConcatV2 on the channel axis, Softmax
    // (last axis), Transpose, Mean with keep_dims, Squeeze, and a per-channel Sub.
    void layoutSensitiveOpsMatchHandComputedValues() {
        const int64_t h = 2, w = 3, c = 4;
        qf_tf::GraphDef def;
        addPlaceholder(def, "input", {1, h, w, c});
        addConst(def, "ten", qf::Tensor::floats({}, {10.0f}));
        addNode(def, "scaled", "Mul", {"input", "ten"});
        addNode(def, "relu6", "Relu6", {"scaled"});
        addConst(def, "axis", qf::Tensor::ints({}, {-1}, qf::DataType::Int32));
        auto& concat = addNode(def, "concat", "ConcatV2", {"input", "relu6", "axis"});
        (*concat.mutable_attr())["N"].set_i(2);
        addNode(def, "softmax", "Softmax", {"input"});
        addConst(def, "perm", qf::Tensor::ints({4}, {0, 3, 1, 2}, qf::DataType::Int32));
        addNode(def, "transpose", "Transpose", {"input", "perm"});
        addConst(def, "spatial", qf::Tensor::ints({2}, {1, 2}, qf::DataType::Int32));
        auto& mean = addNode(def, "mean", "Mean", {"input", "spatial"});
        (*mean.mutable_attr())["keep_dims"].set_b(true);
        auto& squeeze = addNode(def, "squeeze", "Squeeze", {"mean"});
        setInts(squeeze, "squeeze_dims", {1, 2});
        addConst(def, "offsets", qf::Tensor::floats({c}, {1.0f, 2.0f, 3.0f, 4.0f}));
        addNode(def, "sub", "Sub", {"input", "offsets"});
        addConst(def, "flat", qf::Tensor::ints({2}, {1, -1}, qf::DataType::Int32));
        for (const char* name : {"concat", "softmax", "transpose", "mean", "sub"})
            addNode(def, std::string(name) + "_flat", "Reshape", {name, "flat"});
        QTemporaryDir dir;
        qf::Diagnostics warnings;
        const qf::Graph graph = qf::loadModel(writeGraph(def, dir, "ops.pb"), "", &warnings);
        QVERIFY(warnings.empty());
        const qf::Tensor x = ramp({1, h, w, c}, 0.2f, 0.1f);  // NHWC
        const auto out = qf::Executor(graph).run({{"input", nhwcToNchw(x)}});
        const auto at = [&](int64_t y, int64_t xx, int64_t k) { return x.f[(y * w + xx) * c + k]; };
        std::vector<float> concatExpected, softmaxExpected, transposeExpected, meanExpected,
            subExpected;
        for (int64_t y = 0; y < h; ++y)
            for (int64_t xx = 0; xx < w; ++xx) {
                double sum = 0.0;
                for (int64_t k = 0; k < c; ++k) sum += std::exp(at(y, xx, k));
                for (int64_t k = 0; k < c; ++k) concatExpected.push_back(at(y, xx, k));
                for (int64_t k = 0; k < c; ++k)
                    concatExpected.push_back(std::min(std::max(10.0f * at(y, xx, k), 0.0f), 6.0f));
                for (int64_t k = 0; k < c; ++k)
                    softmaxExpected.push_back(static_cast<float>(std::exp(at(y, xx, k)) / sum));
                for (int64_t k = 0; k < c; ++k) subExpected.push_back(at(y, xx, k) - (k + 1.0f));
            }
        for (int64_t k = 0; k < c; ++k) {
            double sum = 0.0;
            for (int64_t y = 0; y < h; ++y)
                for (int64_t xx = 0; xx < w; ++xx) {
                    transposeExpected.push_back(at(y, xx, k));
                    sum += at(y, xx, k);
                }
            meanExpected.push_back(static_cast<float>(sum / (h * w)));
        }
        QVERIFY(maxAbsDiff(out.at("concat_flat").f, concatExpected) < 1e-6);
        QVERIFY(maxAbsDiff(out.at("softmax_flat").f, softmaxExpected) < 1e-6);
        QVERIFY(maxAbsDiff(out.at("transpose_flat").f, transposeExpected) < 1e-6);
        QVERIFY(maxAbsDiff(out.at("mean_flat").f, meanExpected) < 1e-6);
        QCOMPARE(out.at("squeeze").shape, (qf::Shape{1, c}));
        QVERIFY(maxAbsDiff(out.at("squeeze").f, meanExpected) < 1e-6);
        QVERIFY(maxAbsDiff(out.at("sub_flat").f, subExpected) < 1e-6);
    }

    // Elementwise ops, each against values computed here from the NHWC input: LeakyRelu,
    // Sigmoid, Tanh, RealDiv by a scalar and by a per-channel vector, Maximum and Minimum with
    // a scalar, and ExpandDims of a [1, C] mean.
    void elementwiseOpsMatchHandComputedValues() {
        const int64_t h = 2, w = 3, c = 2;
        qf_tf::GraphDef def;
        addPlaceholder(def, "input", {1, h, w, c});
        auto& leaky = addNode(def, "leaky", "LeakyRelu", {"input"});
        (*leaky.mutable_attr())["alpha"].set_f(0.25f);
        addNode(def, "sigmoid", "Sigmoid", {"input"});
        addNode(def, "tanh", "Tanh", {"input"});
        addConst(def, "four", qf::Tensor::floats({}, {4.0f}));
        addNode(def, "div_scalar", "RealDiv", {"input", "four"});
        addConst(def, "divisors", qf::Tensor::floats({c}, {2.0f, -0.5f}));
        addNode(def, "div_channels", "RealDiv", {"input", "divisors"});
        addConst(def, "low", qf::Tensor::floats({}, {0.1f}));
        addNode(def, "maximum", "Maximum", {"input", "low"});
        addConst(def, "high", qf::Tensor::floats({}, {0.3f}));
        addNode(def, "minimum", "Minimum", {"high", "input"});
        addConst(def, "spatial", qf::Tensor::ints({2}, {1, 2}, qf::DataType::Int32));
        addNode(def, "mean", "Mean", {"input", "spatial"});
        addConst(def, "axis", qf::Tensor::ints({}, {1}, qf::DataType::Int32));
        addNode(def, "expanded", "ExpandDims", {"mean", "axis"});
        addConst(def, "flat", qf::Tensor::ints({2}, {1, -1}, qf::DataType::Int32));
        const std::vector<std::string> elementwise{
            "leaky", "sigmoid", "tanh", "div_scalar", "div_channels", "maximum", "minimum"};
        for (const auto& name : elementwise)
            addNode(def, name + "_flat", "Reshape", {name, "flat"});
        QTemporaryDir dir;
        qf::Diagnostics warnings;
        const qf::Graph graph =
            qf::loadModel(writeGraph(def, dir, "elementwise.pb"), "", &warnings);
        QVERIFY2(warnings.empty(), warnings.empty() ? "" : warnings[0].text().c_str());
        const qf::Tensor x = ramp({1, h, w, c}, 0.15f, 0.05f);  // NHWC, both signs
        const auto out = qf::Executor(graph).run({{"input", nhwcToNchw(x)}});
        const std::map<std::string, std::function<float(float, int64_t)>> expected{
            {"leaky", [](float v, int64_t) { return v >= 0 ? v : 0.25f * v; }},
            {"sigmoid", [](float v, int64_t) { return 1.0f / (1.0f + std::exp(-v)); }},
            {"tanh", [](float v, int64_t) { return std::tanh(v); }},
            {"div_scalar", [](float v, int64_t) { return v / 4.0f; }},
            {"div_channels", [](float v, int64_t k) { return v / (k == 0 ? 2.0f : -0.5f); }},
            {"maximum", [](float v, int64_t) { return std::max(v, 0.1f); }},
            {"minimum", [](float v, int64_t) { return std::min(v, 0.3f); }}};
        for (const auto& [name, f] : expected) {
            std::vector<float> values;
            for (size_t k = 0; k < x.f.size(); ++k)
                values.push_back(f(x.f[k], static_cast<int64_t>(k) % c));
            QVERIFY2(maxAbsDiff(out.at(name + "_flat").f, values) < 1e-6, name.c_str());
        }
        std::vector<float> means(static_cast<size_t>(c), 0.0f);
        for (size_t k = 0; k < x.f.size(); ++k) means[k % c] += x.f[k] / (h * w);
        QCOMPARE(out.at("expanded").shape, (qf::Shape{1, 1, c}));
        QVERIFY(maxAbsDiff(out.at("expanded").f, means) < 1e-6);
    }

    // PadV2 with a constant, MirrorPad REFLECT, and VALID max and average pooling, in NHWC
    // order against values written out here; MirrorPad SYMMETRIC is loaded and reported.
    void paddingAndValidPooling() {
        qf_tf::GraphDef def;
        addPlaceholder(def, "input", {1, 3, 3, 1});
        addConst(def, "pads",
                 qf::Tensor::ints({4, 2}, {0, 0, 1, 0, 0, 2, 0, 0}, qf::DataType::Int32));
        addConst(def, "fill", qf::Tensor::floats({}, {-7.0f}));
        addNode(def, "padv2", "PadV2", {"input", "pads", "fill"});
        addConst(def, "mirror_pads",
                 qf::Tensor::ints({4, 2}, {0, 0, 1, 1, 2, 0, 0, 0}, qf::DataType::Int32));
        auto& reflect = addNode(def, "reflect", "MirrorPad", {"input", "mirror_pads"});
        setString(reflect, "mode", "REFLECT");
        auto& symmetric = addNode(def, "symmetric", "MirrorPad", {"input", "mirror_pads"});
        setString(symmetric, "mode", "SYMMETRIC");
        for (const char* op : {"MaxPool", "AvgPool"}) {
            auto& pool = addNode(def, op, op, {"input"});
            setInts(pool, "ksize", {1, 2, 2, 1});
            setInts(pool, "strides", {1, 1, 1, 1});
            setString(pool, "padding", "VALID");
        }
        addConst(def, "flat", qf::Tensor::ints({2}, {1, -1}, qf::DataType::Int32));
        for (const char* name : {"padv2", "reflect", "MaxPool", "AvgPool"})
            addNode(def, std::string(name) + "_flat", "Reshape", {name, "flat"});
        QTemporaryDir dir;
        qf::Diagnostics warnings;
        qf::Graph graph = qf::loadModel(writeGraph(def, dir, "pads.pb"), "", &warnings);
        QCOMPARE(warnings.size(), size_t{1});
        QCOMPARE(warnings[0].node, std::string("symmetric"));
        QVERIFY2(warnings[0].text().find("SYMMETRIC") != std::string::npos,
                 warnings[0].text().c_str());
        // Run the supported part: the reported node's output is nobody's input.
        graph.outputs.erase(std::remove_if(graph.outputs.begin(), graph.outputs.end(),
                                           [](const qf::ValueInfo& v) {
                                               return v.name.rfind("symmetric", 0) == 0;
                                           }),
                            graph.outputs.end());
        graph.nodes.erase(std::remove_if(graph.nodes.begin(), graph.nodes.end(),
                                         [](const qf::Node& n) { return n.name == "symmetric"; }),
                          graph.nodes.end());
        // 1 2 3 / 4 5 6 / 7 8 9
        qf::Tensor x = qf::Tensor::floats({1, 3, 3, 1});
        for (int k = 0; k < 9; ++k) x.f[k] = static_cast<float>(k + 1);
        const auto out = qf::Executor(graph).run({{"input", nhwcToNchw(x)}});
        const float f = -7.0f;
        QCOMPARE(out.at("padv2_flat").f, (std::vector<float>{f, f, f, f, f,  //
                                                             1, 2, 3, f, f,  //
                                                             4, 5, 6, f, f,  //
                                                             7, 8, 9, f, f}));
        QCOMPARE(out.at("reflect_flat").f, (std::vector<float>{6, 5, 4, 5, 6,  //
                                                               3, 2, 1, 2, 3,  //
                                                               6, 5, 4, 5, 6,  //
                                                               9, 8, 7, 8, 9,  //
                                                               6, 5, 4, 5, 6}));
        QCOMPARE(out.at("MaxPool_flat").f, (std::vector<float>{5, 6, 8, 9}));
        QCOMPARE(out.at("AvgPool_flat").f, (std::vector<float>{3, 4, 6, 7}));
    }

    // Constant StridedSlice over two axes (masks per axis, a negative stride, a shrunk axis)
    // and Pack along axis 1 and -1, evaluated at load and checked through the values they add.
    void constantSlicesAndStacksOnAnyAxis() {
        qf_tf::GraphDef def;
        addPlaceholder(def, "x", {2, 2});
        addPlaceholder(def, "y", {4});
        std::vector<float> values(12);
        for (int k = 0; k < 12; ++k) values[k] = static_cast<float>(k);
        addConst(def, "c", qf::Tensor::floats({3, 4}, values));  // rows 0..3, 4..7, 8..11
        const auto ints = [](std::vector<int64_t> v) {
            return qf::Tensor::ints({static_cast<int64_t>(v.size())}, v, qf::DataType::Int32);
        };
        // c[1:3, 0:-1:2] = [[4, 6], [8, 10]]
        addConst(def, "b1", ints({1, 0}));
        addConst(def, "e1", ints({3, -1}));
        addConst(def, "s1", ints({1, 2}));
        addNode(def, "block", "StridedSlice", {"c", "b1", "e1", "s1"});
        // c[0, ::-1] = [3, 2, 1, 0]: axis 0 shrunk, axis 1's end masked.
        addConst(def, "b2", ints({0, 3}));
        addConst(def, "e2", ints({0, 0}));
        addConst(def, "s2", ints({1, -1}));
        auto& row = addNode(def, "row", "StridedSlice", {"c", "b2", "e2", "s2"});
        (*row.mutable_attr())["shrink_axis_mask"].set_i(1);
        (*row.mutable_attr())["end_mask"].set_i(2);
        addConst(def, "u", qf::Tensor::floats({2}, {1.0f, 2.0f}));
        addConst(def, "v", qf::Tensor::floats({2}, {30.0f, 40.0f}));
        for (const int axis : {1, -1}) {
            const std::string name = axis == 1 ? "stack1" : "stack_last";
            auto& pack = addNode(def, name, "Pack", {"u", "v"});
            (*pack.mutable_attr())["axis"].set_i(axis);
            (*pack.mutable_attr())["N"].set_i(2);
        }
        addNode(def, "plus_block", "AddV2", {"x", "block"});
        addNode(def, "plus_stack1", "AddV2", {"x", "stack1"});
        addNode(def, "plus_stack_last", "AddV2", {"x", "stack_last"});
        addNode(def, "plus_row", "AddV2", {"y", "row"});
        QTemporaryDir dir;
        qf::Diagnostics warnings;
        const qf::Graph graph = qf::loadModel(writeGraph(def, dir, "slices.pb"), "", &warnings);
        QVERIFY2(warnings.empty(), warnings.empty() ? "" : warnings[0].text().c_str());
        const auto out =
            qf::Executor(graph).run({{"x", qf::Tensor::floats({2, 2}, {0.5f, 0.5f, 0.5f, 0.5f})},
                                     {"y", qf::Tensor::floats({4}, {0.0f, 0.0f, 0.0f, 0.0f})}});
        QCOMPARE(out.at("plus_block").f, (std::vector<float>{4.5f, 6.5f, 8.5f, 10.5f}));
        QCOMPARE(out.at("plus_stack1").f, (std::vector<float>{1.5f, 30.5f, 2.5f, 40.5f}));
        QCOMPARE(out.at("plus_stack_last").f, out.at("plus_stack1").f);
        QCOMPARE(out.at("plus_row").f, (std::vector<float>{3, 2, 1, 0}));
    }

    // A FusedBatchNorm in training mode uses the batch's statistics, not its mean and
    // variance inputs: loaded, reported with the reason, kept out of folding.
    void trainingModeBatchNormIsReportedNotFolded() {
        qf_tf::GraphDef def;
        addPlaceholder(def, "input", {1, 4, 4, 2});
        addConst(def, "filter", ramp({1, 1, 2, 2}, 0.1f, 0.0f));
        auto& conv = addNode(def, "conv", "Conv2D", {"input", "filter"});
        setInts(conv, "strides", {1, 1, 1, 1});
        setString(conv, "padding", "VALID");
        for (const char* name : {"gamma", "beta", "mean", "variance"})
            addConst(def, name, qf::Tensor::floats({2}, {1.0f, 1.0f}));
        auto& bn =
            addNode(def, "bn", "FusedBatchNormV3", {"conv", "gamma", "beta", "mean", "variance"});
        (*bn.mutable_attr())["is_training"].set_b(true);
        QTemporaryDir dir;
        qf::Diagnostics warnings;
        qf::Graph graph = qf::loadModel(writeGraph(def, dir, "training.pb"), "", &warnings);
        QCOMPARE(warnings.size(), size_t{1});
        QCOMPARE(warnings[0].node, std::string("bn"));
        QVERIFY2(warnings[0].text().find("is_training") != std::string::npos,
                 warnings[0].text().c_str());
        const qf::FoldReport report = qf::foldBatchNorm(graph);
        QCOMPARE(report.folded.size(), size_t{0});
        QCOMPARE(graph.opCounts().count("tf.FusedBatchNormV3"), size_t{1});
    }

    // MatMul (plain and transpose_b) + BiasAdd, a version-1 FusedBatchNorm after a conv
    // (folded, outputs unchanged), a plain Pad, Sqrt of a constant as a per-channel divisor,
    // and a NoOp, against values computed here.
    void matMulBatchNormPadAndSqrt() {
        qf_tf::GraphDef def;
        addPlaceholder(def, "rows", {2, 3});
        const qf::Tensor b = ramp({3, 4}, 0.1f, 0.0f), bt = ramp({4, 3}, 0.2f, 0.1f);
        addConst(def, "b", b);
        addConst(def, "bt", bt);
        addNode(def, "mm", "MatMul", {"rows", "b"});
        auto& transposed = addNode(def, "mm_t", "MatMul", {"rows", "bt"});
        (*transposed.mutable_attr())["transpose_b"].set_b(true);
        addConst(def, "bias", qf::Tensor::floats({4}, {1.0f, -1.0f, 0.5f, 0.0f}));
        addNode(def, "mm_bias", "BiasAdd", {"mm", "bias"});
        addNode(def, "init", "NoOp");
        addPlaceholder(def, "image", {1, 3, 3, 2});
        const qf::Tensor filter = ramp({1, 1, 2, 2}, 0.3f, 0.0f);
        addConst(def, "filter", filter);
        auto& conv = addNode(def, "conv", "Conv2D", {"image", "filter"});
        setInts(conv, "strides", {1, 1, 1, 1});
        setString(conv, "padding", "VALID");
        const std::vector<float> gamma{1.5f, 0.5f}, beta{0.1f, -0.2f}, mean{0.3f, -0.1f},
            var{0.8f, 2.0f};
        addConst(def, "gamma", qf::Tensor::floats({2}, gamma));
        addConst(def, "beta", qf::Tensor::floats({2}, beta));
        addConst(def, "mean", qf::Tensor::floats({2}, mean));
        addConst(def, "var", qf::Tensor::floats({2}, var));
        auto& bn = addNode(def, "bn", "FusedBatchNorm", {"conv", "gamma", "beta", "mean", "var"});
        (*bn.mutable_attr())["is_training"].set_b(false);
        (*bn.mutable_attr())["epsilon"].set_f(0.01f);
        addNode(def, "bn_out", "Identity", {"bn"});
        addConst(def, "paddings",
                 qf::Tensor::ints({4, 2}, {0, 0, 1, 0, 0, 1, 0, 0}, qf::DataType::Int32));
        addNode(def, "padded", "Pad", {"image", "paddings"});
        addNode(def, "sqrt_var", "Sqrt", {"var"});
        addNode(def, "divided", "RealDiv", {"image", "sqrt_var"});
        addConst(def, "flat", qf::Tensor::ints({2}, {1, -1}, qf::DataType::Int32));
        for (const char* name : {"bn_out", "padded", "divided"})
            addNode(def, std::string(name) + "_flat", "Reshape", {name, "flat"});
        QTemporaryDir dir;
        qf::Diagnostics warnings;
        qf::Graph graph = qf::loadModel(writeGraph(def, dir, "mixed.pb"), "", &warnings);
        QVERIFY2(warnings.empty(), warnings.empty() ? "" : warnings[0].text().c_str());
        const qf::Tensor rows = ramp({2, 3}, 0.25f, 0.0f);
        const qf::Tensor image = ramp({1, 3, 3, 2}, 0.2f, 0.05f);  // NHWC
        const qf::TensorMap feeds{{"rows", rows}, {"image", nhwcToNchw(image)}};
        const auto out = qf::Executor(graph).run(feeds);
        std::vector<float> mmT, mmBias;
        for (int r = 0; r < 2; ++r)
            for (int c = 0; c < 4; ++c) {
                double sum = 0.0, sumT = 0.0;
                for (int k = 0; k < 3; ++k) {
                    sum += rows.f[r * 3 + k] * b.f[k * 4 + c];
                    sumT += rows.f[r * 3 + k] * bt.f[c * 3 + k];
                }
                mmT.push_back(static_cast<float>(sumT));
                mmBias.push_back(static_cast<float>(sum) + std::vector<float>{1, -1, 0.5f, 0}[c]);
            }
        QVERIFY(maxAbsDiff(out.at("mm_t").f, mmT) < 1e-6);
        QVERIFY(maxAbsDiff(out.at("mm_bias").f, mmBias) < 1e-6);
        ConvSpec valid;
        valid.padding = "VALID";
        const qf::Tensor bnExpected =
            referenceBatchNorm(referenceConv(image, filter, valid), mean, var, gamma, beta, 0.01f);
        QVERIFY(maxAbsDiff(out.at("bn_out_flat").f, bnExpected.f) < 1e-5);
        std::vector<float> padded, divided;
        for (int y = -1; y < 3; ++y)
            for (int x = 0; x < 4; ++x)
                for (int c = 0; c < 2; ++c)
                    padded.push_back(y < 0 || x > 2 ? 0.0f : image.f[(y * 3 + x) * 2 + c]);
        for (size_t k = 0; k < image.f.size(); ++k)
            divided.push_back(image.f[k] / std::sqrt(var[k % 2]));
        QCOMPARE(out.at("padded_flat").f, padded);
        QVERIFY(maxAbsDiff(out.at("divided_flat").f, divided) < 1e-6);
        // The FusedBatchNorm and the BiasAdd fold; the outputs stay.
        const qf::FoldReport report = qf::foldBatchNorm(graph);
        QCOMPARE(graph.opCounts().count("BatchNormalization"), size_t{0});
        QVERIFY(report.folded.size() >= 1);
        const auto folded = qf::Executor(graph).run(feeds);
        QVERIFY(maxAbsDiff(folded.at("bn_out_flat").f, bnExpected.f) < 1e-5);
        QVERIFY(maxAbsDiff(folded.at("mm_bias").f, mmBias) < 1e-6);
    }

    // Conv2D → BiasAdd (a Keras layer with use_bias) → FusedBatchNormV3: the BiasAdd is the
    // conv's bias in the IR, not a fold of its own, so the BatchNorm folds straight into the
    // conv; the written file keeps the BiasAdd's name (and its Const's, with the folded values);
    // written unfolded, every node is as it was.
    void biasAddIsTheLayersBias() {
        qf_tf::GraphDef def;
        addPlaceholder(def, "input", {1, 4, 4, 2});
        const qf::Tensor filter = ramp({3, 3, 2, 3}, 0.1f, 0.0f);
        addConst(def, "filter", filter);
        auto& conv = addNode(def, "conv", "Conv2D", {"input", "filter"});
        setInts(conv, "strides", {1, 1, 1, 1});
        setString(conv, "padding", "SAME");
        addConst(def, "bias", qf::Tensor::floats({3}, {0.5f, -1.0f, 0.25f}));
        addNode(def, "conv_bias", "BiasAdd", {"conv", "bias"});
        addConst(def, "gamma", qf::Tensor::floats({3}, {1.5f, 0.5f, 2.0f}));
        addConst(def, "beta", qf::Tensor::floats({3}, {0.1f, 0.2f, -0.3f}));
        addConst(def, "mean", qf::Tensor::floats({3}, {0.3f, -0.2f, 0.1f}));
        addConst(def, "var", qf::Tensor::floats({3}, {0.5f, 1.5f, 2.5f}));
        auto& bn =
            addNode(def, "bn", "FusedBatchNormV3", {"conv_bias", "gamma", "beta", "mean", "var"});
        (*bn.mutable_attr())["is_training"].set_b(false);
        addNode(def, "output", "Relu", {"bn"});
        QTemporaryDir dir;
        const std::string path = writeGraph(def, dir, "conv_bias_bn.pb");
        qf::Graph graph = qf::loadModel(path);
        QCOMPARE(graph.opCounts().count("Bias"), size_t{0});
        QCOMPARE(graph.nodes[graph.producerIndex("conv_bias")].op, std::string("Conv"));

        qf_tf::GraphDef unchanged;
        QVERIFY(unchanged.ParseFromString(qf::tensorflowGraphBytes(graph)));
        std::map<std::string, std::string> before, after;
        for (const auto& node : def.node()) before[node.name()] = deterministicBytes(node);
        for (const auto& node : unchanged.node()) after[node.name()] = deterministicBytes(node);
        QVERIFY(before == after);

        const qf::Tensor x = ramp({1, 2, 4, 4}, 0.2f, 0.1f);
        const auto expected = qf::Executor(graph).run({{"input", x}}).at("output");
        const qf::FoldReport report = qf::foldBatchNorm(graph);
        QCOMPARE(report.folded.size(), size_t{1});
        QCOMPARE(report.folded[0].affine, std::string("bn"));
        qf_tf::GraphDef written;
        QVERIFY(written.ParseFromString(qf::tensorflowGraphBytes(graph)));
        std::map<std::string, const qf_tf::NodeDef*> byName;
        for (const auto& node : written.node()) byName[node.name()] = &node;
        QVERIFY(!byName.count("bn"));
        QVERIFY(byName.count("conv_bias") && byName.count("bias"));
        QCOMPARE(byName.at("conv_bias")->input(0), std::string("conv"));
        QCOMPARE(byName.at("conv_bias")->input(1), std::string("bias"));
        QCOMPARE(byName.at("output")->input(0), std::string("conv_bias"));
        const qf::Tensor foldedBias =
            qf::tensorFromTf(byName.at("bias")->attr().at("value").tensor(), "bias");
        const std::vector<float> b{0.5f, -1.0f, 0.25f}, g{1.5f, 0.5f, 2.0f}, be{0.1f, 0.2f, -0.3f},
            m{0.3f, -0.2f, 0.1f}, v{0.5f, 1.5f, 2.5f};
        for (int c = 0; c < 3; ++c) {
            // b' = (b - mean) * gamma / sqrt(var + eps) + beta, eps = 1e-4 (TensorFlow's default)
            const float want = (b[c] - m[c]) * g[c] / std::sqrt(v[c] + 1e-4f) + be[c];
            QVERIFY(std::abs(foldedBias.f[c] - want) < 1e-5f);
        }
        const qf::Graph reread =
            qf::importTensorflowFromBytes(written.SerializeAsString(), "folded.pb");
        const auto got = qf::Executor(reread).run({{"input", x}}).at("output");
        QVERIFY(maxAbsDiff(got.f, expected.f) < 1e-5);
    }

    // A Const whose declared shape overflows int64 (or would not fit the tensor limit) is refused
    // naming the node, before its byte count is computed.
    void constOfImpossibleShapeIsRefused() {
        qf_tf::GraphDef def;
        addPlaceholder(def, "input", {1, 2});
        auto& node = addNode(def, "huge", "Const");
        node.mutable_attr()->erase("T");
        auto& value = *(*node.mutable_attr())["value"].mutable_tensor();
        value.set_dtype(qf_tf::DT_FLOAT);
        for (const int64_t d : {int64_t{1} << 40, int64_t{1} << 40})
            value.mutable_tensor_shape()->add_dim()->set_size(d);
        value.set_tensor_content(std::string(16, '\0'));
        (*node.mutable_attr())["dtype"].set_type(qf_tf::DT_FLOAT);
        addNode(def, "sum", "Add", {"input", "huge"});
        const std::string message = qftest::errorOf(
            [&] { qf::importTensorflowFromBytes(def.SerializeAsString(), "huge.pb"); });
        QVERIFY2(message.find("huge.pb") != std::string::npos &&
                     message.find("huge") != std::string::npos &&
                     message.find("would hold more than") != std::string::npos,
                 message.c_str());
    }

    // The text the CLI's --input-shape and the app's Model > Input Shape take.
    void inputShapeText() {
        QCOMPARE(qf::parseInputShape("1,224,224,3"), (std::optional<qf::Shape>{{1, 224, 224, 3}}));
        QCOMPARE(qf::parseInputShape(" -1, 32 ,32,3"), (std::optional<qf::Shape>{{-1, 32, 32, 3}}));
        QCOMPARE(qf::parseInputShape("7"), (std::optional<qf::Shape>{{7}}));
        for (const char* bad : {"", ",", "1,,3", "1,2,", "1,x,3", "1,0,3", "1,-2,3", "1.5,2", "3e2",
                                "1 2", "99999999999999999999"})
            QVERIFY2(!qf::parseInputShape(bad), bad);
    }

    // ResizeBilinear and ResizeNearestNeighbor in each coordinate mode, up and down, against
    // TensorFlow's kernels written out above; a Placeholder of unknown batch takes the scales
    // path (sizes need N and C), a known one the sizes path.
    void resizeMatchesTensorflowDefinition_data() {
        QTest::addColumn<bool>("bilinear");
        QTest::addColumn<bool>("alignCorners");
        QTest::addColumn<bool>("halfPixel");
        QTest::addColumn<qlonglong>("batch");
        QTest::addColumn<qlonglong>("outH");
        QTest::addColumn<qlonglong>("outW");
        for (const bool bilinear : {true, false})
            for (const int mode : {0, 1, 2})
                for (const qlonglong batch : {1LL, -1LL})
                    for (const auto& [oh, ow] : {std::pair<int, int>{7, 10}, {2, 3}}) {
                        const std::string name = std::string(bilinear ? "bilinear" : "nearest") +
                                                 (mode == 1   ? " align_corners"
                                                  : mode == 2 ? " half_pixel"
                                                              : " legacy") +
                                                 (batch < 0 ? " batch ?" : " batch 1") + " to " +
                                                 std::to_string(oh) + "x" + std::to_string(ow);
                        QTest::newRow(name.c_str()) << bilinear << (mode == 1) << (mode == 2)
                                                    << batch << qlonglong{oh} << qlonglong{ow};
                    }
    }
    void resizeMatchesTensorflowDefinition() {
        QFETCH(bool, bilinear);
        QFETCH(bool, alignCorners);
        QFETCH(bool, halfPixel);
        QFETCH(qlonglong, batch);
        QFETCH(qlonglong, outH);
        QFETCH(qlonglong, outW);
        qf_tf::GraphDef def;
        addPlaceholder(def, "input", {batch, 3, 4, 2});
        addConst(def, "size", qf::Tensor::ints({2}, {outH, outW}, qf::DataType::Int32));
        auto& node = addNode(def, "resize", bilinear ? "ResizeBilinear" : "ResizeNearestNeighbor",
                             {"input", "size"});
        (*node.mutable_attr())["align_corners"].set_b(alignCorners);
        (*node.mutable_attr())["half_pixel_centers"].set_b(halfPixel);
        QTemporaryDir dir;
        qf::Diagnostics warnings;
        const qf::Graph graph = qf::loadModel(writeGraph(def, dir, "resize.pb"), "", &warnings);
        QVERIFY(warnings.empty());
        const qf::Tensor x = ramp({1, 3, 4, 2}, 0.5f, 0.25f);  // NHWC
        const auto out = qf::Executor(graph).run({{"input", nhwcToNchw(x)}});
        const qf::Tensor expected =
            referenceResize(x, outH, outW, bilinear, alignCorners, halfPixel);
        QCOMPARE(out.at("resize").shape, expected.shape);
        QVERIFY2(maxAbsDiff(out.at("resize").f, expected.f) < 1e-5,
                 std::to_string(maxAbsDiff(out.at("resize").f, expected.f)).c_str());
    }

    // Shape / StridedSlice / Pack / Fill evaluated at load: Reshape(x, Pack([Shape(x)[0], -1])),
    // Shape(x)[1:] and a reversed Shape(x)[::-1] as Reshape targets, and x + Fill(Shape(x), 0.5).
    // With an unknown batch the Shape node is reported (named) instead, until the input shape
    // is given.
    void shapeSubgraphsEvaluatedAtLoad() {
        const auto build = [](int64_t batch) {
            qf_tf::GraphDef def;
            addPlaceholder(def, "input", {batch, 2, 3, 4});
            addNode(def, "relu", "Relu", {"input"});
            auto& shape = addNode(def, "shape", "Shape", {"relu"});
            (*shape.mutable_attr())["out_type"].set_type(qf_tf::DT_INT32);
            const auto ints = [](std::vector<int64_t> v) {
                return qf::Tensor::ints({static_cast<int64_t>(v.size())}, v, qf::DataType::Int32);
            };
            addConst(def, "zero", ints({0}));
            addConst(def, "one", ints({1}));
            addConst(def, "minus_one", ints({-1}));
            auto& first = addNode(def, "first", "StridedSlice", {"shape", "zero", "one", "one"});
            (*first.mutable_attr())["shrink_axis_mask"].set_i(1);
            addConst(def, "rest", qf::Tensor::ints({}, {-1}, qf::DataType::Int32));
            auto& pack = addNode(def, "pack", "Pack", {"first", "rest"});
            (*pack.mutable_attr())["N"].set_i(2);
            (*pack.mutable_attr())["axis"].set_i(0);
            addNode(def, "flat", "Reshape", {"relu", "pack"});
            auto& tail = addNode(def, "tail", "StridedSlice", {"shape", "one", "zero", "one"});
            (*tail.mutable_attr())["end_mask"].set_i(1);
            addNode(def, "no_batch", "Reshape", {"relu", "tail"});
            auto& reversed = addNode(def, "reversed", "StridedSlice",
                                     {"shape", "minus_one", "zero", "minus_one"});
            (*reversed.mutable_attr())["end_mask"].set_i(1);
            addNode(def, "backwards", "Reshape", {"relu", "reversed"});
            addConst(def, "half", qf::Tensor::floats({}, {0.5f}));
            addNode(def, "fill", "Fill", {"shape", "half"});
            addNode(def, "plus_half", "Add", {"relu", "fill"});
            return def;
        };
        QTemporaryDir dir;
        qf::Diagnostics warnings;
        const qf::Graph graph = qf::loadModel(writeGraph(build(1), dir, "shape.pb"), "", &warnings);
        QVERIFY(warnings.empty());
        const qf::Tensor x = ramp({1, 2, 3, 4}, 0.5f, 0.25f);  // NHWC
        const auto out = qf::Executor(graph).run({{"input", nhwcToNchw(x)}});
        std::vector<float> relu = x.f, plusHalf = x.f;
        for (size_t k = 0; k < relu.size(); ++k) {
            relu[k] = std::max(x.f[k], 0.0f);
            plusHalf[k] = relu[k] + 0.5f;
        }
        QCOMPARE(out.at("flat").shape, (qf::Shape{1, 24}));
        QCOMPARE(out.at("flat").f, relu);
        QCOMPARE(out.at("no_batch").shape, (qf::Shape{2, 3, 4}));
        QCOMPARE(out.at("no_batch").f, relu);
        QCOMPARE(out.at("backwards").shape, (qf::Shape{4, 3, 2, 1}));
        QCOMPARE(out.at("backwards").f, relu);
        QCOMPARE(out.at("plus_half").shape, (qf::Shape{1, 2, 3, 4}));
        QCOMPARE(out.at("plus_half").f, plusHalf);

        // Unknown batch: the Shape node is named in a warning; the model does not run.
        const std::string unknown = writeGraph(build(-1), dir, "unknown.pb");
        qf::Diagnostics unknownWarnings;
        const qf::Graph partial = qf::loadModel(unknown, "", &unknownWarnings);
        QVERIFY(!unknownWarnings.empty());
        QCOMPARE(QString::fromStdString(unknownWarnings.front().node), QString("shape"));
        QVERIFY2(unknownWarnings.front().message.find("unknown at load") != std::string::npos,
                 unknownWarnings.front().message.c_str());
        QVERIFY(!qf::Executor(partial).unsupportedNodes().empty());
        // Given the input shape (NHWC, as TensorFlow writes it), it loads and runs.
        qf::Diagnostics givenWarnings;
        const qf::Graph given = qf::importTensorflow(unknown, &givenWarnings, {}, {1, 2, 3, 4});
        QVERIFY(givenWarnings.empty());
        QCOMPARE(qf::Executor(given).run({{"input", nhwcToNchw(x)}}).at("flat").f, relu);
    }

    // A Const with one float_val fills its shape (TensorFlow's single-value broadcast).
    void constSingleValueFillsShape() {
        qf_tf::TensorProto proto;
        proto.set_dtype(qf_tf::DT_FLOAT);
        proto.mutable_tensor_shape()->add_dim()->set_size(4);
        proto.add_float_val(2.5f);
        const qf::Tensor t = qf::tensorFromTf(proto, "Const 'c'");
        QCOMPARE(t.f, (std::vector<float>{2.5f, 2.5f, 2.5f, 2.5f}));
        proto.add_float_val(1.0f);  // fewer values than the shape: the last one repeats
        QCOMPARE(qf::tensorFromTf(proto, "c").f, (std::vector<float>{2.5f, 1.0f, 1.0f, 1.0f}));
        for (int k = 0; k < 3; ++k) proto.add_float_val(0.0f);
        QVERIFY(qftest::errorOf([&] { qf::tensorFromTf(proto, "c"); }).find("5 values") !=
                std::string::npos);
    }

    // A file with Dequantize'd weights: read -> write keeps every node; folding it writes the
    // folded filters as float Consts, and the written file computes what the folded graph does.
    void quantizedWeightsFileRoundTripAndFold() {
        QF_SHARED(modelPath, "cifar10/resnet20/resnet20_cifar10_frozen.pb");
        const std::string bytes = qf::tensorflowQuantizedWeightsBytes(qf::loadModel(modelPath));
        const qf::Graph graph = qf::importTensorflowFromBytes(bytes, "quantized.pb");
        QVERIFY(graph.weights.size() < 150);  // no raw copies of converted constants
        qf_tf::GraphDef original, written;
        QVERIFY(original.ParseFromString(bytes));
        QVERIFY(written.ParseFromString(qf::tensorflowGraphBytes(graph)));
        int dequantize = 0;
        std::map<std::string, std::string> before, after;
        for (const auto& node : original.node()) {
            before[node.name()] = deterministicBytes(node);
            dequantize += node.op() == "Dequantize";
        }
        for (const auto& node : written.node()) after[node.name()] = deterministicBytes(node);
        // The filters of at least 1024 values: all 21 but conv1 (432) and the 16→32 shortcut (512).
        QCOMPARE(dequantize, 19);
        QVERIFY(before == after);

        qf::Graph folded = graph;
        QCOMPARE(qf::foldBatchNorm(folded).folded.size(), size_t{19});
        const qf::Graph reread =
            qf::importTensorflowFromBytes(qf::tensorflowGraphBytes(folded), "folded.pb");
        const qf::Tensor x = ramp({1, 3, 32, 32}, 0.1f, 0.0f);
        const auto expected = qf::Executor(folded).run({{"input", x}}).at("logits");
        const auto got = qf::Executor(reread).run({{"input", x}}).at("logits");
        QCOMPARE(got.f, expected.f);
        const auto unfolded = qf::Executor(graph).run({{"input", x}}).at("logits");
        QVERIFY(maxAbsDiff(unfolded.f, expected.f) < 1e-4);
    }

    // MIN_FIRST: the range holds 0, 0 is exact, every value within half a step.
    void minFirstQuantization() {
        const qf::Tensor w = qf::Tensor::floats({6}, {-0.7f, 0.0f, 0.05f, 1.3f, 0.3333f, -0.01f});
        const qf::MinFirstQuantized q = qf::quantizeMinFirst(w);
        QCOMPARE(q.min, -0.7f);
        QCOMPARE(q.max, 1.3f);
        QCOMPARE(q.values.dtype, qf::DataType::UInt8);
        const qf::Tensor back = qf::dequantizeMinFirst(q.values, q.min, q.max);
        const double step = 2.0 / 255;
        QVERIFY(maxAbsDiff(back.f, w.f) <= step / 2 + 1e-6);
        QCOMPARE(back.f[1], 0.0f);
        QCOMPARE(q.values.i[0], int64_t{0});
        QCOMPARE(q.values.i[3], int64_t{255});
        const qf::MinFirstQuantized positive =
            qf::quantizeMinFirst(qf::Tensor::floats({2}, {0.5f, 2.0f}));
        QCOMPARE(positive.min, 0.0f);  // widened to hold 0
    }

    void badFiles() {
        QTemporaryDir dir;
        const auto loadError = [&](const qf_tf::GraphDef& def, const std::string& name) {
            const std::string path = writeGraph(def, dir, name);
            return qftest::errorOf([&] { qf::loadModel(path); });
        };
        {  // a cycle
            qf_tf::GraphDef def;
            addPlaceholder(def, "input", {1, 4, 4, 1});
            addNode(def, "a", "Relu", {"input", "b"});
            addNode(def, "b", "Relu", {"a"});
            const std::string error = loadError(def, "cycle.pb");
            QVERIFY2(error.find("cycle") != std::string::npos &&
                         error.find("cycle.pb") != std::string::npos &&
                         error.find("node 'a'") != std::string::npos,
                     error.c_str());
        }
        {  // an input naming a missing node
            qf_tf::GraphDef def;
            addPlaceholder(def, "input", {1, 4, 4, 1});
            addNode(def, "relu", "Relu", {"inptu"});
            const std::string error = loadError(def, "missing.pb");
            QVERIFY2(error.find("node 'relu'") != std::string::npos &&
                         error.find("'inptu'") != std::string::npos,
                     error.c_str());
        }
        {  // a Const whose content does not fill its shape
            qf_tf::GraphDef def;
            addPlaceholder(def, "input", {1, 4, 4, 1});
            addConst(def, "w", qf::Tensor::floats({3}, {1, 2, 3}));
            (*def.mutable_node(1)->mutable_attr())["value"]
                .mutable_tensor()
                ->mutable_tensor_shape()
                ->mutable_dim(0)
                ->set_size(4);
            addNode(def, "mul", "Mul", {"input", "w"});
            const std::string error = loadError(def, "size.pb");
            QVERIFY2(error.find("node 'w'") != std::string::npos &&
                         error.find("12 bytes") != std::string::npos &&
                         error.find("needs 16") != std::string::npos,
                     error.c_str());
        }
        {  // an op this runtime lacks: loaded, reported naming the node, cannot run
            qf_tf::GraphDef def;
            addPlaceholder(def, "input", {1, 4, 4, 1});
            addNode(def, "odd", "Erf", {"input"});
            const std::string path = writeGraph(def, dir, "unsupported.pb");
            qf::Diagnostics warnings;
            const qf::Graph graph = qf::loadModel(path, "", &warnings);
            QCOMPARE(warnings.size(), size_t{1});
            QCOMPARE(warnings[0].node, std::string("odd"));
            QVERIFY(warnings[0].message.find("'Erf'") != std::string::npos);
            QCOMPARE(graph.nodes.size(), size_t{2});  // the Erf and the transpose it reads
        }
    }

    void truncatedFile() {
        QF_SHARED(modelPath, "cifar10/resnet20/resnet20_cifar10_frozen.pb");
        std::ifstream in(modelPath, std::ios::binary);
        const std::string bytes((std::istreambuf_iterator<char>(in)),
                                std::istreambuf_iterator<char>());
        QTemporaryDir dir;
        for (const size_t keep : {bytes.size() / 2, bytes.size() - 3, size_t{10}}) {
            const std::string path = dir.path().toStdString() + "/truncated.pb";
            std::ofstream(path, std::ios::binary) << bytes.substr(0, keep);
            const std::string error = qftest::errorOf([&] { qf::loadModel(path); });
            QVERIFY2(error.find("truncated.pb") != std::string::npos, error.c_str());
        }
    }
};

QTEST_GUILESS_MAIN(TestTensorflowFormat)
#include "test_tensorflow_format.moc"

// Runs ONNX's own backend node tests (Debian's libonnx-testdata) through the importer and the
// FP32 executor: every test of an op this runtime executes, one Qt Test row per test folder.
#include <onnx/onnx_pb.h>

#include <QtTest>
#include <cmath>
#include <fstream>
#include <iterator>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>

#include "formats/onnx/onnx_importer.h"
#include "runtime/executor.h"
#include "runtime/shape_inference.h"
#include "test_support.h"

namespace {

const std::string kNodeTestRoot = "/usr/share/libonnx-testdata/data/node";

// The node tests (of libonnx-testdata 1.12) whose ops the runtime executes, minus kExcluded.
const char* const kRunTests[] = {
    "test_add",
    "test_add_bcast",
    "test_add_uint8",
    "test_averagepool_1d_default",
    "test_averagepool_2d_ceil",
    "test_averagepool_2d_default",
    "test_averagepool_2d_pads",
    "test_averagepool_2d_pads_count_include_pad",
    "test_averagepool_2d_precomputed_pads",
    "test_averagepool_2d_precomputed_pads_count_include_pad",
    "test_averagepool_2d_precomputed_same_upper",
    "test_averagepool_2d_precomputed_strides",
    "test_averagepool_2d_same_lower",
    "test_averagepool_2d_same_upper",
    "test_averagepool_2d_strides",
    "test_basic_conv_with_padding",
    "test_basic_conv_without_padding",
    "test_batchnorm_epsilon",
    "test_batchnorm_example",
    "test_cast_DOUBLE_to_FLOAT",
    "test_cast_FLOAT_to_DOUBLE",
    "test_castlike_DOUBLE_to_FLOAT_expanded",
    "test_castlike_FLOAT_to_DOUBLE_expanded",
    "test_clip",
    "test_clip_default_inbounds",
    "test_clip_default_int8_inbounds",
    "test_clip_default_int8_max",
    "test_clip_default_int8_min",
    "test_clip_default_max",
    "test_clip_default_min",
    "test_clip_example",
    "test_clip_inbounds",
    "test_clip_outbounds",
    "test_clip_splitbounds",
    "test_concat_1d_axis_0",
    "test_concat_1d_axis_negative_1",
    "test_concat_2d_axis_0",
    "test_concat_2d_axis_1",
    "test_concat_2d_axis_negative_1",
    "test_concat_2d_axis_negative_2",
    "test_concat_3d_axis_0",
    "test_concat_3d_axis_1",
    "test_concat_3d_axis_2",
    "test_concat_3d_axis_negative_1",
    "test_concat_3d_axis_negative_2",
    "test_concat_3d_axis_negative_3",
    "test_constant",
    "test_constant_pad",
    "test_constantofshape_float_ones",
    "test_constantofshape_int_shape_zero",
    "test_constantofshape_int_zeros",
    "test_conv_with_autopad_same",
    "test_conv_with_strides_and_asymmetric_padding",
    "test_conv_with_strides_no_padding",
    "test_conv_with_strides_padding",
    "test_convtranspose",
    "test_convtranspose_1d",
    "test_convtranspose_autopad_same",
    "test_convtranspose_dilations",
    "test_convtranspose_kernel_shape",
    "test_convtranspose_output_shape",
    "test_convtranspose_pad",
    "test_convtranspose_pads",
    "test_convtranspose_with_kernel",
    "test_div",
    "test_div_bcast",
    "test_div_example",
    "test_div_uint8",
    "test_dropout_default",
    "test_dropout_default_mask",
    "test_dropout_default_mask_ratio",
    "test_dropout_default_old",
    "test_dropout_default_ratio",
    "test_dropout_random_old",
    "test_edge_pad",
    "test_exp",
    "test_exp_example",
    "test_flatten_axis0",
    "test_flatten_axis1",
    "test_flatten_axis2",
    "test_flatten_axis3",
    "test_flatten_default_axis",
    "test_flatten_negative_axis1",
    "test_flatten_negative_axis2",
    "test_flatten_negative_axis3",
    "test_flatten_negative_axis4",
    "test_gather_0",
    "test_gather_1",
    "test_gather_2d_indices",
    "test_gather_negative_indices",
    "test_gemm_all_attributes",
    "test_gemm_alpha",
    "test_gemm_beta",
    "test_gemm_default_matrix_bias",
    "test_gemm_default_no_bias",
    "test_gemm_default_scalar_bias",
    "test_gemm_default_single_elem_vector_bias",
    "test_gemm_default_vector_bias",
    "test_gemm_default_zero_bias",
    "test_gemm_transposeA",
    "test_gemm_transposeB",
    "test_hardswish",
    "test_hardswish_expanded",
    "test_identity",
    "test_leakyrelu",
    "test_leakyrelu_default",
    "test_leakyrelu_example",
    "test_matmul_2d",
    "test_matmul_3d",
    "test_matmul_4d",
    "test_max_example",
    "test_max_float32",
    "test_max_float64",
    "test_max_int32",
    "test_max_int64",
    "test_max_int8",
    "test_max_one_input",
    "test_max_two_inputs",
    "test_max_uint8",
    "test_maxpool_1d_default",
    "test_maxpool_2d_ceil",
    "test_maxpool_2d_default",
    "test_maxpool_2d_dilations",
    "test_maxpool_2d_pads",
    "test_maxpool_2d_precomputed_pads",
    "test_maxpool_2d_precomputed_same_upper",
    "test_maxpool_2d_precomputed_strides",
    "test_maxpool_2d_same_lower",
    "test_maxpool_2d_same_upper",
    "test_maxpool_2d_strides",
    "test_mul",
    "test_mul_bcast",
    "test_mul_example",
    "test_mul_uint8",
    "test_prelu_broadcast",
    "test_prelu_example",
    "test_reflect_pad",
    "test_relu",
    "test_reshape_allowzero_reordered",
    "test_reshape_extended_dims",
    "test_reshape_negative_dim",
    "test_reshape_negative_extended_dims",
    "test_reshape_one_dim",
    "test_reshape_reduced_dims",
    "test_reshape_reordered_all_dims",
    "test_reshape_reordered_last_dims",
    "test_reshape_zero_and_negative_dim",
    "test_reshape_zero_dim",
    "test_resize_downsample_scales_linear",
    "test_resize_downsample_scales_linear_align_corners",
    "test_resize_downsample_scales_nearest",
    "test_resize_downsample_sizes_linear_pytorch_half_pixel",
    "test_resize_downsample_sizes_nearest",
    "test_resize_downsample_sizes_nearest_tf_half_pixel_for_nn",
    "test_resize_tf_crop_and_resize",
    "test_resize_upsample_scales_linear",
    "test_resize_upsample_scales_linear_align_corners",
    "test_resize_upsample_scales_nearest",
    "test_resize_upsample_sizes_nearest",
    "test_resize_upsample_sizes_nearest_ceil_half_pixel",
    "test_resize_upsample_sizes_nearest_floor_align_corners",
    "test_resize_upsample_sizes_nearest_round_prefer_ceil_asymmetric",
    "test_shape",
    "test_shape_clip_end",
    "test_shape_clip_start",
    "test_shape_end_1",
    "test_shape_end_negative_1",
    "test_shape_example",
    "test_shape_start_1",
    "test_shape_start_1_end_2",
    "test_shape_start_1_end_negative_1",
    "test_shape_start_negative_1",
    "test_sigmoid",
    "test_sigmoid_example",
    "test_slice",
    "test_slice_default_axes",
    "test_slice_default_steps",
    "test_slice_end_out_of_bounds",
    "test_slice_neg",
    "test_slice_neg_steps",
    "test_slice_negative_axes",
    "test_slice_start_out_of_bounds",
    "test_softmax_axis_0",
    "test_softmax_axis_1",
    "test_softmax_axis_2",
    "test_softmax_default_axis",
    "test_softmax_example",
    "test_softmax_large_number",
    "test_softmax_negative_axis",
    "test_squeeze",
    "test_squeeze_negative_axes",
    "test_sub",
    "test_sub_bcast",
    "test_sub_example",
    "test_sub_uint8",
    "test_sum_example",
    "test_sum_one_input",
    "test_sum_two_inputs",
    "test_tanh",
    "test_tanh_example",
    "test_transpose_all_permutations_0",
    "test_transpose_all_permutations_1",
    "test_transpose_all_permutations_2",
    "test_transpose_all_permutations_3",
    "test_transpose_all_permutations_4",
    "test_transpose_all_permutations_5",
    "test_transpose_default",
    "test_unsqueeze_axis_0",
    "test_unsqueeze_axis_1",
    "test_unsqueeze_axis_2",
    "test_unsqueeze_axis_3",
    "test_unsqueeze_negative_axes",
    "test_unsqueeze_three_axes",
    "test_unsqueeze_two_axes",
    "test_unsqueeze_unsorted_axes",
    "test_upsample_nearest",
};

// Node tests of those ops that are not run, and why. Besides these, the `_expanded` variants
// whose function bodies use ops outside the runtime (softmax_*_expanded: ReduceMax, ReduceSum;
// castlike_*_expanded of unsupported types) are not listed at all.
struct Exclusion {
    const char* dir;
    const char* reason;
};
const Exclusion kExcluded[] = {
    {"test_batchnorm_epsilon_training_mode", "training mode (batch statistics) is not inference"},
    {"test_batchnorm_example_training_mode", "training mode (batch statistics) is not inference"},
    {"test_training_dropout", "training-mode Dropout is random"},
    {"test_training_dropout_default", "training-mode Dropout is random"},
    {"test_training_dropout_default_mask", "training-mode Dropout is random"},
    {"test_training_dropout_mask", "training-mode Dropout is random"},
    {"test_training_dropout_zero_ratio", "training-mode Dropout is not inference"},
    {"test_training_dropout_zero_ratio_mask", "training-mode Dropout is not inference"},
    {"test_averagepool_3d_default", "3-D pooling is not supported (1-D and 2-D are)"},
    {"test_maxpool_3d_default", "3-D pooling is not supported (1-D and 2-D are)"},
    {"test_convtranspose_3d", "3-D convolution is not supported (1-D and 2-D are)"},
    {"test_maxpool_2d_uint8", "pooling runs on float tensors only"},
    {"test_globalaveragepool", "opset 1 model; the importer reads opsets 7 to 17"},
    {"test_globalaveragepool_precomputed", "opset 1 model; the importer reads opsets 7 to 17"},
    {"test_globalmaxpool", "opset 1 model; the importer reads opsets 7 to 17"},
    {"test_globalmaxpool_precomputed", "opset 1 model; the importer reads opsets 7 to 17"},
    {"test_hardsigmoid", "opset 6 model; the importer reads opsets 7 to 17"},
    {"test_hardsigmoid_default", "opset 6 model; the importer reads opsets 7 to 17"},
    {"test_hardsigmoid_example", "opset 6 model; the importer reads opsets 7 to 17"},
    {"test_maxpool_with_argmax_2d_precomputed_pads", "MaxPool's Indices output is not supported"},
    {"test_maxpool_with_argmax_2d_precomputed_strides",
     "MaxPool's Indices output is not supported"},
    {"test_cast_BFLOAT16_to_FLOAT", "bfloat16 is not an IR element type"},
    {"test_cast_FLOAT_to_BFLOAT16", "bfloat16 is not an IR element type"},
    {"test_cast_DOUBLE_to_FLOAT16", "float16 is not an IR element type"},
    {"test_cast_FLOAT16_to_DOUBLE", "float16 is not an IR element type"},
    {"test_cast_FLOAT16_to_FLOAT", "float16 is not an IR element type"},
    {"test_cast_FLOAT_to_FLOAT16", "float16 is not an IR element type"},
    {"test_cast_FLOAT_to_STRING", "string tensors are not supported"},
    {"test_cast_STRING_to_FLOAT", "string tensors are not supported"},
    {"test_castlike_BFLOAT16_to_FLOAT_expanded", "bfloat16 is not an IR element type"},
    {"test_castlike_FLOAT_to_BFLOAT16_expanded", "bfloat16 is not an IR element type"},
    {"test_castlike_DOUBLE_to_FLOAT16_expanded", "float16 is not an IR element type"},
    {"test_castlike_FLOAT16_to_DOUBLE_expanded", "float16 is not an IR element type"},
    {"test_castlike_FLOAT16_to_FLOAT_expanded", "float16 is not an IR element type"},
    {"test_castlike_FLOAT_to_FLOAT16_expanded", "float16 is not an IR element type"},
    {"test_castlike_FLOAT_to_STRING_expanded", "string tensors are not supported"},
    {"test_castlike_STRING_to_FLOAT_expanded", "string tensors are not supported"},
    {"test_max_float16", "float16 is not an IR element type"},
    {"test_max_int16", "int16 is not an IR element type"},
    {"test_max_uint16", "uint16 is not an IR element type"},
    {"test_max_uint32", "uint32 is not an IR element type"},
    {"test_max_uint64", "uint64 is not an IR element type"},
    {"test_identity_opt", "optional values are not tensors"},
    {"test_identity_sequence", "sequences are not tensors"},
    {"test_resize_downsample_scales_cubic", "cubic Resize is not supported"},
    {"test_resize_downsample_scales_cubic_A_n0p5_exclude_outside", "cubic Resize is not supported"},
    {"test_resize_downsample_scales_cubic_align_corners", "cubic Resize is not supported"},
    {"test_resize_downsample_sizes_cubic", "cubic Resize is not supported"},
    {"test_resize_upsample_scales_cubic", "cubic Resize is not supported"},
    {"test_resize_upsample_scales_cubic_A_n0p5_exclude_outside", "cubic Resize is not supported"},
    {"test_resize_upsample_scales_cubic_align_corners", "cubic Resize is not supported"},
    {"test_resize_upsample_scales_cubic_asymmetric", "cubic Resize is not supported"},
    {"test_resize_upsample_sizes_cubic", "cubic Resize is not supported"},
};

// Float outputs must satisfy |actual - expected| <= 1e-4 + 1e-4 * |expected|; every listed
// test passes at this tolerance, none needs a looser one. Integer outputs must be exact.
struct Tolerance {
    double absolute = 1e-4;
    double relative = 1e-4;
};
const Tolerance kTolerance;

std::string nodeTestPath(const std::string& dir, const std::string& file = "") {
    return kNodeTestRoot + "/" + dir + (file.empty() ? "" : "/" + file);
}

bool exists(const std::string& path) { return QFileInfo::exists(QString::fromStdString(path)); }

std::string readBytes(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot open " + path);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

struct NamedTensor {
    std::string name;  // as the .pb file names it; may be empty
    qf::Tensor value;
};

NamedTensor readTensorFile(const std::string& path) {
    onnx::TensorProto proto;
    if (!proto.ParseFromString(readBytes(path)))
        throw std::runtime_error(path + " is not a TensorProto");
    return {proto.name(), qf::tensorFromOnnx(proto, path)};
}

// input_0.pb, input_1.pb, ... (or output_*) of one data set, in order.
std::vector<NamedTensor> readTensorFiles(const std::string& dataSet, const std::string& prefix) {
    std::vector<NamedTensor> tensors;
    for (int k = 0;; ++k) {
        const std::string path = dataSet + "/" + prefix + "_" + std::to_string(k) + ".pb";
        if (!exists(path)) break;
        tensors.push_back(readTensorFile(path));
    }
    return tensors;
}

std::string valuesPreview(const qf::Tensor& t) {
    std::ostringstream out;
    const int64_t n = std::min<int64_t>(t.numel(), 8);
    for (int64_t k = 0; k < n; ++k)
        out << (k ? " " : "") << (t.isFloat() ? double(t.f[size_t(k)]) : double(t.i[size_t(k)]));
    if (t.numel() > n) out << " ...";
    return out.str();
}

// Empty when equal within tolerance, else what differs.
std::string compareTensors(const qf::Tensor& actual, const qf::Tensor& expected,
                           const Tolerance& tolerance) {
    if (actual.dtype != expected.dtype)
        return std::string("element type ") + qf::dataTypeName(actual.dtype) + ", expected " +
               qf::dataTypeName(expected.dtype);
    if (actual.shape != expected.shape)
        return "shape " + qf::shapeToString(actual.shape) + ", expected " +
               qf::shapeToString(expected.shape);
    const bool floating = expected.isFloat();
    const size_t stored = floating ? actual.f.size() : actual.i.size();
    if (stored != static_cast<size_t>(expected.numel()))
        return "holds " + std::to_string(stored) + " values for shape " +
               qf::shapeToString(actual.shape);
    for (size_t k = 0; k < stored; ++k) {
        bool equal;
        if (floating) {
            const double a = actual.f[k], b = expected.f[k];
            equal = (std::isnan(a) && std::isnan(b)) || a == b ||
                    std::abs(a - b) <= tolerance.absolute + tolerance.relative * std::abs(b);
        } else {
            equal = actual.i[k] == expected.i[k];
        }
        if (!equal)
            return "value " + std::to_string(k) + " differs: got [" + valuesPreview(actual) +
                   "], expected [" + valuesPreview(expected) + "]";
    }
    return {};
}

bool testDataPresent() { return exists(kNodeTestRoot); }

}  // namespace

class OnnxNodeTests : public QObject {
    Q_OBJECT

private slots:
    void listIsComplete() {
        QVERIFY(std::size(kRunTests) > 0);
        std::set<std::string> run(std::begin(kRunTests), std::end(kRunTests));
        QCOMPARE(run.size(), std::size(kRunTests));
        for (const Exclusion& exclusion : kExcluded)
            QVERIFY2(!run.count(exclusion.dir), exclusion.dir);
        if (!testDataPresent()) {
            if (qftest::underCi()) QFAIL(("missing under CI: " + kNodeTestRoot).c_str());
            QSKIP("libonnx-testdata is not installed");
        }
        for (const std::string& dir : run)
            QVERIFY2(exists(nodeTestPath(dir, "model.onnx")), ("missing node test " + dir).c_str());
    }

    void nodeTest_data() {
        QTest::addColumn<QString>("dir");
        for (const char* dir : kRunTests) QTest::newRow(dir) << QString(dir);
    }

    void nodeTest() {
        QFETCH(QString, dir);
        if (!testDataPresent()) {
            if (qftest::underCi()) QFAIL(("missing under CI: " + kNodeTestRoot).c_str());
            QSKIP("libonnx-testdata is not installed");
        }
        try {
            runNodeTest(dir.toStdString());
        } catch (const std::exception& error) {
            QFAIL(error.what());
        }
    }

    // Runs after every nodeTest row (Qt Test keeps the declaration order of slots).
    void shapeInferenceCoveredTheNodeTests() {
        if (!testDataPresent()) QSKIP("libonnx-testdata is not installed");
        qInfo("shapes inferred and checked for %d node tests; %d hang on input values",
              shapesInferred_, shapesDependingOnValues_);
        QVERIFY(shapesInferred_ > 3 * shapesDependingOnValues_);
    }

private:
    // Fails through QVERIFY; import and read errors come out as exceptions.
    void runNodeTest(const std::string& name) {
        const qf::Graph graph = qf::importOnnx(nodeTestPath(name, "model.onnx"));
        std::vector<std::string> feedNames;  // graph inputs that are not weights, in order
        for (const auto& input : graph.inputs)
            if (!graph.isWeight(input.name)) feedNames.push_back(input.name);
        const qf::Executor executor(graph);

        const QStringList dataSets = QDir(QString::fromStdString(nodeTestPath(name)))
                                         .entryList({"test_data_set_*"}, QDir::Dirs, QDir::Name);
        QVERIFY2(!dataSets.isEmpty(), "no test_data_set_* folder");
        for (const QString& dataSet : dataSets) {
            const std::string setPath = nodeTestPath(name, dataSet.toStdString());
            qf::TensorMap feeds;
            const std::vector<NamedTensor> inputs = readTensorFiles(setPath, "input");
            for (size_t k = 0; k < inputs.size(); ++k) {
                const std::string inputName = !inputs[k].name.empty()
                                                  ? inputs[k].name
                                                  : (k < feedNames.size() ? feedNames[k] : "");
                feeds[inputName] = inputs[k].value;
            }
            const qf::TensorMap results = executor.run(feeds);
            const std::vector<NamedTensor> expected = readTensorFiles(setPath, "output");
            QVERIFY2(!expected.empty(), "no output_*.pb");
            for (size_t k = 0; k < expected.size(); ++k) {
                const std::string outputName =
                    !expected[k].name.empty()
                        ? expected[k].name
                        : (k < graph.outputs.size() ? graph.outputs[k].name : "");
                const auto actual = results.find(outputName);
                QVERIFY2(actual != results.end(), ("no output '" + outputName + "'").c_str());
                const std::string difference =
                    compareTensors(actual->second, expected[k].value, kTolerance);
                QVERIFY2(difference.empty(),
                         (dataSet.toStdString() + " output '" + outputName + "': " + difference)
                             .c_str());
            }
            if (dataSet == dataSets.front()) checkInferredShapes(graph, feeds, expected);
        }
    }

    // Symbolic shape inference gives the expected outputs' shapes, when the declared inputs are
    // the fed ones and the shapes do not hang on input values (a Reshape fed its target).
    void checkInferredShapes(const qf::Graph& graph, const qf::TensorMap& feeds,
                             const std::vector<NamedTensor>& expected) {
        for (const auto& input : graph.inputs)
            if (!graph.isWeight(input.name) &&
                (!feeds.count(input.name) || feeds.at(input.name).shape != input.shape))
                return;
        std::map<std::string, qf::Shape> shapes;
        try {
            shapes = qf::inferShapes(graph);
        } catch (const qf::Error& error) {
            const std::string message = error.what();
            QVERIFY2(message.find("known only when the model runs") != std::string::npos,
                     message.c_str());
            ++shapesDependingOnValues_;
            return;
        }
        for (size_t k = 0; k < expected.size(); ++k) {
            const std::string name =
                !expected[k].name.empty() ? expected[k].name : graph.outputs.at(k).name;
            QVERIFY2(shapes.count(name) && shapes.at(name) == expected[k].value.shape,
                     ("inferred shape of '" + name + "' differs from the expected " +
                      qf::shapeToString(expected[k].value.shape))
                         .c_str());
        }
        ++shapesInferred_;
    }

    int shapesInferred_ = 0, shapesDependingOnValues_ = 0;
};

QTEST_GUILESS_MAIN(OnnxNodeTests)
#include "test_onnx_node_tests.moc"

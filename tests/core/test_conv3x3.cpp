// The two 3×3 stride-1 paths besides im2col, Winograd F(4×4, 3×3) (runtime/kernels/winograd.h)
// and the direct AVX-512 kernel (direct3x3.h), against a convolution summed in double: planes
// whose output is no multiple of the 4×4 tile or of the direct kernel's 8 channels × 32 columns,
// 1×1 outputs, no padding, wide and asymmetric padding, a bias and none; the bound is relative
// to Σ |w|·|x| of each output, as for the float GEMM. Then through the executor: a layer that
// winogradPays() sends to Winograd matches the im2col kernel within that bound and is not
// bit-identical to it (it did take the other path), on one thread and two, and on a batch of
// two images; and a ResNet-20-sized layer takes the direct kernel the same way.
#include <QtTest>
#include <cmath>
#include <random>
#include <string>

#include "graph_builder.h"
#include "runtime/executor.h"
#include "runtime/kernels/direct3x3.h"
#include "runtime/kernels/kernels.h"
#include "runtime/kernels/winograd.h"
#include "runtime/parallel.h"

namespace {

struct Layer {
    int64_t inC, outC, inH, inW, padTop, padLeft, padBottom, padRight;
    bool bias;
};

std::vector<float> normals(size_t count, unsigned seed) {
    std::mt19937 random(seed);
    std::normal_distribution<float> normal(0.0f, 1.0f);
    std::vector<float> values(count);
    for (float& v : values) v = normal(random);
    return values;
}

enum class Path { Winograd, Direct };

// "" or the first output that differs.
std::string checkLayer(const Layer& l, unsigned seed, Path path) {
    const int64_t outH = l.inH + l.padTop + l.padBottom - 2;
    const int64_t outW = l.inW + l.padLeft + l.padRight - 2;
    const std::vector<float> image = normals(static_cast<size_t>(l.inC * l.inH * l.inW), seed);
    const std::vector<float> weights = normals(static_cast<size_t>(l.outC * l.inC * 9), seed + 1);
    const std::vector<float> bias = normals(static_cast<size_t>(l.outC), seed + 2);
    std::vector<float> out(static_cast<size_t>(l.outC * outH * outW), 1e30f);
    if (path == Path::Winograd) {
        const qf::kernels::WinogradWeights u =
            qf::kernels::transformWinogradWeights(weights.data(), l.outC, l.inC);
        qf::kernels::winogradConv3x3(u, image.data(), l.inH, l.inW, l.padTop, l.padLeft, outH, outW,
                                     l.bias ? bias.data() : nullptr, out.data());
    } else {
        qf::kernels::direct3x3(qf::kernels::reorderDirect3x3Weights(weights.data(), l.outC, l.inC),
                               image.data(), l.inH, l.inW, l.padTop, l.padLeft,
                               l.bias ? bias.data() : nullptr, outH, outW, out.data());
    }
    for (int64_t oc = 0; oc < l.outC; ++oc)
        for (int64_t oy = 0; oy < outH; ++oy)
            for (int64_t ox = 0; ox < outW; ++ox) {
                double sum = l.bias ? bias[static_cast<size_t>(oc)] : 0.0;
                double magnitude = std::fabs(sum);
                for (int64_t ic = 0; ic < l.inC; ++ic)
                    for (int64_t ky = 0; ky < 3; ++ky)
                        for (int64_t kx = 0; kx < 3; ++kx) {
                            const int64_t iy = oy - l.padTop + ky, ix = ox - l.padLeft + kx;
                            if (iy < 0 || iy >= l.inH || ix < 0 || ix >= l.inW) continue;
                            const double product =
                                static_cast<double>(weights[static_cast<size_t>(
                                    ((oc * l.inC + ic) * 3 + ky) * 3 + kx)]) *
                                image[static_cast<size_t>((ic * l.inH + iy) * l.inW + ix)];
                            sum += product;
                            magnitude += std::fabs(product);
                        }
                const float got = out[static_cast<size_t>((oc * outH + oy) * outW + ox)];
                if (!(std::fabs(got - sum) <= 1e-5 * magnitude + 1e-6))
                    return "layer " + std::to_string(l.inC) + "->" + std::to_string(l.outC) +
                           " at " + std::to_string(l.inH) + "x" + std::to_string(l.inW) +
                           ": output (" + std::to_string(oc) + ", " + std::to_string(oy) + ", " +
                           std::to_string(ox) + ") is " + std::to_string(got) + ", expected " +
                           std::to_string(sum);
            }
    return "";
}

qf::Tensor floats(qf::Shape shape, unsigned seed) {
    qf::Tensor t = qf::Tensor::floats(shape);
    t.f = normals(t.f.size(), seed);
    return t;
}

}  // namespace

class TestConv3x3 : public QObject {
    Q_OBJECT

private slots:
    void winogradMatchesTheDirectSum() { checkEveryLayer(Path::Winograd); }

    void directKernelMatchesTheDirectSum() {
        if (!qf::kernels::direct3x3Available()) QSKIP("this CPU has no AVX-512");
        checkEveryLayer(Path::Direct);
        const std::string wide = checkLayer({3, 16, 32, 70, 1, 1, 1, 1, true}, 77, Path::Direct);
        QVERIFY2(wide.empty(), wide.c_str());  // three 32-column chunks, the last one partial
        // Two rows to a tile: 16 wide with an odd row count (the last tile's second row absent).
        const std::string narrow = checkLayer({32, 9, 15, 16, 1, 1, 1, 1, true}, 78, Path::Direct);
        QVERIFY2(narrow.empty(), narrow.c_str());
    }

    void theExecutorTakesTheDirectKernelWhereItPays() {
        if (!qf::kernels::direct3x3Available()) QSKIP("this CPU has no AVX-512");
        QVERIFY(qf::kernels::direct3x3Pays(16, 16, 32, 32));  // ResNet-20's first stage
        QVERIFY(qf::kernels::direct3x3Pays(32, 32, 16, 16));  // and second, two rows a tile
        QVERIFY(!qf::kernels::direct3x3Pays(64, 64, 8, 8));   // its narrow last one does not
        qftest::GraphBuilder b;
        b.input("x", {1, 16, 32, 32});
        b.weight("w", floats({16, 16, 3, 3}, 4));
        b.node("conv", "Conv", {"x", "w"}, {"y"}, {{"pads", qf::Attribute::ofInts({1, 1, 1, 1})}});
        b.output("y");
        const qf::Executor executor(b.graph());
        const qf::Tensor x = floats({1, 16, 32, 32}, 5);
        const qf::Tensor y = executor.run({{"x", x}}).at("y");
        std::vector<float> expected(y.f.size());
        qf::kernels::direct3x3(
            qf::kernels::reorderDirect3x3Weights(b.graph().weight("w")->f.data(), 16, 16),
            x.f.data(), 32, 32, 1, 1, nullptr, 32, 32, expected.data());
        QVERIFY(y.f == expected);  // the executor's result is the direct kernel's, to the bit
    }

private:
    void checkEveryLayer(Path path) {
        const Layer layers[] = {
            {3, 5, 7, 9, 1, 1, 1, 1, true},   {16, 8, 13, 6, 0, 0, 0, 0, true},
            {4, 4, 1, 1, 1, 1, 1, 1, false},  {8, 16, 10, 10, 2, 1, 0, 2, true},
            {1, 1, 3, 3, 0, 0, 0, 0, false},  {32, 24, 16, 16, 1, 1, 1, 1, true},
            {5, 7, 17, 4, 1, 0, 1, 0, false},
        };
        unsigned seed = 10;
        for (const Layer& layer : layers) {
            const std::string problem = checkLayer(layer, seed += 3, path);
            QVERIFY2(problem.empty(), problem.c_str());
        }
        const qf::ScopedThreads threads(2);
        const std::string problem = checkLayer({32, 24, 16, 16, 1, 1, 1, 1, true}, 99, path);
        QVERIFY2(problem.empty(), problem.c_str());
    }

private slots:

    void theExecutorTakesItWhereItPays() {
        QVERIFY(qf::kernels::winogradPays(128, 128, 16, 16));
        QVERIFY(!qf::kernels::winogradPays(16, 16, 32, 32));  // ResNet-20's layers stay
        QVERIFY(!qf::kernels::winogradPays(512, 512, 7, 7));  // so do 7×7 planes
        qftest::GraphBuilder b;
        b.input("x", {2, 128, 16, 16});
        b.weight("w", floats({128, 128, 3, 3}, 1));
        b.weight("b", floats({128}, 2));
        b.node("conv", "Conv", {"x", "w", "b"}, {"y"},
               {{"pads", qf::Attribute::ofInts({1, 1, 1, 1})}});
        b.output("y");
        const qf::Executor executor(b.graph());
        const qf::Tensor x = floats({2, 128, 16, 16}, 3);
        std::vector<qf::Tensor> direct(1);
        const std::vector<const qf::Tensor*> inputs{&x, b.graph().weight("w"),
                                                    b.graph().weight("b")};
        qf::kernels::conv(b.graph().nodes[0], inputs, direct);
        for (const int threads : {1, 2}) {
            qf::ExecutionOptions options;
            options.threads = threads;
            const qf::Tensor y = executor.run({{"x", x}}, nullptr, false, options).at("y");
            QCOMPARE(y.shape, direct[0].shape);
            double worst = 0.0;
            bool identical = true;
            for (size_t k = 0; k < y.f.size(); ++k) {
                worst = std::max(worst, std::fabs(static_cast<double>(y.f[k]) - direct[0].f[k]));
                identical = identical && y.f[k] == direct[0].f[k];
            }
            QVERIFY2(worst < 1e-3, std::to_string(worst).c_str());  // values are of order 30
            QVERIFY2(!identical, "the executor ran the im2col kernel, not Winograd");
        }
    }
};

QTEST_MAIN(TestConv3x3)
#include "test_conv3x3.moc"

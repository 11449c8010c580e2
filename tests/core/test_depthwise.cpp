// One depthwise channel (runtime/kernels/depthwise.h), the padded 3×3 path and the general loop,
// against the definition: int8 (stored uint8 less the zero point, int8 weights, int32 sums)
// must be exact, FP32 within float rounding of a double sum. Geometries: 3×3 at stride 1 and
// 2 with symmetric, asymmetric, missing and oversized pads, on planes from 1×1 to 57×31 (odd
// sizes leave the last stride-2 column or row partly outside), and windows the fast path does
// not take (5×5, dilation 2, stride 3, unequal strides). The input sits in a guard band that
// must not leak into a sum: guard values are huge, so a read outside the plane shows.
#include <QtTest>
#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "runtime/kernels/depthwise.h"

using qf::kernels::Window2d;

namespace {

Window2d window(int64_t k, int64_t strideH, int64_t strideW, int64_t dilation, int64_t top,
                int64_t left, int64_t bottom, int64_t right) {
    Window2d w;
    w.kernelH = w.kernelW = k;
    w.strideH = strideH, w.strideW = strideW;
    w.dilationH = w.dilationW = dilation;
    w.padTop = top, w.padLeft = left, w.padBottom = bottom, w.padRight = right;
    return w;
}

struct Case {
    int64_t inH, inW;
    Window2d w;
};

std::vector<Case> cases() {
    std::vector<Case> all;
    const std::vector<std::pair<int64_t, int64_t>> sizes{{1, 1}, {2, 3},   {4, 4},  {7, 7},
                                                         {8, 5}, {14, 14}, {57, 31}};
    for (const auto& [h, wd] : sizes)
        for (const int64_t stride : {1, 2}) {
            all.push_back({h, wd, window(3, stride, stride, 1, 1, 1, 1, 1)});
            all.push_back({h, wd, window(3, stride, stride, 1, 0, 0, 1, 1)});
            all.push_back({h, wd, window(3, stride, stride, 1, 1, 0, 0, 2)});
            all.push_back({h, wd, window(3, stride, stride, 1, 3, 4, 2, 3)});
            if (h >= 3 && wd >= 3) all.push_back({h, wd, window(3, stride, stride, 1, 0, 0, 0, 0)});
            all.push_back({h, wd, window(5, stride, stride, 1, 2, 2, 2, 2)});
            all.push_back({h, wd, window(3, stride, stride, 2, 2, 2, 2, 2)});
            all.push_back({h, wd, window(3, 1, 2, 1, 1, 1, 1, 1)});
            all.push_back({h, wd, window(3, 3, 3, 1, 1, 1, 1, 1)});
        }
    return all;
}

std::string describe(const Case& c) {
    const Window2d& w = c.w;
    return "input " + std::to_string(c.inH) + "x" + std::to_string(c.inW) + ", kernel " +
           std::to_string(w.kernelH) + ", stride " + std::to_string(w.strideH) + "x" +
           std::to_string(w.strideW) + ", dilation " + std::to_string(w.dilationH) + ", pads " +
           std::to_string(w.padTop) + "," + std::to_string(w.padLeft) + "," +
           std::to_string(w.padBottom) + "," + std::to_string(w.padRight);
}

// The sum of the taps of output (oy, ox) that land inside the plane, by the definition.
template <typename Input, typename Weight, typename Convert>
double definition(const Case& c, const Input* plane, const Weight* kernel, int64_t oy, int64_t ox,
                  Convert convert) {
    const Window2d& w = c.w;
    double sum = 0.0;
    for (int64_t ky = 0; ky < w.kernelH; ++ky)
        for (int64_t kx = 0; kx < w.kernelW; ++kx) {
            const int64_t iy = oy * w.strideH - w.padTop + ky * w.dilationH;
            const int64_t ix = ox * w.strideW - w.padLeft + kx * w.dilationW;
            if (iy < 0 || iy >= c.inH || ix < 0 || ix >= c.inW) continue;
            sum += static_cast<double>(convert(plane[iy * c.inW + ix])) *
                   static_cast<double>(kernel[ky * w.kernelW + kx]);
        }
    return sum;
}

// The case's output size; false when the window does not fit (no output to check).
bool outputOf(const Case& c, int64_t& outH, int64_t& outW) {
    const Window2d& w = c.w;
    outH = qf::kernels::convOutputSize(c.inH, w.padTop, w.padBottom, w.kernelH, w.strideH,
                                       w.dilationH);
    outW = qf::kernels::convOutputSize(c.inW, w.padLeft, w.padRight, w.kernelW, w.strideW,
                                       w.dilationW);
    return outH > 0 && outW > 0;
}

}  // namespace

class TestDepthwise : public QObject {
    Q_OBJECT

private slots:
    void fastPathIsTakenForMobileNetWindows() {
        QVERIFY(qf::kernels::depthwiseHasFastPath(window(3, 1, 1, 1, 1, 1, 1, 1)));
        QVERIFY(qf::kernels::depthwiseHasFastPath(window(3, 2, 2, 1, 0, 0, 1, 1)));
        QVERIFY(!qf::kernels::depthwiseHasFastPath(window(3, 1, 2, 1, 1, 1, 1, 1)));
        QVERIFY(!qf::kernels::depthwiseHasFastPath(window(3, 1, 1, 2, 2, 2, 2, 2)));
        QVERIFY(!qf::kernels::depthwiseHasFastPath(window(5, 1, 1, 1, 2, 2, 2, 2)));
    }

    void storedInt8SumsAreExact() {
        std::mt19937 random(5);
        std::uniform_int_distribution<int> stored(0, 255), weight(-127, 127);
        const int64_t guard = 256;
        for (const int32_t offset : {0, 128})
            for (const Case& c : cases()) {
                const Window2d& w = c.w;
                int64_t outH = 0, outW = 0;
                if (!outputOf(c, outH, outW)) continue;
                // Guard bytes far from the zero point, so a tap read outside the plane changes
                // the sum.
                std::vector<uint8_t> buffer(static_cast<size_t>(c.inH * c.inW + 2 * guard),
                                            static_cast<uint8_t>(offset == 0 ? 255 : 0));
                const uint8_t* plane = buffer.data() + guard;
                for (int64_t k = 0; k < c.inH * c.inW; ++k)
                    buffer[static_cast<size_t>(guard + k)] = static_cast<uint8_t>(stored(random));
                std::vector<int8_t> kernel(static_cast<size_t>(w.kernelH * w.kernelW));
                for (auto& v : kernel) v = static_cast<int8_t>(weight(random));
                const auto convert = [offset](uint8_t v) {
                    return static_cast<int32_t>(v) - offset;
                };
                std::vector<int32_t> sums(static_cast<size_t>(outH * outW), -1);
                qf::kernels::depthwiseChannel(plane, c.inH, c.inW, kernel.data(), w, outH, outW,
                                              offset, sums.data());
                for (int64_t oy = 0; oy < outH; ++oy)
                    for (int64_t ox = 0; ox < outW; ++ox) {
                        const auto expected = static_cast<int32_t>(
                            definition(c, plane, kernel.data(), oy, ox, convert));
                        const int32_t got = sums[static_cast<size_t>(oy * outW + ox)];
                        if (got != expected)
                            QFAIL((describe(c) + ", zero point " + std::to_string(offset) +
                                   ": output (" + std::to_string(oy) + ", " + std::to_string(ox) +
                                   ") is " + std::to_string(got) + ", expected " +
                                   std::to_string(expected))
                                      .c_str());
                    }
            }
    }

    void floatSumsMatchTheDefinition() {
        std::mt19937 random(9);
        std::normal_distribution<float> normal(0.0f, 1.0f);
        const int64_t guard = 256;
        for (const Case& c : cases()) {
            const Window2d& w = c.w;
            int64_t outH = 0, outW = 0;
            if (!outputOf(c, outH, outW)) continue;
            std::vector<float> buffer(static_cast<size_t>(c.inH * c.inW + 2 * guard), 1e30f);
            const float* plane = buffer.data() + guard;
            for (int64_t k = 0; k < c.inH * c.inW; ++k)
                buffer[static_cast<size_t>(guard + k)] = normal(random);
            std::vector<float> kernel(static_cast<size_t>(w.kernelH * w.kernelW));
            for (auto& v : kernel) v = normal(random);
            const auto identity = [](float v) { return v; };
            const float bias = 0.25f;
            std::vector<float> out(static_cast<size_t>(outH * outW), -1.0f);
            qf::kernels::depthwiseChannel(plane, c.inH, c.inW, kernel.data(), w, outH, outW, bias,
                                          out.data());
            for (int64_t oy = 0; oy < outH; ++oy)
                for (int64_t ox = 0; ox < outW; ++ox) {
                    const double expected =
                        bias + definition(c, plane, kernel.data(), oy, ox, identity);
                    const float got = out[static_cast<size_t>(oy * outW + ox)];
                    if (std::fabs(got - expected) > 1e-5 * (1.0 + std::fabs(expected)))
                        QFAIL((describe(c) + ": output (" + std::to_string(oy) + ", " +
                               std::to_string(ox) + ") is " + std::to_string(got) + ", expected " +
                               std::to_string(expected))
                                  .c_str());
                }
        }
    }
};

QTEST_MAIN(TestDepthwise)
#include "test_depthwise.moc"

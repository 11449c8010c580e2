// im2col, float and uint8, against its definition element by element: columns[(c, ky, kx),
// (oy, ox)] = image[c, oy·sy − top + ky·dy, ox·sx − left + kx·dx], or the padding value outside
// the image. The geometries cover the same-width fast path (stride 1, output as wide as the
// input: 3×3 pad 1, 5×5 pad 2, dilation 2 pad 2, asymmetric pads that keep the width) and the
// general path (strides, valid convolutions, pads wider than the kernel), on planes as small as
// one pixel. The image sits inside a guard band that must be neither read into the columns nor
// written; AddressSanitizer (tools/sanitize.sh) checks that no read leaves the image.
#include <QtTest>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "runtime/kernels/spatial.h"
#include "runtime/parallel.h"

using qf::kernels::Window2d;

namespace {

struct Case {
    int64_t channels, inH, inW;
    Window2d w;
};

Window2d window(int64_t k, int64_t stride, int64_t dilation, int64_t top, int64_t left,
                int64_t bottom, int64_t right) {
    Window2d w;
    w.kernelH = w.kernelW = k;
    w.strideH = w.strideW = stride;
    w.dilationH = w.dilationW = dilation;
    w.padTop = top, w.padLeft = left, w.padBottom = bottom, w.padRight = right;
    return w;
}

std::vector<Case> cases() {
    std::vector<Case> all;
    for (const int64_t size : {1, 2, 3, 7, 32})
        for (const int64_t channels : {1, 3}) {
            all.push_back({channels, size, size, window(3, 1, 1, 1, 1, 1, 1)});
            all.push_back({channels, size, size + 1, window(5, 1, 1, 2, 2, 2, 2)});
            all.push_back({channels, size, size, window(3, 1, 2, 2, 2, 2, 2)});
            all.push_back({channels, size + 2, size, window(3, 1, 1, 0, 2, 1, 0)});
            all.push_back({channels, size, size, window(3, 2, 1, 1, 1, 1, 1)});
            all.push_back({channels, size, size, window(1, 1, 1, 0, 0, 0, 0)});
            all.push_back({channels, size, size, window(2, 1, 1, 3, 3, 3, 3)});
            if (size >= 3) all.push_back({channels, size, size + 3, window(3, 1, 1, 0, 0, 0, 0)});
        }
    return all;
}

int64_t outputSize(int64_t in, int64_t begin, int64_t end, int64_t k, int64_t stride,
                   int64_t dilation) {
    return qf::kernels::convOutputSize(in, begin, end, k, stride, dilation);
}

template <typename Value>
std::string checkCase(const Case& c, Value padding, unsigned seed) {
    const Window2d& w = c.w;
    const int64_t outH =
        outputSize(c.inH, w.padTop, w.padBottom, w.kernelH, w.strideH, w.dilationH);
    const int64_t outW =
        outputSize(c.inW, w.padLeft, w.padRight, w.kernelW, w.strideW, w.dilationW);
    if (outH <= 0 || outW <= 0) return "";
    const int64_t guard = 64;
    const int64_t imageSize = c.channels * c.inH * c.inW;
    std::mt19937 random(seed);
    std::uniform_int_distribution<int> values(1, 250);
    std::vector<Value> image(static_cast<size_t>(imageSize + 2 * guard));
    for (auto& v : image) v = static_cast<Value>(values(random));
    const int64_t rows = c.channels * w.kernelH * w.kernelW;
    const Value marker = static_cast<Value>(251);
    std::vector<Value> columns(static_cast<size_t>(rows * outH * outW + 2 * guard), marker);
    qf::kernels::im2col(image.data() + guard, c.channels, c.inH, c.inW, w, outH, outW, padding,
                        columns.data() + guard);
    const std::string geometry =
        "channels " + std::to_string(c.channels) + ", input " + std::to_string(c.inH) + "x" +
        std::to_string(c.inW) + ", kernel " + std::to_string(w.kernelH) + " stride " +
        std::to_string(w.strideH) + " dilation " + std::to_string(w.dilationH) + " pads " +
        std::to_string(w.padTop) + "," + std::to_string(w.padLeft) + "," +
        std::to_string(w.padBottom) + "," + std::to_string(w.padRight);
    for (int64_t g = 0; g < guard; ++g)
        if (columns[static_cast<size_t>(g)] != marker ||
            columns[columns.size() - 1 - static_cast<size_t>(g)] != marker)
            return geometry + ": wrote outside the columns";
    for (int64_t ch = 0; ch < c.channels; ++ch)
        for (int64_t ky = 0; ky < w.kernelH; ++ky)
            for (int64_t kx = 0; kx < w.kernelW; ++kx)
                for (int64_t oy = 0; oy < outH; ++oy)
                    for (int64_t ox = 0; ox < outW; ++ox) {
                        const int64_t iy = oy * w.strideH - w.padTop + ky * w.dilationH;
                        const int64_t ix = ox * w.strideW - w.padLeft + kx * w.dilationW;
                        const bool inside = iy >= 0 && iy < c.inH && ix >= 0 && ix < c.inW;
                        const Value expected =
                            inside
                                ? image[static_cast<size_t>(guard + (ch * c.inH + iy) * c.inW + ix)]
                                : padding;
                        const int64_t row = (ch * w.kernelH + ky) * w.kernelW + kx;
                        const Value got =
                            columns[static_cast<size_t>(guard + (row * outH + oy) * outW + ox)];
                        if (got != expected)
                            return geometry + ": column (" + std::to_string(row) + ", " +
                                   std::to_string(oy) + ", " + std::to_string(ox) + ") is " +
                                   std::to_string(+got) + ", expected " + std::to_string(+expected);
                    }
    return "";
}

}  // namespace

class TestIm2col : public QObject {
    Q_OBJECT

private slots:
    void floatColumnsMatchTheDefinition() {
        unsigned seed = 1;
        for (const Case& c : cases()) {
            const std::string problem = checkCase<float>(c, -1.0f, ++seed);
            QVERIFY2(problem.empty(), problem.c_str());
        }
    }

    void storedColumnsPadWithTheZeroPoint() {
        unsigned seed = 100;
        for (const Case& c : cases()) {
            const std::string problem = checkCase<uint8_t>(c, uint8_t{128}, ++seed);
            QVERIFY2(problem.empty(), problem.c_str());
        }
    }

    void splitOverTwoThreads() {
        const qf::ScopedThreads threads(2);
        const Case big{16, 32, 32, window(3, 1, 1, 1, 1, 1, 1)};
        const Case strided{16, 33, 31, window(3, 2, 1, 1, 1, 1, 1)};
        for (const Case& c : {big, strided}) {
            const std::string problem = checkCase<float>(c, 0.0f, 7);
            QVERIFY2(problem.empty(), problem.c_str());
        }
    }
};

QTEST_MAIN(TestIm2col)
#include "test_im2col.moc"

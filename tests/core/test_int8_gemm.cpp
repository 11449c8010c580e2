// The int8 GEMM: the reference kernel against hand-computed numbers, then every SIMD kernel the
// CPU runs against the reference, bit for bit, on many shapes (tails in rows, depth and
// columns) and on extreme values that would saturate a vpmaddubsw-based kernel.
#include <sys/mman.h>
#include <unistd.h>

#include <QtTest>
#include <algorithm>
#include <cstdint>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include "quantize/int8_gemm.h"
#include "runtime/parallel.h"
#include "util/error.h"

using qf::Int8Kernel;

namespace {

constexpr int32_t kGuard = 0x5A5A5A5A;  // fills C past its end, to catch stores out of bounds
constexpr int64_t kGuardCount = 64;

struct Operands {
    int64_t rows, depth, cols;
    std::vector<int8_t> a;   // rows x depth
    std::vector<uint8_t> b;  // depth x cols
};

Operands randomOperands(int64_t rows, int64_t depth, int64_t cols, std::mt19937& random) {
    Operands operands{rows, depth, cols, std::vector<int8_t>(rows * depth),
                      std::vector<uint8_t>(depth * cols)};
    std::uniform_int_distribution<int> weight(-127, 127), activation(0, 255);
    for (auto& value : operands.a) value = static_cast<int8_t>(weight(random));
    for (auto& value : operands.b) value = static_cast<uint8_t>(activation(random));
    return operands;
}

Operands constantOperands(int64_t rows, int64_t depth, int64_t cols, int8_t a, uint8_t b) {
    return {rows, depth, cols, std::vector<int8_t>(rows * depth, a),
            std::vector<uint8_t>(depth * cols, b)};
}

// C = A x B with `kernel`, checking that nothing was written past C.
std::vector<int32_t> multiply(const qf::PackedInt8Weights& packed, const Operands& operands,
                              Int8Kernel kernel) {
    const int64_t size = operands.rows * operands.cols;
    std::vector<int32_t> c(size + kGuardCount, kGuard);
    qf::int8Gemm(packed, operands.b.data(), operands.cols, c.data(), kernel);
    for (int64_t i = size; i < size + kGuardCount; ++i) {
        if (c[i] != kGuard) {
            const std::string message =
                std::string(qf::int8KernelName(kernel)) + " wrote past the end of C, shape " +
                std::to_string(operands.rows) + "x" + std::to_string(operands.depth) + "x" +
                std::to_string(operands.cols);
            QTest::qFail(message.c_str(), __FILE__, __LINE__);
            break;
        }
    }
    c.resize(size);
    return c;
}

std::vector<int32_t> multiply(const Operands& operands, Int8Kernel kernel) {
    return multiply(qf::packInt8Weights(operands.a.data(), operands.rows, operands.depth), operands,
                    kernel);
}

std::string shapeName(const Operands& operands) {
    return std::to_string(operands.rows) + "x" + std::to_string(operands.depth) + "x" +
           std::to_string(operands.cols);
}

// Compares C element by element and names the first difference.
bool sameResult(const std::vector<int32_t>& actual, const std::vector<int32_t>& expected,
                const Operands& operands, std::string& message) {
    if (actual.size() != expected.size()) {
        message = shapeName(operands) + ": sizes differ";
        return false;
    }
    for (size_t i = 0; i < actual.size(); ++i) {
        if (actual[i] != expected[i]) {
            const auto cols = static_cast<size_t>(operands.cols);
            message = shapeName(operands) + ": C[" + std::to_string(i / cols) + "][" +
                      std::to_string(i % cols) + "] = " + std::to_string(actual[i]) +
                      ", expected " + std::to_string(expected[i]);
            return false;
        }
    }
    return true;
}

// Also stops at a store out of bounds that multiply() reported.
#define QF_COMPARE_GEMM(actual, expected, operands)                                 \
    do {                                                                            \
        std::string message;                                                        \
        QVERIFY2(sameResult(actual, expected, operands, message), message.c_str()); \
        if (QTest::currentTestFailed()) return;                                     \
    } while (false)

// Bytes that end where an inaccessible page begins, so that reading past them crashes.
class GuardedBytes {
public:
    explicit GuardedBytes(const std::vector<uint8_t>& bytes) {
        const auto page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
        mappedSize_ = (bytes.size() / page + 2) * page;
        mapping_ =
            mmap(nullptr, mappedSize_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (mapping_ == MAP_FAILED) qFatal("mmap failed");
        char* guard = static_cast<char*>(mapping_) + mappedSize_ - page;
        if (mprotect(guard, page, PROT_NONE) != 0) qFatal("mprotect failed");
        data_ = reinterpret_cast<uint8_t*>(guard) - bytes.size();
        std::copy(bytes.begin(), bytes.end(), data_);
    }
    ~GuardedBytes() { munmap(mapping_, mappedSize_); }
    GuardedBytes(const GuardedBytes&) = delete;
    GuardedBytes& operator=(const GuardedBytes&) = delete;
    const uint8_t* data() const { return data_; }

private:
    void* mapping_ = nullptr;
    size_t mappedSize_ = 0;
    uint8_t* data_ = nullptr;
};

void addKernelRows() {
    QTest::addColumn<int>("kernelId");
    for (const Int8Kernel kernel : {Int8Kernel::Avx2, Int8Kernel::Avx512Vnni})
        QTest::newRow(qf::int8KernelName(kernel)) << static_cast<int>(kernel);
}

Int8Kernel fetchKernel() {
    QFETCH(int, kernelId);
    return static_cast<Int8Kernel>(kernelId);
}

#define QF_SKIP_UNAVAILABLE(kernel)                                                           \
    do {                                                                                      \
        if (!qf::int8KernelAvailable(kernel))                                                 \
            QSKIP((std::string(qf::int8KernelName(kernel)) + " is not supported by this CPU") \
                      .c_str());                                                              \
    } while (false)

}  // namespace

class TestInt8Gemm : public QObject {
    Q_OBJECT

private slots:
    void referenceMatchesHandComputation() {
        // Worked out on paper: row 0 = (1*0 - 2*10 + 3*200, 1*255 - 2*1 + 3*7),
        // row 1 = (-127*0 + 127*10, -127*255 + 127*1).
        const Operands operands{2, 3, 2, {1, -2, 3, -127, 127, 0}, {0, 255, 10, 1, 200, 7}};
        const std::vector<int32_t> byHand = {580, 274, 1270, -32258};
        const qf::PackedInt8Weights packed =
            qf::packInt8Weights(operands.a.data(), operands.rows, operands.depth);
        const std::vector<int32_t> c = multiply(packed, operands, Int8Kernel::Reference);
        QF_COMPARE_GEMM(c, byHand, operands);
        for (int64_t m = 0; m < 2; ++m) {
            for (int64_t n = 0; n < 2; ++n) {
                double sum = 0;
                for (int64_t k = 0; k < 3; ++k)
                    sum += double(operands.a[m * 3 + k]) * double(operands.b[k * 2 + n]);
                QCOMPARE(double(c[m * 2 + n]), sum);
            }
        }
        QCOMPARE(packed.rowSums, (std::vector<int32_t>{2, 0}));
    }

    // The reference reads the packed weights, so this also checks the packing of odd shapes.
    void referenceMatchesDoubleComputation() {
        std::mt19937 random(7);
        for (const auto& [rows, depth, cols] : std::vector<std::tuple<int64_t, int64_t, int64_t>>{
                 {1, 1, 1}, {9, 27, 13}, {17, 5, 3}}) {
            const Operands operands = randomOperands(rows, depth, cols, random);
            const std::vector<int32_t> c = multiply(operands, Int8Kernel::Reference);
            for (int64_t m = 0; m < rows; ++m) {
                for (int64_t n = 0; n < cols; ++n) {
                    double sum = 0;
                    for (int64_t k = 0; k < depth; ++k)
                        sum += double(operands.a[m * depth + k]) * double(operands.b[k * cols + n]);
                    QCOMPARE(double(c[m * cols + n]), sum);
                }
            }
        }
    }

    void rowSumsCompensateShiftedSignedActivations() {
        std::mt19937 random(3);
        Operands operands = randomOperands(11, 70, 19, random);
        std::vector<int8_t> signedActivations(operands.b.size());
        std::uniform_int_distribution<int> activation(-128, 127);
        for (size_t i = 0; i < signedActivations.size(); ++i) {
            signedActivations[i] = static_cast<int8_t>(activation(random));
            operands.b[i] = static_cast<uint8_t>(signedActivations[i] + 128);
        }
        const qf::PackedInt8Weights packed =
            qf::packInt8Weights(operands.a.data(), operands.rows, operands.depth);
        const std::vector<int32_t> shifted = multiply(packed, operands, qf::bestInt8Kernel());
        for (int64_t m = 0; m < operands.rows; ++m) {
            for (int64_t n = 0; n < operands.cols; ++n) {
                int32_t expected = 0;
                for (int64_t k = 0; k < operands.depth; ++k)
                    expected += operands.a[m * operands.depth + k] *
                                signedActivations[k * operands.cols + n];
                QCOMPARE(shifted[m * operands.cols + n] - 128 * packed.rowSums[m], expected);
            }
        }
    }

    void fastKernelsMatchReference_data() { addKernelRows(); }
    void fastKernelsMatchReference() {
        const Int8Kernel kernel = fetchKernel();
        QF_SKIP_UNAVAILABLE(kernel);
        std::mt19937 random(42);
        for (const int64_t rows : {1, 3, 7, 8, 9, 16, 17, 33, 70}) {
            for (const int64_t depth : {1, 3, 4, 9, 27, 64, 100, 256, 576, 1152}) {
                for (const int64_t cols : {1, 7, 8, 9, 15, 16, 17, 24, 33, 48, 100, 784}) {
                    const Operands operands = randomOperands(rows, depth, cols, random);
                    const qf::PackedInt8Weights packed =
                        qf::packInt8Weights(operands.a.data(), rows, depth);
                    QF_COMPARE_GEMM(multiply(packed, operands, kernel),
                                    multiply(packed, operands, Int8Kernel::Reference), operands);
                }
            }
        }
    }

    // All-255 activations against +-127 weights make every pair of products 2 * 255 * 127,
    // beyond int16: a kernel summing pairs with vpmaddubsw would saturate here.
    void fastKernelsExactOnExtremeValues_data() { addKernelRows(); }
    void fastKernelsExactOnExtremeValues() {
        const Int8Kernel kernel = fetchKernel();
        QF_SKIP_UNAVAILABLE(kernel);
        for (const int8_t weight : {int8_t{127}, int8_t{-127}, int8_t{-128}}) {
            for (const auto& [rows, depth, cols] :
                 std::vector<std::tuple<int64_t, int64_t, int64_t>>{
                     {8, 4, 16}, {5, 3, 17}, {70, 1152, 100}, {9, 4608, 33}}) {
                const Operands operands = constantOperands(rows, depth, cols, weight, 255);
                const std::vector<int32_t> expected(rows * cols,
                                                    int32_t{weight} * 255 * int32_t(depth));
                QF_COMPARE_GEMM(multiply(operands, Int8Kernel::Reference), expected, operands);
                QF_COMPARE_GEMM(multiply(operands, kernel), expected, operands);
            }
        }
        // Alternating signs: pairs of +-127 products cancel only if nothing saturated.
        Operands operands = constantOperands(13, 64, 40, 127, 255);
        for (size_t i = 0; i < operands.a.size(); ++i) operands.a[i] = i % 2 ? -127 : 127;
        for (size_t i = 0; i < operands.b.size(); ++i) operands.b[i] = (i / 40) % 3 ? 255 : 254;
        QF_COMPARE_GEMM(multiply(operands, kernel), multiply(operands, Int8Kernel::Reference),
                        operands);
    }

    // Column and depth tails must not read past the end of B.
    void fastKernelsReadOnlyInsideB_data() { addKernelRows(); }
    void fastKernelsReadOnlyInsideB() {
        const Int8Kernel kernel = fetchKernel();
        QF_SKIP_UNAVAILABLE(kernel);
        std::mt19937 random(9);
        for (const int64_t depth : {1, 5, 27})
            for (const int64_t cols : {1, 7, 17, 33, 100}) {
                const Operands operands = randomOperands(9, depth, cols, random);
                const qf::PackedInt8Weights packed =
                    qf::packInt8Weights(operands.a.data(), 9, depth);
                const GuardedBytes guardedB(operands.b);
                std::vector<int32_t> c(9 * cols);
                qf::int8Gemm(packed, guardedB.data(), cols, c.data(), kernel);
                QF_COMPARE_GEMM(c, multiply(packed, operands, Int8Kernel::Reference), operands);
            }
    }

    // Few column panels make the kernels split rows between threads; the result must not
    // depend on the thread count.
    void fastKernelsIndependentOfThreadCount_data() { addKernelRows(); }
    void fastKernelsIndependentOfThreadCount() {
        const Int8Kernel kernel = fetchKernel();
        QF_SKIP_UNAVAILABLE(kernel);
        std::mt19937 random(5);
        for (const auto& [rows, depth, cols] : std::vector<std::tuple<int64_t, int64_t, int64_t>>{
                 {512, 4608, 49}, {256, 2304, 196}, {67, 300, 3000}, {2000, 4608, 1}}) {
            const Operands operands = randomOperands(rows, depth, cols, random);
            const qf::PackedInt8Weights packed =
                qf::packInt8Weights(operands.a.data(), rows, depth);
            const std::vector<int32_t> expected = multiply(packed, operands, Int8Kernel::Reference);
            for (const int threads : {1, 2, 3}) {
                const qf::ScopedThreads scoped(threads);
                QF_COMPARE_GEMM(multiply(packed, operands, kernel), expected, operands);
            }
        }
    }

    void emptyAndZeroDepthShapes() {
        for (const Int8Kernel kernel : {Int8Kernel::Reference, qf::bestInt8Kernel()}) {
            const Operands zeroDepth = constantOperands(5, 0, 9, 0, 0);
            QCOMPARE(multiply(zeroDepth, kernel), std::vector<int32_t>(45, 0));
            QVERIFY(multiply(constantOperands(0, 7, 9, 1, 1), kernel).empty());
            QVERIFY(multiply(constantOperands(4, 7, 0, 1, 1), kernel).empty());
        }
    }

    void rejectsInvalidInput() {
        QVERIFY_THROWS_EXCEPTION(qf::Error, qf::packInt8Weights(nullptr, -1, 3));
        const std::vector<int8_t> deep(70000, 1);
        QVERIFY_THROWS_EXCEPTION(qf::Error, qf::packInt8Weights(deep.data(), 1, 70000));
        qf::PackedInt8Weights notPacked;
        notPacked.rows = 2;
        notPacked.depth = 3;
        notPacked.data.assign(6, 1);
        std::vector<uint8_t> b(6, 1);
        std::vector<int32_t> c(4);
        QVERIFY_THROWS_EXCEPTION(qf::Error, qf::int8Gemm(notPacked, b.data(), 2, c.data()));
        for (const Int8Kernel kernel : {Int8Kernel::Avx2, Int8Kernel::Avx512Vnni}) {
            if (qf::int8KernelAvailable(kernel)) continue;
            const auto packed = qf::packInt8Weights(notPacked.data.data(), 2, 3);
            QVERIFY_THROWS_EXCEPTION(qf::Error,
                                     qf::int8Gemm(packed, b.data(), 2, c.data(), kernel));
        }
    }

    void bestKernelIsAvailableAndNamed() {
        const Int8Kernel best = qf::bestInt8Kernel();
        QVERIFY(qf::int8KernelAvailable(best));
        QVERIFY(qf::int8KernelAvailable(Int8Kernel::Reference));
        qInfo("best int8 kernel on this CPU: %s", qf::int8KernelName(best));
        QCOMPARE(QString(qf::int8KernelName(Int8Kernel::Reference)), QString("reference"));
        QVERIFY(QString(qf::int8KernelName(Int8Kernel::Avx2)) !=
                QString(qf::int8KernelName(Int8Kernel::Avx512Vnni)));
    }
};

QTEST_GUILESS_MAIN(TestInt8Gemm)
#include "test_int8_gemm.moc"

// The float GEMM: every build the CPU can run (baseline, AVX2 + FMA, AVX-512) against a direct
// triple loop in double, on shapes with tails in rows, columns and depth, all four transpose
// cases and blocks of larger matrices (leading dimensions); and sgemm() itself, split over two
// threads, against the same reference. Float sums in another order differ by rounding only:
// the bound is relative to the sum of |a|·|b| of each element.
#include <QtTest>
#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "runtime/kernels/sgemm.h"
#include "runtime/parallel.h"

using qf::kernels::SgemmBlock;

namespace {

struct Problem {
    bool transA, transB;
    int64_t m, n, k;
    int64_t pad;  // extra columns of every stored matrix (leading dimension = width + pad)
    std::vector<float> a, b;
};

Problem makeProblem(bool transA, bool transB, int64_t m, int64_t n, int64_t k, int64_t pad,
                    unsigned seed) {
    std::mt19937 random(seed);
    std::normal_distribution<float> normal(0.0f, 1.0f);
    Problem p{transA, transB, m, n, k, pad, {}, {}};
    p.a.resize(static_cast<size_t>((transA ? k : m) * ((transA ? m : k) + pad)));
    p.b.resize(static_cast<size_t>((transB ? n : k) * ((transB ? k : n) + pad)));
    for (auto& v : p.a) v = normal(random);
    for (auto& v : p.b) v = normal(random);
    return p;
}

int64_t lda(const Problem& p) { return (p.transA ? p.m : p.k) + p.pad; }
int64_t ldb(const Problem& p) { return (p.transB ? p.k : p.n) + p.pad; }

float elementA(const Problem& p, int64_t i, int64_t l) {
    return p.transA ? p.a[static_cast<size_t>(l * lda(p) + i)]
                    : p.a[static_cast<size_t>(i * lda(p) + l)];
}
float elementB(const Problem& p, int64_t l, int64_t j) {
    return p.transB ? p.b[static_cast<size_t>(j * ldb(p) + l)]
                    : p.b[static_cast<size_t>(l * ldb(p) + j)];
}

// C (m x n, leading dimension n + pad, the padding left untouched) and the check against the
// double reference; returns "" or what differs.
std::string check(const Problem& p, const std::vector<float>& c, float padValue,
                  const std::vector<float>* start = nullptr) {
    const int64_t ldc = p.n + p.pad;
    for (int64_t i = 0; i < p.m; ++i) {
        for (int64_t j = 0; j < p.n; ++j) {
            const double first = start ? (*start)[static_cast<size_t>(i * (p.n + p.pad) + j)] : 0.0;
            double sum = first, magnitude = std::fabs(first);
            for (int64_t l = 0; l < p.k; ++l) {
                const double product = static_cast<double>(elementA(p, i, l)) * elementB(p, l, j);
                sum += product;
                magnitude += std::fabs(product);
            }
            const float got = c[static_cast<size_t>(i * ldc + j)];
            if (!(std::fabs(got - sum) <= 1e-5 * magnitude + 1e-6))
                return "C(" + std::to_string(i) + "," + std::to_string(j) +
                       ") = " + std::to_string(got) + ", expected " + std::to_string(sum);
        }
        for (int64_t j = p.n; j < ldc; ++j)
            if (c[static_cast<size_t>(i * ldc + j)] != padValue)
                return "wrote past column " + std::to_string(p.n) + " of row " + std::to_string(i);
    }
    return "";
}

using Build = void (*)(const SgemmBlock&);

struct NamedBuild {
    const char* name;
    Build run;
    bool available;
};

std::vector<NamedBuild> builds() {
    const bool avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    const bool avx512 = avx2 && __builtin_cpu_supports("avx512f") &&
                        __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl") &&
                        __builtin_cpu_supports("avx512bw");
    return {{"baseline", qf::kernels::sgemmBaseline, true},
            {"avx2", qf::kernels::sgemmAvx2, avx2},
            {"avx512", qf::kernels::sgemmAvx512, avx512}};
}

struct Shape {
    int64_t m, n, k;
};
// Tails around the builds' register blocks (8/16/24/48 rows, 4/8 columns) and small layers.
const Shape kShapes[] = {{1, 1, 1},   {3, 5, 7},    {16, 16, 16},   {17, 33, 9},
                         {48, 8, 64}, {49, 9, 65},  {64, 196, 576}, {128, 49, 1152},
                         {10, 1, 64}, {1, 100, 27}, {95, 3, 130}};

}  // namespace

class TestSgemm : public QObject {
    Q_OBJECT

private slots:
    void everyBuildMatchesTheReference() {
        int checked = 0;
        for (const NamedBuild& build : builds()) {
            if (!build.available) {
                qInfo("%s: not supported by this CPU, skipped", build.name);
                continue;
            }
            unsigned seed = 1;
            for (const Shape& shape : kShapes)
                for (const bool transA : {false, true})
                    for (const bool transB : {false, true})
                        for (const int64_t pad : {0, 3}) {
                            const Problem p =
                                makeProblem(transA, transB, shape.m, shape.n, shape.k, pad, seed++);
                            constexpr float kPad = -12345.0f;
                            std::vector<float> c(static_cast<size_t>(p.m * (p.n + pad)), kPad);
                            build.run({transA, transB, p.m, p.n, p.k, p.a.data(), lda(p),
                                       p.b.data(), ldb(p), c.data(), p.n + pad});
                            const std::string problem = check(p, c, kPad);
                            QVERIFY2(problem.empty(),
                                     (std::string(build.name) + " " + std::to_string(p.m) + "x" +
                                      std::to_string(p.n) + "x" + std::to_string(p.k) +
                                      (transA ? " A^T" : "") + (transB ? " B^T" : "") + " pad " +
                                      std::to_string(pad) + ": " + problem)
                                         .c_str());
                            ++checked;
                        }
        }
        QVERIFY(checked >= 44);  // the baseline at least
    }

    // The build sgemm() picks is the widest the CPU has, and sgemm() split over two threads
    // (by columns, or by rows when C is tall) matches the reference too.
    void sgemmPicksTheWidestBuildAndSplitsCorrectly() {
        const auto all = builds();
        const char* widest = all[0].name;
        for (const auto& build : all)
            if (build.available) widest = build.name;
        QCOMPARE(std::string(qf::kernels::sgemmKernelName(qf::kernels::sgemmKernel())),
                 std::string(widest));
        const qf::ScopedThreads threads(2);
        for (const Shape& shape : {Shape{64, 1024, 147}, Shape{2048, 16, 64}, Shape{7, 7, 7}})
            for (const bool transA : {false, true}) {
                const Problem p = makeProblem(transA, false, shape.m, shape.n, shape.k, 0, 99);
                std::vector<float> c(static_cast<size_t>(p.m * p.n), 0.0f);
                qf::kernels::sgemm(transA, false, p.m, p.n, p.k, p.a.data(), p.b.data(), c.data());
                const std::string problem = check(p, c, 0.0f);
                QVERIFY2(problem.empty(), problem.c_str());
            }
    }

    // sgemmAccumulate adds the product to what C holds (a convolution's bias), on one thread and
    // split over two.
    void accumulateAddsToTheStartValue() {
        for (const int threadCount : {1, 2}) {
            const qf::ScopedThreads threads(threadCount);
            unsigned seed = 50;
            for (const Shape& shape :
                 {Shape{64, 1024, 147}, Shape{2048, 16, 64}, Shape{17, 33, 9}}) {
                const Problem p = makeProblem(false, false, shape.m, shape.n, shape.k, 0, seed++);
                std::vector<float> start(static_cast<size_t>(p.m * p.n));
                for (size_t k = 0; k < start.size(); ++k)
                    start[k] = static_cast<float>(k % 7) - 3.0f;
                std::vector<float> c = start;
                qf::kernels::sgemmAccumulate(false, false, p.m, p.n, p.k, p.a.data(), p.b.data(),
                                             c.data());
                const std::string problem = check(p, c, 0.0f, &start);
                QVERIFY2(problem.empty(), problem.c_str());
            }
        }
    }
};

QTEST_MAIN(TestSgemm)
#include "test_sgemm.moc"

#pragma once
// Helpers shared by the tests: where the project and ../shared/data are, and temp folders.
#include <QDir>
#include <QString>
#include <QTemporaryDir>
#include <QtTest>
#include <array>
#include <cstdlib>
#include <functional>
#include <string>

#include "images/preprocessing.h"
#include "util/error.h"

namespace qftest {

inline std::string sourcePath(const std::string& relative) {
    return std::string(QF_SOURCE_DIR) + "/" + relative;
}

inline std::string sharedDataRoot() { return std::string(QF_SOURCE_DIR) + "/../shared/data"; }

inline bool underCi() {
    const char* ci = std::getenv("CI");
    return ci && std::string(ci) == "true";
}

// The message of the qf::Error an action throws, or "" when it throws none.
inline std::string errorOf(const std::function<void()>& action) {
    try {
        action();
    } catch (const qf::Error& error) {
        return error.what();
    }
    return "";
}

inline qf::Preprocessing preprocessing(int width, int height, float scale,
                                       std::array<float, 3> mean, std::array<float, 3> std) {
    qf::Preprocessing pre;
    pre.width = width;
    pre.height = height;
    pre.scale = scale;
    pre.mean = mean;
    pre.std = std;
    return pre;
}

// The data columns of a face-detector test row: model and weights (relative to the shared data),
// input width x height, and one mean and std for all three channels.
inline void addFaceDetectorColumns() {
    QTest::addColumn<QString>("model");
    QTest::addColumn<QString>("weights");
    QTest::addColumn<int>("width");
    QTest::addColumn<int>("height");
    QTest::addColumn<float>("mean");
    QTest::addColumn<float>("std");
}

}  // namespace qftest

// Declares `var` as the path of a file in ../shared/data and skips the test when it is absent;
// under CI=true its absence is a failure, since CI must exercise the real models.
#define QF_SHARED(var, relative)                                                            \
    const std::string var = qftest::sharedDataRoot() + "/" + (relative);                    \
    do {                                                                                    \
        if (!QFileInfo::exists(QString::fromStdString(var))) {                              \
            if (qftest::underCi()) QFAIL(("missing shared data under CI: " + var).c_str()); \
            QSKIP(("shared data not present, skipping: " + var).c_str());                   \
        }                                                                                   \
    } while (false)

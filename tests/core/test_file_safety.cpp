// Files are read and written only where that is safe: a model is read only from a regular file
// (a FIFO blocked `info` forever, /dev/zero was read for gigabytes), a write through a symlink
// replaces the file it names and keeps the link, and nothing but a regular file is replaced.
#include <sys/stat.h>
#include <unistd.h>

#include <QTemporaryDir>
#include <QtTest>
#include <filesystem>

#include "formats/model_io.h"
#include "test_support.h"
#include "util/atomic_file.h"
#include "util/error.h"

namespace fs = std::filesystem;

class TestFileSafety : public QObject {
    Q_OBJECT

private slots:
    void modelsAreReadOnlyFromRegularFiles() {
        QTemporaryDir dir;
        const std::string fifo = (dir.path() + "/model.onnx").toStdString();
        QCOMPARE(::mkfifo(fifo.c_str(), 0600), 0);
        const std::string fromFifo = qftest::errorOf([&] { qf::loadModel(fifo); });
        QVERIFY2(fromFifo.find(fifo + ": not a regular file") != std::string::npos,
                 fromFifo.c_str());
        const std::string folder = (dir.path() + "/folder.onnx").toStdString();
        fs::create_directory(folder);
        const std::string fromFolder = qftest::errorOf([&] { qf::loadModel(folder); });
        QVERIFY2(fromFolder.find("not a regular file") != std::string::npos, fromFolder.c_str());
        const std::string prototxt = qftest::sourcePath("resources/sample/digits_deploy.prototxt");
        const std::string weights = qftest::errorOf([&] { qf::loadModel(prototxt, fifo); });
        QVERIFY2(weights.find(fifo + ": not a regular file") != std::string::npos, weights.c_str());
        QVERIFY2(qftest::errorOf([&] {
                     qf::loadModel(folder + "/missing.onnx");
                 }).find("no such file") != std::string::npos,
                 "a missing model is named as missing");
    }

    void writesFollowSymlinksAndKeepThem() {
        QTemporaryDir dir;
        const std::string target = (dir.path() + "/real.onnx").toStdString();
        const std::string link = (dir.path() + "/link.onnx").toStdString();
        qf::writeFileAtomically(target, "old");
        fs::create_symlink(target, link);
        const qf::Graph graph = qf::loadModel(qftest::sourcePath("resources/sample/digits.onnx"));
        qf::saveModel(graph, link, "");
        QVERIFY(fs::is_symlink(link));
        QVERIFY(qf::readFile(target) != "old");
        QCOMPARE(qf::loadModel(link).nodes.size(), graph.nodes.size());
        // No temporary file is left beside either.
        size_t entries = 0;
        for ([[maybe_unused]] const auto& entry : fs::directory_iterator(dir.path().toStdString()))
            ++entries;
        QCOMPARE(entries, size_t{2});
    }

    void onlyRegularFilesAreReplaced() {
        QTemporaryDir dir;
        const std::string fifo = (dir.path() + "/table.json").toStdString();
        QCOMPARE(::mkfifo(fifo.c_str(), 0600), 0);
        const std::string error = qftest::errorOf([&] { qf::writeFileAtomically(fifo, "{}"); });
        QVERIFY2(error.find("not a regular file") != std::string::npos, error.c_str());
        QVERIFY(fs::is_fifo(fifo));
        const std::string link = (dir.path() + "/link.json").toStdString();
        fs::create_symlink(fifo, link);
        QVERIFY(qftest::errorOf([&] {
                    qf::writeFileAtomically(link, "{}");
                }).find("not a regular file") != std::string::npos);
        QVERIFY(fs::is_symlink(link) && fs::is_fifo(fifo));
    }
};

QTEST_GUILESS_MAIN(TestFileSafety)
#include "test_file_safety.moc"

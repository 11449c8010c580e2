// Image folders, labels files and preprocessing, checked against hand-computed values.
#include <QtTest>
#include <filesystem>
#include <fstream>
#include <opencv2/imgcodecs.hpp>

#include "evaluate/inference_run.h"
#include "formats/model_io.h"
#include "images/image_folder.h"
#include "images/image_header.h"
#include "images/image_runner.h"
#include "images/preprocessing.h"
#include "test_support.h"
#include "util/atomic_file.h"
#include "util/error.h"

namespace {

void writeText(const std::string& path, const std::string& text) {
    std::ofstream(path, std::ios::binary) << text;
}

}  // namespace

class TestImageFolder : public QObject {
    Q_OBJECT

private slots:
    void preprocessesPixelsAsSpecified() {
        QTemporaryDir dir;
        // A 2x1 BGR image: left pixel B=10 G=20 R=30, right pixel B=200 G=100 R=50.
        cv::Mat image(1, 2, CV_8UC3);
        image.at<cv::Vec3b>(0, 0) = {10, 20, 30};
        image.at<cv::Vec3b>(0, 1) = {200, 100, 50};
        const std::string path = dir.filePath("pixels.png").toStdString();
        QVERIFY(cv::imwrite(path, image));
        qf::Preprocessing pre;
        pre.width = 2;
        pre.height = 1;
        pre.scale = 0.5f;
        pre.mean = {1.0f, 2.0f, 3.0f};
        pre.std = {2.0f, 4.0f, 5.0f};
        const qf::Tensor rgb = qf::loadImageTensor(path, pre, 3);
        QCOMPARE(rgb.shape, (qf::Shape{1, 3, 1, 2}));
        // Channel 0 is red: (30 * 0.5 - 1) / 2 = 7 and (50 * 0.5 - 1) / 2 = 12.
        const std::vector<float> expectedRgb = {7.0f, 12.0f, 2.0f, 12.0f, 0.4f, 19.4f};
        for (size_t k = 0; k < expectedRgb.size(); ++k)
            QVERIFY(std::abs(rgb.f[k] - expectedRgb[k]) < 1e-6);
        pre.rgb = false;
        const qf::Tensor bgr = qf::loadImageTensor(path, pre, 3);
        QVERIFY(std::abs(bgr.f[0] - (10 * 0.5f - 1) / 2) < 1e-6);
        const qf::Tensor gray = qf::loadImageTensor(path, pre, 1);
        QCOMPARE(gray.shape, (qf::Shape{1, 1, 1, 2}));
    }

    void resizesShorterSideThenCrops() {
        QTemporaryDir dir;
        cv::Mat image(40, 80, CV_8UC3, cv::Scalar(0, 0, 0));
        image(cv::Rect(30, 0, 20, 40)).setTo(cv::Scalar(255, 255, 255));  // a white center band
        const std::string path = dir.filePath("wide.bmp").toStdString();
        QVERIFY(cv::imwrite(path, image));
        qf::Preprocessing pre;
        pre.width = pre.height = 10;
        pre.resizeShorter = 20;  // 40x80 -> 20x40, then the center 10x10 is inside the band
        pre.centerCrop = true;
        const qf::Tensor t = qf::loadImageTensor(path, pre, 3);
        QCOMPARE(t.shape, (qf::Shape{1, 3, 10, 10}));
        for (const float v : t.f) QCOMPARE(v, 255.0f);
    }

    void readsLabelsAndReportsBadLines() {
        QTemporaryDir dir;
        cv::Mat image(4, 4, CV_8UC3, cv::Scalar(1, 2, 3));
        for (const char* name : {"b.png", "a.jpg", "c.bmp"})
            QVERIFY(cv::imwrite(dir.filePath(name).toStdString(), image));
        writeText(dir.filePath("notes.txt").toStdString(), "not an image");
        writeText(dir.filePath("labels.txt").toStdString(), "a.jpg 3\nb.png 7\n");
        const qf::ImageFolder folder = qf::openImageFolder(dir.path().toStdString());
        QCOMPARE(folder.images.size(), size_t{3});
        QVERIFY(folder.hasLabels);
        QCOMPARE(folder.images[0].label, 3);
        QCOMPARE(folder.images[1].label, 7);
        QCOMPARE(folder.images[2].label, -1);

        const std::string badLabels = dir.filePath("bad.txt").toStdString();
        writeText(badLabels, "a.jpg 3\n\nb.png seven\n");
        const std::string message =
            qftest::errorOf([&] { qf::openImageFolder(dir.path().toStdString(), badLabels); });
        QVERIFY2(message.find(badLabels + ":3:") != std::string::npos, message.c_str());
    }

    // File names with spaces (the label is the last word), duplicates refused, and a word for
    // labels of missing files and images without labels; a label the model has no class for
    // is an error naming the labels file and line (it counted as a silent miss).
    void labelsAreCheckedAndPlaced() {
        QTemporaryDir dir;
        cv::Mat image(4, 4, CV_8UC3, cv::Scalar(1, 2, 3));
        for (const char* name : {"my cat.png", "dog.png", "other.png"})
            QVERIFY(cv::imwrite(dir.filePath(name).toStdString(), image));
        const std::string labels = dir.filePath("labels.txt").toStdString();
        writeText(labels, "# file label\nmy cat.png  3\r\ndog.png 1\ngone.png 2\n");
        const qf::ImageFolder folder = qf::openImageFolder(dir.path().toStdString());
        QCOMPARE(folder.images[1].label, 3);  // "my cat.png", after "dog.png"
        QCOMPARE(folder.images[1].labelWhere, labels + ":2");
        QCOMPARE(folder.warnings.size(), size_t{2});
        QVERIFY2(folder.warnings[0].text().find("'other.png' has no label") != std::string::npos,
                 folder.warnings[0].text().c_str());
        QVERIFY2(
            folder.warnings[1].text().find(labels + ":4") != std::string::npos &&
                folder.warnings[1].text().find("'gone.png' is not an image") != std::string::npos,
            folder.warnings[1].text().c_str());
        writeText(labels, "dog.png 1\ndog.png 2\n");
        const std::string twice =
            qftest::errorOf([&] { qf::openImageFolder(dir.path().toStdString()); });
        QVERIFY2(twice.find(labels + ":2") != std::string::npos &&
                     twice.find("labelled twice") != std::string::npos,
                 twice.c_str());

        // The sample classifies 10 digits: label 12 has no class.
        const std::string sampleImages = qftest::sourcePath("resources/sample/images");
        const qf::ImageFolder sample = qf::openImageFolder(sampleImages);
        const std::string outOfRange = dir.filePath("digits.txt").toStdString();
        writeText(
            outOfRange,
            "\n" + std::filesystem::path(sample.images[0].path).filename().string() + " 12\n");
        qf::RunOptions options;
        options.pre =
            qftest::preprocessing(16, 16, 1.0f / 255, {0.5f, 0.5f, 0.5f}, {0.5f, 0.5f, 0.5f});
        options.maxImages = 2;
        const qf::Graph graph = qf::loadModel(qftest::sourcePath("resources/sample/digits.onnx"));
        const std::string error = qftest::errorOf(
            [&] { qf::runImages(graph, qf::openImageFolder(sampleImages, outOfRange), options); });
        QVERIFY2(error.find(outOfRange + ":2: label 12 of") != std::string::npos &&
                     error.find("has 10 values") != std::string::npos,
                 error.c_str());
    }

    void rejectsEmptyAndMissingFolders() {
        QTemporaryDir dir;
        std::string message =
            qftest::errorOf([&] { qf::openImageFolder(dir.path().toStdString()); });
        QVERIFY2(message.find("no images") != std::string::npos, message.c_str());
        message =
            qftest::errorOf([&] { qf::openImageFolder(dir.filePath("absent").toStdString()); });
        QVERIFY2(message.find("not a folder") != std::string::npos, message.c_str());
    }

    void spreadPositionsCoverTheRange() {
        QCOMPARE(qf::spreadPositions(10, 0), (std::vector<size_t>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}));
        QCOMPARE(qf::spreadPositions(3, 7), (std::vector<size_t>{0, 1, 2}));
        QCOMPARE(qf::spreadPositions(10, 4), (std::vector<size_t>{0, 2, 5, 7}));
        QCOMPARE(qf::spreadPositions(1000, 2), (std::vector<size_t>{0, 500}));
        QVERIFY(qf::spreadPositions(0, 5).empty());
    }

    // A folder sorted by class (a_*, b_*, c_*): spread positions visit every class, in name
    // order; --max-images still takes the first images.
    void spreadPositionsSampleEveryClass() {
        QTemporaryDir dir;
        for (const char* cls : {"a", "b", "c"})
            for (int k = 0; k < 4; ++k)
                cv::imwrite(dir.filePath(QString("%1_%2.png").arg(cls).arg(k)).toStdString(),
                            cv::Mat(4, 4, CV_8UC3, cv::Scalar(10, 20, 30)));
        const qf::ImageFolder folder = qf::openImageFolder(dir.path().toStdString());
        qf::Preprocessing pre;
        pre.width = pre.height = 4;
        std::vector<std::string> visited;
        const auto visit = [&](const qf::LabeledImage& image, const qf::Tensor&) {
            visited.push_back(std::filesystem::path(image.path).filename().string());
        };
        qf::forEachImageAt(folder, qf::spreadPositions(folder.images.size(), 3), pre, 3, {}, visit);
        QCOMPARE(visited, (std::vector<std::string>{"a_0.png", "b_0.png", "c_0.png"}));
        visited.clear();
        qf::forEachImage(folder, pre, 3, 3, {}, visit);
        QCOMPARE(visited, (std::vector<std::string>{"a_0.png", "a_1.png", "a_2.png"}));
        QCOMPARE(qf::imagesToVisit(folder, 3), 3L);
    }

    void namesUndecodableImages() {
        QTemporaryDir dir;
        const std::string path = dir.filePath("broken.png").toStdString();
        writeText(path, "\x89PNG but then nothing");
        qf::Preprocessing pre;
        pre.width = pre.height = 4;
        const std::string message = qftest::errorOf([&] { qf::loadImageTensor(path, pre, 3); });
        QVERIFY2(message.find(path) != std::string::npos &&
                     message.find("cannot decode") != std::string::npos,
                 message.c_str());
    }

    // The header reader gives what OpenCV decodes, for the formats it knows.
    void headerSizesMatchTheDecodedImages() {
        QTemporaryDir dir;
        const cv::Mat image(23, 37, CV_8UC3, cv::Scalar(10, 200, 30));
        const std::vector<std::pair<std::string, std::vector<int>>> files = {
            {"a.png", {}},
            {"a.jpg", {}},
            {"progressive.jpg", {cv::IMWRITE_JPEG_PROGRESSIVE, 1}},
            {"a.bmp", {}}};
        for (const auto& [name, flags] : files) {
            const std::string path = dir.filePath(QString::fromStdString(name)).toStdString();
            QVERIFY(cv::imwrite(path, image, flags));
            const auto size = qf::readImageDimensions(path);
            QVERIFY2(size.has_value(), name.c_str());
            const cv::Mat decoded = cv::imread(path);
            QCOMPARE(size->width, static_cast<int64_t>(decoded.cols));
            QCOMPARE(size->height, static_cast<int64_t>(decoded.rows));
        }
        const std::string tiff = dir.filePath("a.tiff").toStdString();
        QVERIFY(cv::imwrite(tiff, image));
        QVERIFY(!qf::readImageDimensions(tiff).has_value());
    }

    // A small PNG whose header declares 32000 x 32000 pixels is refused before decoding (it
    // decoded to 5.9 GB); so are input sizes and resizes past the limit.
    void hugeImagesAreRefusedBeforeDecoding() {
        QTemporaryDir dir;
        const std::string path = dir.filePath("huge.png").toStdString();
        QVERIFY(cv::imwrite(path, cv::Mat(4, 4, CV_8UC3, cv::Scalar(1, 2, 3))));
        std::string bytes = qf::readFile(path);
        const unsigned char side[4] = {0x00, 0x00, 0x7D, 0x00};  // 32000, big-endian
        for (int k = 0; k < 4; ++k) {
            bytes[16 + k] = static_cast<char>(side[k]);
            bytes[20 + k] = static_cast<char>(side[k]);
        }
        writeText(path, bytes);
        qf::Preprocessing pre;
        pre.width = pre.height = 4;
        const std::string message = qftest::errorOf([&] { qf::loadImageTensor(path, pre, 3); });
        QVERIFY2(message.find(path + ": the image is 32000x32000 pixels, larger than the limit "
                                     "of 100 megapixels") != std::string::npos,
                 message.c_str());
        pre.width = pre.height = 200000;
        const std::string small = qftest::sourcePath("resources/sample/images");
        const std::string any = qf::openImageFolder(small).images.front().path;
        QVERIFY(qftest::errorOf([&] {
                    qf::loadImageTensor(any, pre, 3);
                }).find("input size 200000x200000 is larger than the limit") != std::string::npos);
        pre.width = pre.height = 4;
        pre.resizeShorter = 1000000;
        QVERIFY(qftest::errorOf([&] {
                    qf::loadImageTensor(any, pre, 3);
                }).find("makes the image larger than 100 megapixels") != std::string::npos);
    }
};

QTEST_GUILESS_MAIN(TestImageFolder)
#include "test_image_folder.moc"

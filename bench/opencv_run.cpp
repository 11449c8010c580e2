// OpenCV's dnn doing what `quantfold-cli run` does on a Caffe classifier and an image folder:
// decode each image, resize, scale, subtract the mean, divide by the std, infer, take the top-1
// (and count it against DIR/labels.txt when present). bench/vs_ncnn.sh times both in one run.
//   quantfold-opencv-run PROTOTXT CAFFEMODEL DIR WIDTH HEIGHT SCALE MEAN(a,b,c) STD(a,b,c)
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <opencv2/core.hpp>
#include <opencv2/dnn.hpp>
#include <opencv2/imgcodecs.hpp>
#include <sstream>
#include <string>
#include <vector>

namespace {

cv::Scalar triple(const std::string& text) {
    double v[3] = {0, 0, 0};
    std::stringstream stream(text);
    std::string part;
    for (int k = 0; k < 3 && std::getline(stream, part, ','); ++k) v[k] = std::stod(part);
    return {v[0], v[1], v[2]};
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 9) {
        std::fprintf(stderr, "usage: %s PROTOTXT CAFFEMODEL DIR WIDTH HEIGHT SCALE MEAN STD\n",
                     argv[0]);
        return 2;
    }
    const auto start = std::chrono::steady_clock::now();
    cv::dnn::Net net = cv::dnn::readNetFromCaffe(argv[1], argv[2]);
    const std::filesystem::path dir = argv[3];
    const cv::Size size(std::stoi(argv[4]), std::stoi(argv[5]));
    const double scale = std::stod(argv[6]);
    const cv::Scalar mean = triple(argv[7]), std = triple(argv[8]);
    std::map<std::string, int> labels;
    std::ifstream labelFile(dir / "labels.txt");
    for (std::string file; labelFile >> file;) labelFile >> labels[file];
    std::vector<std::filesystem::path> images;
    for (const auto& entry : std::filesystem::directory_iterator(dir)) {
        const std::string ext = entry.path().extension().string();
        if (ext == ".jpg" || ext == ".png" || ext == ".bmp") images.push_back(entry.path());
    }
    std::sort(images.begin(), images.end());
    int correct = 0, labelled = 0;
    for (const auto& path : images) {
        const cv::Mat image = cv::imread(path.string(), cv::IMREAD_COLOR);
        if (image.empty()) continue;
        // (pixel · scale − mean) / std per channel, RGB order, as the CLI's defaults.
        cv::Mat blob = cv::dnn::blobFromImage(image, scale, size, mean / scale, true, false);
        for (int c = 0; c < 3; ++c) {
            cv::Mat plane(size, CV_32F, blob.ptr<float>(0, c));
            plane /= std[c];
        }
        net.setInput(blob);
        const cv::Mat out = net.forward();
        cv::Point best;
        cv::minMaxLoc(out.reshape(1, 1), nullptr, nullptr, nullptr, &best);
        const auto label = labels.find(path.filename().string());
        if (label != labels.end()) {
            ++labelled;
            correct += best.x == label->second;
        }
    }
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::printf("images=%zu top1=%.4f seconds=%.3f\n", images.size(),
                labelled ? static_cast<double>(correct) / labelled : 0.0, seconds);
}

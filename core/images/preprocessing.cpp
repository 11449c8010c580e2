#include "images/preprocessing.h"

#include <atomic>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "images/image_header.h"
#include "util/error.h"

namespace qf {

Preprocessing withModelSize(Preprocessing pre, const Shape& inputShape) {
    if (pre.width > 0 && pre.height > 0) return pre;
    if (inputShape.size() != 4 || inputShape[2] <= 0 || inputShape[3] <= 0)
        throw Error("the model input " + shapeToString(inputShape) +
                    " does not fix the image size; give it with --size WxH");
    pre.height = static_cast<int>(inputShape[2]);
    pre.width = static_cast<int>(inputShape[3]);
    return pre;
}

namespace {

std::atomic<int64_t> imagePixelLimit{kDefaultMaxImagePixels};

}  // namespace

int64_t defaultMaxImagePixels() { return imagePixelLimit.load(std::memory_order_relaxed); }

void setDefaultMaxImagePixels(int64_t pixels) {
    if (pixels <= 0) throw Error("the image pixel limit must be positive");
    imagePixelLimit.store(pixels, std::memory_order_relaxed);
}

bool exceedsPixelLimit(int64_t width, int64_t height, const Preprocessing& pre) {
    return width > pre.maxImagePixels / std::max<int64_t>(1, height);
}

std::string pixelLimitText(const Preprocessing& pre) {
    return std::to_string(pre.maxImagePixels / 1000000) + " megapixels";
}

Tensor loadImageTensor(const std::string& path, const Preprocessing& pre, int channels) {
    if (channels != 1 && channels != 3)
        throw Error(path + ": the model wants " + std::to_string(channels) +
                    " input channels; images give 1 or 3");
    if (pre.width <= 0 || pre.height <= 0) throw Error("image size is not set (--size WxH)");
    if (exceedsPixelLimit(pre.width, pre.height, pre))
        throw Error("the input size " + std::to_string(pre.width) + "x" +
                    std::to_string(pre.height) + " is larger than the limit of " +
                    pixelLimitText(pre));
    if (const auto declared = readImageDimensions(path)) {
        if (exceedsPixelLimit(declared->width, declared->height, pre))
            throw Error(path + ": the image is " + std::to_string(declared->width) + "x" +
                        std::to_string(declared->height) + " pixels, larger than the limit of " +
                        pixelLimitText(pre) + "; not decoded");
    }
    cv::Mat image;
    try {
        image = cv::imread(path, channels == 1 ? cv::IMREAD_GRAYSCALE : cv::IMREAD_COLOR);
    } catch (const cv::Exception& e) {
        // e.err is OpenCV's message alone; what() adds its source file and line over lines.
        throw Error(path + ": cannot decode image (" + e.err + ")");
    }
    if (image.empty()) throw Error(path + ": cannot decode image (corrupt or not an image)");
    try {
        if (channels == 3 && pre.rgb) cv::cvtColor(image, image, cv::COLOR_BGR2RGB);

        if (pre.resizeShorter > 0) {
            const double factor =
                static_cast<double>(pre.resizeShorter) / std::min(image.cols, image.rows);
            if (static_cast<double>(image.cols) * factor * static_cast<double>(image.rows) *
                    factor >
                static_cast<double>(pre.maxImagePixels))
                throw Error(path + ": resizing the shorter side to " +
                            std::to_string(pre.resizeShorter) + " makes the image larger than " +
                            pixelLimitText(pre));
            cv::resize(image, image,
                       cv::Size(std::max(1, static_cast<int>(std::lround(image.cols * factor))),
                                std::max(1, static_cast<int>(std::lround(image.rows * factor)))),
                       0, 0, cv::INTER_LINEAR);
        }
        if (pre.centerCrop && image.cols >= pre.width && image.rows >= pre.height) {
            const cv::Rect box((image.cols - pre.width) / 2, (image.rows - pre.height) / 2,
                               pre.width, pre.height);
            image = image(box).clone();
        }
        if (image.cols != pre.width || image.rows != pre.height)
            cv::resize(image, image, cv::Size(pre.width, pre.height), 0, 0, cv::INTER_LINEAR);
    } catch (const cv::Exception& e) {
        throw Error(path + ": cannot resize the image (" + e.err + ")");
    }

    Tensor tensor = Tensor::floats({1, channels, pre.height, pre.width});
    const int plane = pre.width * pre.height;
    for (int y = 0; y < pre.height; ++y) {
        const uint8_t* row = image.ptr<uint8_t>(y);
        for (int x = 0; x < pre.width; ++x)
            for (int c = 0; c < channels; ++c) {
                const float pixel = row[x * channels + c];
                tensor.f[c * plane + y * pre.width + x] =
                    (pixel * pre.scale - pre.mean[c]) / pre.std[c];
            }
    }
    return tensor;
}

}  // namespace qf

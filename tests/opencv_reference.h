#pragma once
// OpenCV's dnn module as the independent runtime tests compare against.
#include <opencv2/dnn.hpp>
#include <string>
#include <vector>

#include "graph/tensor.h"

namespace qftest {

inline cv::dnn::Net openCvNet(const std::string& model, const std::string& weights = "") {
    cv::dnn::Net net =
        weights.empty() ? cv::dnn::readNet(model) : cv::dnn::readNetFromCaffe(model, weights);
    net.setPreferableBackend(cv::dnn::DNN_BACKEND_OPENCV);
    net.setPreferableTarget(cv::dnn::DNN_TARGET_CPU);
    return net;
}

inline cv::Mat toMat(const qf::Tensor& tensor) {
    std::vector<int> dims(tensor.shape.begin(), tensor.shape.end());
    return cv::Mat(static_cast<int>(dims.size()), dims.data(), CV_32F,
                   const_cast<float*>(tensor.f.data()))
        .clone();
}

inline qf::Tensor fromMat(const cv::Mat& mat) {
    qf::Shape shape;
    for (int k = 0; k < mat.dims; ++k) shape.push_back(mat.size[k]);
    const cv::Mat dense = mat.isContinuous() ? mat : mat.clone();
    const float* data = dense.ptr<float>();
    return qf::Tensor::floats(shape, std::vector<float>(data, data + dense.total()));
}

// Runs the net on one input and returns the named outputs in order.
inline std::vector<qf::Tensor> runOpenCv(cv::dnn::Net& net, const qf::Tensor& input,
                                         const std::vector<std::string>& outputs) {
    net.setInput(toMat(input));
    std::vector<cv::String> names(outputs.begin(), outputs.end());
    std::vector<cv::Mat> mats;
    net.forward(mats, names);
    std::vector<qf::Tensor> result;
    for (const auto& mat : mats) result.push_back(fromMat(mat));
    return result;
}

// max |a - b| / max |b| over one output: the relative error of the whole tensor.
inline double normRelativeDifference(const std::vector<float>& a, const std::vector<float>& b) {
    if (a.size() != b.size()) return 1e30;
    double worst = 0.0, scale = 0.0;
    for (size_t k = 0; k < a.size(); ++k) {
        const double d = std::abs(static_cast<double>(a[k]) - b[k]);
        if (!(d <= worst)) worst = d;
        scale = std::max(scale, std::abs(static_cast<double>(b[k])));
    }
    return worst / std::max(scale, 1e-12);
}

}  // namespace qftest

#pragma once
#include <array>
#include <string>

#include "graph/tensor.h"

namespace qf {

// The pixel limit a Preprocessing made from now on starts with: 100 M unless changed (the
// desktop app's Edit > Limits); setDefaultMaxImagePixels throws for <= 0.
int64_t defaultMaxImagePixels();
constexpr int64_t kDefaultMaxImagePixels = 100'000'000;
void setDefaultMaxImagePixels(int64_t pixels);

// How an image becomes a network input: optional resize of the shorter side + center crop,
// else a resize to width x height; then x = (pixel * scale - mean[c]) / std[c] in the chosen
// channel order, laid out NCHW.
struct Preprocessing {
    int width = 0;  // 0: take it from the model's input shape
    int height = 0;
    float scale = 1.0f;
    std::array<float, 3> mean{0.0f, 0.0f, 0.0f};
    std::array<float, 3> std{1.0f, 1.0f, 1.0f};
    bool rgb = true;
    int resizeShorter = 0;  // 0: no shorter-side resize
    bool centerCrop = false;
    // The largest image, as decoded or resized, in pixels: checked on the file's header before
    // decoding, so a small file declaring a huge image is refused instead of filling the memory.
    int64_t maxImagePixels = defaultMaxImagePixels();
};

// Whether a width x height image exceeds pre.maxImagePixels (overflow-safe), and that limit as
// text ("100 megapixels"): shared by the per-image checks and the front ends' option checks.
bool exceedsPixelLimit(int64_t width, int64_t height, const Preprocessing& pre);
std::string pixelLimitText(const Preprocessing& pre);

// Reads and preprocesses one image into a [1, channels, height, width] tensor (channels 1 or
// 3). Throws qf::Error naming the file when it cannot be decoded or is larger than
// pre.maxImagePixels (from its header, or after the shorter-side resize).
Tensor loadImageTensor(const std::string& path, const Preprocessing& pre, int channels);

// Fills width/height from an NCHW model input shape where the user gave none.
Preprocessing withModelSize(Preprocessing pre, const Shape& inputShape);

}  // namespace qf

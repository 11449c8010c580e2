#pragma once
// An image's size read from its header, before anything is decoded: a 3 MB PNG can declare
// 32000 x 32000 pixels and decode to 6 GB.
#include <cstdint>
#include <optional>
#include <string>

namespace qf {

struct ImageDimensions {
    int64_t width = 0;
    int64_t height = 0;
};

// Width and height from a PNG, JPEG or BMP header; nullopt for other formats (OpenCV's own
// limit applies to those) and for headers too short to tell.
std::optional<ImageDimensions> readImageDimensions(const std::string& path);

}  // namespace qf

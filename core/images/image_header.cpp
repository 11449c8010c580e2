#include "images/image_header.h"

#include <algorithm>
#include <fstream>

namespace qf {
namespace {

uint32_t bigEndian(const unsigned char* p, int bytes) {
    uint32_t value = 0;
    for (int k = 0; k < bytes; ++k) value = (value << 8) | p[k];
    return value;
}

int32_t littleEndian32(const unsigned char* p) {
    return static_cast<int32_t>(static_cast<uint32_t>(p[0]) | static_cast<uint32_t>(p[1]) << 8 |
                                static_cast<uint32_t>(p[2]) << 16 |
                                static_cast<uint32_t>(p[3]) << 24);
}

// The frame header (SOFn) holds the size; every other segment before it is skipped by its
// length. Markers without a length (RSTn, TEM) and fill bytes are stepped over.
std::optional<ImageDimensions> jpegDimensions(std::ifstream& in) {
    unsigned char byte = 0;
    for (;;) {
        if (!in.read(reinterpret_cast<char*>(&byte), 1)) return std::nullopt;
        if (byte != 0xFF) continue;
        unsigned char marker = 0xFF;
        while (marker == 0xFF)
            if (!in.read(reinterpret_cast<char*>(&marker), 1)) return std::nullopt;
        if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD8) || marker == 0x00) continue;
        if (marker == 0xD9 || marker == 0xDA) return std::nullopt;  // end, or scan data
        unsigned char length[2];
        if (!in.read(reinterpret_cast<char*>(length), 2)) return std::nullopt;
        const uint32_t size = bigEndian(length, 2);
        if (size < 2) return std::nullopt;
        const bool frame =
            marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
        if (frame) {
            unsigned char header[5];
            if (size < 7 || !in.read(reinterpret_cast<char*>(header), 5)) return std::nullopt;
            return ImageDimensions{bigEndian(header + 3, 2), bigEndian(header + 1, 2)};
        }
        in.seekg(size - 2, std::ios::cur);
    }
}

}  // namespace

std::optional<ImageDimensions> readImageDimensions(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    unsigned char head[26] = {};
    if (!in.read(reinterpret_cast<char*>(head), 2)) return std::nullopt;
    if (head[0] == 0xFF && head[1] == 0xD8) return jpegDimensions(in);
    if (!in.read(reinterpret_cast<char*>(head + 2), sizeof(head) - 2)) return std::nullopt;
    static const unsigned char png[8] = {0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A};
    if (std::equal(png, png + 8, head) && std::equal(head + 12, head + 16, "IHDR"))
        return ImageDimensions{bigEndian(head + 16, 4), bigEndian(head + 20, 4)};
    if (head[0] == 'B' && head[1] == 'M') {
        const int32_t width = littleEndian32(head + 18), height = littleEndian32(head + 22);
        // A negative height is a top-down bitmap.
        return ImageDimensions{width, height < 0 ? -static_cast<int64_t>(height) : height};
    }
    return std::nullopt;
}

}  // namespace qf

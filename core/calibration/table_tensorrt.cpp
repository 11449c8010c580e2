#include "calibration/table_tensorrt.h"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <set>

#include "util/atomic_file.h"
#include "util/error.h"
#include "util/text_lines.h"

namespace qf {
namespace {

const char* const kHeaderPrefix = "TRT-";

std::string calibratorOf(const CalibrationTable& table) {
    bool allMinMax = !table.tensors.empty();
    for (const auto& entry : table.tensors)
        allMinMax = allMinMax && entry.second.method == ThresholdMethod::MinMax;
    return allMinMax ? "MinMaxCalibration" : "EntropyCalibration2";
}

bool isDigits(const std::string& text) {
    if (text.empty()) return false;
    for (const char c : text)
        if (c < '0' || c > '9') return false;
    return true;
}

std::string shortest(double value) {
    char buffer[32];
    const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
    return std::string(buffer, result.ptr);
}

int hexDigit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// Names the graph can calibrate: its inputs and the outputs of its nodes.
std::set<std::string> activationNames(const Graph& graph) {
    std::set<std::string> names;
    for (const auto& input : graph.inputs) names.insert(input.name);
    for (const auto& node : graph.nodes) names.insert(node.outputs.begin(), node.outputs.end());
    return names;
}

}  // namespace

std::string tensorRtScaleHex(double threshold) {
    const float scale = static_cast<float>(threshold / 127.0);
    uint32_t bits = 0;
    std::memcpy(&bits, &scale, sizeof bits);
    static const char digits[] = "0123456789abcdef";
    std::string hex(8, '0');
    for (int k = 7; k >= 0; --k, bits >>= 4) hex[static_cast<size_t>(k)] = digits[bits & 0xf];
    return hex;
}

std::string tensorRtCacheText(const CalibrationTable& table, int version) {
    std::string text = kHeaderPrefix + std::to_string(version) + "-" + calibratorOf(table) + "\n";
    for (const auto& [name, tensor] : table.tensors) {
        if (name.find_first_of("\r\n") != std::string::npos)
            throw Error("tensor '" + name +
                        "': a TensorRT cache cannot hold a name with a line break");
        const double threshold = tensor.threshold();
        // Checked as the float32 that is stored: a tiny threshold would underflow to scale 0.
        const float scale = static_cast<float>(threshold / 127.0);
        if (!(scale > 0.0f) || !std::isfinite(scale))
            throw Error("tensor '" + name + "': threshold " + shortest(threshold) +
                        " does not give a finite positive float32 scale");
        text += name + ": " + tensorRtScaleHex(threshold) + "\n";
    }
    return text;
}

void writeTensorRtCache(const CalibrationTable& table, const std::string& path, int version) {
    writeFileAtomically(path, tensorRtCacheText(table, version));
}

TensorRtCache parseTensorRtCache(const std::string& text, const std::string& fileName,
                                 const Graph* graph) {
    TensorRtCache cache;
    const std::set<std::string> known = graph ? activationNames(*graph) : std::set<std::string>{};
    const std::vector<std::string> lines = textLines(text);
    bool sawHeader = false;
    for (size_t index = 0; index < lines.size(); ++index) {
        const std::string& line = lines[index];
        const size_t lineNumber = index + 1;
        // `subject` names the tensor the line is about; the diagnostic has it as a field and
        // the message without its "tensor '<name>': " prefix.
        const auto fail = [&](const std::string& problem, const std::string& subject = "") {
            const std::string prefix = "tensor '" + subject + "': ";
            const bool prefixed = !subject.empty() && problem.rfind(prefix, 0) == 0;
            throw Error(Diagnostic{Severity::Error, fileName, static_cast<int>(lineNumber), 0, "",
                                   subject, prefixed ? problem.substr(prefix.size()) : problem},
                        fileName + ":" + std::to_string(lineNumber) + ": " + problem);
        };
        if (!sawHeader) {
            // TRT-<version>-<calibrator>
            const size_t prefix = std::strlen(kHeaderPrefix);
            const size_t dash = line.find('-', prefix);
            const std::string version =
                dash == std::string::npos ? "" : line.substr(prefix, dash - prefix);
            if (line.rfind(kHeaderPrefix, 0) != 0 || !isDigits(version) || version.size() > 9 ||
                dash + 1 == line.size())
                fail(
                    "not a TensorRT calibration cache (expected a first line like "
                    "'TRT-8601-EntropyCalibration2')");
            cache.version = std::stoi(version);
            cache.calibrator = line.substr(dash + 1);
            sawHeader = true;
            continue;
        }
        if (line.empty()) continue;
        const size_t colon = line.rfind(": ");
        if (colon == std::string::npos || colon == 0)
            fail("expected '<tensor>: <8 hex digits>', found '" + line + "'");
        const std::string name = line.substr(0, colon);
        const std::string hex = line.substr(colon + 2);
        if (hex.empty() || hex.size() > 8)
            fail("tensor '" + name + "': '" + hex + "' is not 1 to 8 hex digits", name);
        uint32_t bits = 0;
        for (const char c : hex) {
            const int digit = hexDigit(c);
            if (digit < 0) fail("tensor '" + name + "': '" + hex + "' is not a hex number", name);
            bits = bits << 4 | static_cast<uint32_t>(digit);
        }
        float scale = 0.0f;
        std::memcpy(&scale, &bits, sizeof scale);
        if (std::isnan(scale)) fail("tensor '" + name + "': the scale is NaN", name);
        if (std::isinf(scale)) fail("tensor '" + name + "': the scale is infinite", name);
        if (!(scale > 0.0f))
            fail("tensor '" + name + "': the scale " + shortest(scale) + " is not positive", name);
        if (graph && known.count(name) == 0)
            fail("tensor '" + name + "' is neither an input nor a layer output of the model", name);
        if (!cache.thresholds.emplace(name, static_cast<double>(scale) * 127.0).second)
            fail("tensor '" + name + "' appears twice", name);
    }
    if (!sawHeader) throw Error(fileName + ": empty file, not a TensorRT calibration cache");
    return cache;
}

TensorRtCache readTensorRtCache(const std::string& path, const Graph* graph) {
    return parseTensorRtCache(readFile(path), path, graph);
}

}  // namespace qf

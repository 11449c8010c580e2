#include "calibration/table_json.h"

#include <cctype>
#include <charconv>
#include <cmath>
#include <cstring>
#include <iterator>
#include <nlohmann/json.hpp>
#include <set>
#include <utility>
#include <vector>

#include "util/atomic_file.h"
#include "util/error.h"

namespace qf {
namespace {

using nlohmann::json;
using nlohmann::ordered_json;

const char* const kFormat = "quantfold-calibration";
constexpr int kVersion = 1;
constexpr int64_t kMaxBins = int64_t{1} << 24;
const char* const kMixedMethods = "mixed";

// Shortest round-trip text of a double, for messages ("0", "1e-07"); std::to_chars ignores
// the C locale.
std::string number(double value) {
    char buffer[32];
    const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
    return std::string(buffer, result.ptr);
}

// ---- Writing

// A number JSON can hold; thresholds must also be positive, as the reader demands.
double checked(double value, const std::string& tensor, const std::string& what,
               bool positive = false) {
    if (!std::isfinite(value) || (positive && !(value > 0.0)))
        throw Error("tensor '" + tensor + "': " + what + " " + number(value) + " is not a finite" +
                    (positive ? " positive" : "") + " number");
    return value;
}

// Histogram counts are whole numbers: written as integers ("812", not "812.0") while exact.
ordered_json count(double value, const std::string& tensor, const std::string& what) {
    checked(value, tensor, what);
    if (value >= 0.0 && value < 9007199254740992.0 && value == std::floor(value))
        return static_cast<uint64_t>(value);
    return value;
}

std::string tableMethod(const CalibrationTable& table) {
    if (table.tensors.empty()) return methodName(ThresholdMethod::Kl);
    const ThresholdMethod first = table.tensors.begin()->second.method;
    for (const auto& entry : table.tensors)
        if (entry.second.method != first) return kMixedMethods;
    return methodName(first);
}

ordered_json tensorJson(const std::string& name, const TensorCalibration& tensor) {
    const AbsHistogram& histogram = tensor.histogram;
    ordered_json out;
    out["method"] = methodName(tensor.method);
    out["threshold"] = checked(tensor.threshold(), name, "threshold", true);
    out["manual_threshold"] =
        tensor.manualThreshold
            ? ordered_json(checked(*tensor.manualThreshold, name, "manual threshold", true))
            : ordered_json(nullptr);
    ordered_json thresholds = ordered_json::object();
    for (const auto& [method, threshold] : tensor.thresholds)
        thresholds[methodName(method)] =
            checked(threshold, name, methodName(method) + " threshold", true);
    out["thresholds"] = std::move(thresholds);
    if (!tensor.candidates.empty()) {
        // What the auto method tried: [threshold, SQNR dB of the int8 layers reading the tensor].
        ordered_json candidates = ordered_json::array();
        for (const ThresholdCandidate& candidate : tensor.candidates)
            candidates.push_back({checked(candidate.threshold, name, "candidate threshold", true),
                                  checked(candidate.sqnrDb, name, "candidate SQNR")});
        out["candidates"] = std::move(candidates);
    }
    out["min"] = checked(histogram.min(), name, "min");
    out["max"] = checked(histogram.max(), name, "max");
    ordered_json nonzero = ordered_json::array();
    const auto& counts = histogram.counts();
    for (size_t k = 0; k < counts.size(); ++k)
        if (counts[k] != 0.0) nonzero.push_back({k, count(counts[k], name, "histogram count")});
    out["histogram"] = {{"bins", counts.size()},
                        {"range", checked(histogram.range(), name, "histogram range")},
                        {"zeros", count(histogram.zeros(), name, "zero count")},
                        {"nonzero", std::move(nonzero)}};
    return out;
}

// The file's layout: the root, its two maps and each tensor one member per line, anything
// deeper on one line (a histogram of 2048 pairs stays one line). The text of every scalar is
// nlohmann's: round-trip doubles, independent of the C locale (which a Qt application sets
// from the environment), strings escaped; a name that is not UTF-8 is refused (type_error).
void layout(const ordered_json& value, int depth, std::string& out) {
    const bool container = value.is_object() || value.is_array();
    if (!container || value.empty()) {
        out += value.dump(-1, ' ', false, json::error_handler_t::strict);
        return;
    }
    const bool multiLine = value.is_object() && depth < 3;
    const std::string indent(static_cast<size_t>(2 * (depth + 1)), ' ');
    out += value.is_object() ? "{" : "[";
    const char* separator = multiLine ? "\n" : "";
    for (auto it = value.begin(); it != value.end(); ++it) {
        out += separator;
        if (multiLine) out += indent;
        if (value.is_object())
            out +=
                ordered_json(it.key()).dump(-1, ' ', false, json::error_handler_t::strict) + ": ";
        layout(*it, depth + 1, out);
        separator = multiLine ? ",\n" : ", ";
    }
    if (multiLine) out += "\n" + std::string(static_cast<size_t>(2 * depth), ' ');
    out += value.is_object() ? "}" : "]";
}

// ---- Reading

using Path = std::vector<std::string>;  // keys and array indices from the root

// Characters of the file text that remember how far the parser has read, so the SAX events
// below can tell where in the file they are (nlohmann 3.11 values keep no positions).
class TrackedChars {
public:
    using iterator_category = std::input_iterator_tag;
    using value_type = char;
    using difference_type = std::ptrdiff_t;
    using pointer = const char*;
    using reference = const char&;

    TrackedChars(const char* at, const char** read) : at_(at), read_(read) {}
    reference operator*() const { return *at_; }
    TrackedChars& operator++() {
        *read_ = ++at_;
        return *this;
    }
    TrackedChars operator++(int) {
        TrackedChars before = *this;
        ++*this;
        return before;
    }
    bool operator==(const TrackedChars& other) const { return at_ == other.at_; }
    bool operator!=(const TrackedChars& other) const { return at_ != other.at_; }

private:
    const char* at_;
    const char** read_;
};

// Where the JSON token that ends at `end` begins (the lexer reads one character past a
// number, so a trailing delimiter is stepped over first).
size_t tokenStart(const std::string& text, size_t end) {
    size_t last = std::min(end, text.size());
    while (last > 0 && std::strchr(" \t\r\n,:]}", text[last - 1])) --last;
    if (last == 0) return 0;
    const char c = text[last - 1];
    if (c == '{' || c == '[') return last - 1;
    if (c == '"') {
        for (size_t k = last - 1; k > 0;) {
            --k;
            if (text[k] != '"') continue;
            size_t slashes = 0;
            while (k > slashes && text[k - slashes - 1] == '\\') ++slashes;
            if (slashes % 2 == 0) return k;
        }
        return 0;
    }
    size_t k = last;
    while (k > 0 && (std::isalnum(static_cast<unsigned char>(text[k - 1])) ||
                     std::strchr("+-.", text[k - 1])))
        --k;
    return k;
}

// Walks the file with nlohmann's SAX parser, keeping the path of the current value: finds
// where the value at `target` starts, or where and inside what the parser gave up.
class PathWalker : public nlohmann::json_sax<json> {
public:
    PathWalker(const char* const* read, const char* begin, const Path* target)
        : read_(read), begin_(begin), target_(target) {}

    bool found = false;
    size_t foundEnd = 0;  // offset just past the target's first token
    // The parse error, if any: where, in what, the token read so far, nlohmann's message.
    bool failed = false;
    size_t errorOffset = 0;
    Path errorPath;
    std::string errorMessage;

    bool null() override { return value(); }
    bool boolean(bool) override { return value(); }
    bool number_integer(number_integer_t) override { return value(); }
    bool number_unsigned(number_unsigned_t) override { return value(); }
    bool number_float(number_float_t, const string_t&) override { return value(); }
    bool string(string_t&) override { return value(); }
    bool binary(binary_t&) override { return value(); }
    bool start_object(std::size_t) override { return open(false); }
    bool start_array(std::size_t) override { return open(true); }
    bool end_object() override { return close(); }
    bool end_array() override { return close(); }
    bool key(string_t& key) override {
        frames_.back().key = key;
        return true;
    }
    bool parse_error(std::size_t position, const std::string&,
                     const nlohmann::detail::exception& error) override {
        failed = true;
        errorOffset = position;
        errorPath = path();
        errorMessage = error.what();
        return false;
    }

private:
    struct Frame {
        bool array = false;
        long index = -1;
        std::string key;
    };

    Path path() const {
        Path result;
        for (const Frame& frame : frames_)
            result.push_back(frame.array ? std::to_string(frame.index) : frame.key);
        return result;
    }

    // A value starts; false (stop) once the target is found.
    bool value() {
        if (!frames_.empty() && frames_.back().array) ++frames_.back().index;
        if (target_ && path() == *target_) {
            found = true;
            foundEnd = static_cast<size_t>(*read_ - begin_);
            return false;
        }
        return true;
    }
    bool open(bool array) {
        if (!value()) return false;
        frames_.push_back({array, -1, {}});
        return true;
    }
    bool close() {
        frames_.pop_back();
        return true;
    }

    const char* const* read_;
    const char* begin_;
    const Path* target_;
    std::vector<Frame> frames_;
};

PathWalker walk(const std::string& text, const Path* target) {
    const char* read = text.data();
    PathWalker walker(&read, text.data(), target);
    json::sax_parse(TrackedChars(text.data(), &read),
                    TrackedChars(text.data() + text.size(), &read), &walker);
    return walker;
}

// "tensor 'c1'" and friends: which entry of the table a path points into.
struct Subject {
    std::string node, tensor;
};
Subject subjectOf(const Path& path) {
    if (path.size() >= 2 && path[0] == "tensors") return {"", path[1]};
    if (path.size() >= 2 && path[0] == "bias_corrections") return {path[1], ""};
    return {};
}

// What the value at the end of a path is, for a message: `kl threshold`, `"delta" entry`.
std::string valueName(const Path& path) {
    if (path.empty()) return "the value";
    const std::string& last = path.back();
    const bool index = !last.empty() && std::isdigit(static_cast<unsigned char>(last[0]));
    const std::string parent = path.size() >= 2 ? path[path.size() - 2] : "";
    if (index) return "an entry of \"" + (parent.empty() ? std::string("?") : parent) + "\"";
    if (parent == "thresholds") return last + " threshold";
    return last;
}

// nlohmann's message without its "[json.exception...] parse error at line 2, column 5: "
// prefix, whose position the diagnostic carries itself.
std::string plainMessage(const std::string& message) {
    const size_t column = message.find(", column ");
    if (column != std::string::npos) {
        const size_t colon = message.find(": ", column);
        if (colon != std::string::npos) return message.substr(colon + 2);
    }
    const size_t bracket = message.find("] ");
    return bracket != std::string::npos ? message.substr(bracket + 2) : message;
}

[[noreturn]] void failAt(const std::string& text, const std::string& fileName, size_t offset,
                         const Subject& subject, const std::string& problem) {
    const TextPosition position = textPosition(text, offset);
    throw Error(Diagnostic{Severity::Error, fileName, position.line, position.column, subject.node,
                           subject.tensor, problem});
}

// Invalid JSON: where the parser stopped and why. NaN and Infinity, which JSON lacks but
// other tools write, are named against the tensor that holds them.
[[noreturn]] void failParse(const std::string& text, const std::string& fileName) {
    const PathWalker walker = walk(text, nullptr);
    if (!walker.failed) throw Error(fileName + ": not valid JSON");
    // errorOffset counts the characters read, the offending one included.
    const size_t last = walker.errorOffset > 0 ? walker.errorOffset - 1 : 0;
    const size_t start = tokenStart(text, walker.errorOffset);
    const size_t literal = start < text.size() && text[start] == '-' ? start + 1 : start;
    const Subject subject = subjectOf(walker.errorPath);
    if (text.compare(literal, 3, "NaN") == 0)
        failAt(text, fileName, start, subject,
               valueName(walker.errorPath) + " is NaN, which JSON cannot hold");
    if (text.compare(literal, 8, "Infinity") == 0)
        failAt(text, fileName, start, subject,
               valueName(walker.errorPath) + " is infinite, which JSON cannot hold");
    failAt(text, fileName, last, {}, "not valid JSON: " + plainMessage(walker.errorMessage));
}

// Parses the text, refusing keys that appear twice in one object (nlohmann would keep the
// last silently, losing the other tensor).
json parseDocument(const std::string& text, const std::string& fileName) {
    const char* read = text.data();
    std::vector<std::set<std::string>> keys;
    const json::parser_callback_t noDuplicates = [&](int, json::parse_event_t event, json& parsed) {
        if (event == json::parse_event_t::object_start) keys.emplace_back();
        if (event == json::parse_event_t::object_end) keys.pop_back();
        if (event == json::parse_event_t::key &&
            !keys.back().insert(parsed.get<std::string>()).second)
            failAt(text, fileName, tokenStart(text, static_cast<size_t>(read - text.data())), {},
                   "key \"" + parsed.get<std::string>() + "\" appears twice");
        return true;
    };
    try {
        return json::parse(TrackedChars(text.data(), &read),
                           TrackedChars(text.data() + text.size(), &read), noDuplicates);
    } catch (const json::exception&) {
        failParse(text, fileName);
    }
}

// Turns the document into a table, naming the file, line and tensor of whatever is wrong.
class TableReader {
public:
    TableReader(const std::string& text, const std::string& fileName)
        : text_(text), fileName_(fileName) {}

    CalibrationTable table(const json& root) {
        const Path top;
        if (!root.is_object()) fail(top, "not a QuantFold calibration file (not a JSON object)");
        const auto format = root.find("format");
        if (format == root.end() || !format->is_string() || format->get<std::string>() != kFormat)
            fail(format == root.end() ? top : Path{"format"},
                 std::string("not a QuantFold calibration file (\"format\" is not \"") + kFormat +
                     "\")");
        const int64_t version = integerMember(root, top, "version", 1, 1000000);
        if (version > kVersion)
            fail({"version"}, "calibration file version " + std::to_string(version) +
                                  " is newer than this QuantFold reads (" +
                                  std::to_string(kVersion) + ")");
        CalibrationTable table;
        table.images = static_cast<int>(integerMember(root, top, "images", 0, 2147483647));
        if (root.contains("equalized"))
            table.equalized = require(root, top, "equalized", json::value_t::boolean).get<bool>();
        const std::string method =
            require(root, top, "method", json::value_t::string).get<std::string>();
        ThresholdMethod unused;
        if (method != kMixedMethods && !parseMethod(method, unused))
            fail({"method"}, "unknown method \"" + method + "\"");
        table.options.percentile =
            finite(require(root, top, "percentile", json::value_t::number_float), {"percentile"},
                   "percentile");
        if (table.options.percentile < 0.0 || table.options.percentile > 100.0)
            fail({"percentile"},
                 "percentile " + number(table.options.percentile) + " is not between 0 and 100");
        if (root.contains("levels"))
            table.options.levels = static_cast<int>(integerMember(root, top, "levels", 1, 65535));
        for (const auto& [name, tensor] :
             require(root, top, "tensors", json::value_t::object).items())
            table.tensors[name] = tensorCalibration(tensor, {"tensors", name});
        if (const auto corrections = root.find("bias_corrections"); corrections != root.end()) {
            if (!corrections->is_object())
                fail({"bias_corrections"}, "\"bias_corrections\" is not an object");
            for (const auto& [name, entry] : corrections->items()) {
                const Path at{"bias_corrections", name};
                BiasCorrection& correction = table.biasCorrections[name];
                correction.inputThreshold =
                    finite(require(entry, at, "input_threshold", json::value_t::number_float),
                           child(at, "input_threshold"), "bias correction: input_threshold");
                correction.perChannelWeights =
                    require(entry, at, "per_channel", json::value_t::boolean).get<bool>();
                const json& delta = require(entry, at, "delta", json::value_t::array);
                for (size_t k = 0; k < delta.size(); ++k)
                    correction.delta.push_back(static_cast<float>(
                        finite(delta[k], child(child(at, "delta"), k), "bias correction")));
            }
        }
        return table;
    }

private:
    static Path child(Path path, const std::string& key) {
        path.push_back(key);
        return path;
    }
    static Path child(Path path, size_t index) {
        path.push_back(std::to_string(index));
        return path;
    }

    // Locates the value at `path` in the text (a second, SAX-only pass: errors are rare).
    [[noreturn]] void fail(const Path& path, const std::string& problem) const {
        const PathWalker walker = walk(text_, &path);
        const size_t offset = walker.found ? tokenStart(text_, walker.foundEnd) : 0;
        if (!walker.found) {
            const Subject subject = subjectOf(path);
            throw Error(Diagnostic{Severity::Error, fileName_, 0, 0, subject.node, subject.tensor,
                                   problem});
        }
        failAt(text_, fileName_, offset, subjectOf(path), problem);
    }

    static const char* typeName(json::value_t type) {
        switch (type) {
            case json::value_t::null:
                return "null";
            case json::value_t::boolean:
                return "true or false";
            case json::value_t::number_integer:
            case json::value_t::number_unsigned:
            case json::value_t::number_float:
                return "a number";
            case json::value_t::string:
                return "a string";
            case json::value_t::array:
                return "an array";
            case json::value_t::object:
                return "an object";
            default:
                return "?";
        }
    }

    // The member `key` of `object` (at `path`), of the type asked for; any number type
    // stands for "a number".
    const json& require(const json& object, const Path& path, const std::string& key,
                        json::value_t type) const {
        const auto found = object.find(key);
        if (found == object.end()) fail(path, "\"" + key + "\" is missing");
        const bool number = type == json::value_t::number_float;
        if (number ? !found->is_number() : found->type() != type)
            fail(child(path, key), "\"" + key + "\" is not " + typeName(type));
        return *found;
    }

    double finite(const json& value, const Path& path, const std::string& what) const {
        if (!value.is_number()) fail(path, what + " is not a number");
        const double x = value.get<double>();
        if (std::isinf(x)) fail(path, what + " is infinite");  // a literal beyond the range
        return x;
    }

    double threshold(const json& value, const Path& path, const std::string& what) const {
        const double t = finite(value, path, what);
        if (t < 0.0) fail(path, what + " " + number(t) + " is negative");
        if (t == 0.0) fail(path, what + " is 0; a threshold must be positive");
        return t;
    }

    int64_t integer(const json& value, const Path& path, const std::string& what, int64_t lowest,
                    int64_t highest) const {
        const double x = finite(value, path, what);
        if (x != std::floor(x) || x < static_cast<double>(lowest) ||
            x > static_cast<double>(highest))
            fail(path, what + " " + number(x) + " is not a whole number from " +
                           std::to_string(lowest) + " to " + std::to_string(highest));
        return static_cast<int64_t>(x);
    }

    int64_t integerMember(const json& object, const Path& path, const std::string& key,
                          int64_t lowest, int64_t highest) const {
        return integer(require(object, path, key, json::value_t::number_float), child(path, key),
                       "\"" + key + "\"", lowest, highest);
    }

    ThresholdMethod method(const std::string& name, const Path& path) const {
        ThresholdMethod parsed = ThresholdMethod::Kl;
        if (!parseMethod(name, parsed)) fail(path, "unknown method \"" + name + "\"");
        return parsed;
    }

    TensorCalibration tensorCalibration(const json& tensor, const Path& at) const {
        if (!tensor.is_object()) fail(at, "not an object");
        TensorCalibration result;
        result.method =
            method(require(tensor, at, "method", json::value_t::string).get<std::string>(),
                   child(at, "method"));
        const Path thresholdsAt = child(at, "thresholds");
        for (const auto& [name, value] :
             require(tensor, at, "thresholds", json::value_t::object).items()) {
            const Path valueAt = child(thresholdsAt, name);
            result.thresholds[method(name, valueAt)] =
                threshold(value, valueAt, name + " threshold");
        }
        const auto candidates = tensor.find("candidates");
        if (candidates != tensor.end()) {
            const Path candidatesAt = child(at, "candidates");
            if (!candidates->is_array()) fail(candidatesAt, "not an array");
            for (size_t k = 0; k < candidates->size(); ++k) {
                const Path pairAt = child(candidatesAt, k);
                const json& pair = (*candidates)[k];
                if (!pair.is_array() || pair.size() != 2)
                    fail(pairAt, "not a [threshold, SQNR dB] pair");
                result.candidates.push_back({threshold(pair[0], pairAt, "candidate threshold"),
                                             finite(pair[1], pairAt, "candidate SQNR")});
            }
        }
        const auto manual = tensor.find("manual_threshold");
        if (manual != tensor.end() && !manual->is_null())
            result.manualThreshold =
                threshold(*manual, child(at, "manual_threshold"), "manual_threshold");
        const double min = finite(require(tensor, at, "min", json::value_t::number_float),
                                  child(at, "min"), "min");
        const double max = finite(require(tensor, at, "max", json::value_t::number_float),
                                  child(at, "max"), "max");
        if (min > max)
            fail(child(at, "min"), "min " + number(min) + " is above max " + number(max));
        result.histogram = histogram(require(tensor, at, "histogram", json::value_t::object),
                                     child(at, "histogram"), min, max);
        // "threshold" repeats what the fields above select: a hand edit of it alone would be
        // silently lost, so a mismatch is an error pointing at manual_threshold.
        const Path writtenAt = child(at, "threshold");
        const json& written = require(tensor, at, "threshold", json::value_t::number_float);
        const double inUse = result.threshold();
        const double stated = threshold(written, writtenAt, "threshold");
        if (std::fabs(stated - inUse) > 1e-9 * std::fabs(inUse))
            fail(writtenAt, "threshold " + number(stated) +
                                " differs from the one its method selects (" + number(inUse) +
                                "); set \"manual_threshold\" to choose a threshold by hand");
        return result;
    }

    AbsHistogram histogram(const json& histogram, const Path& at, double min, double max) const {
        const auto bins = static_cast<size_t>(integerMember(histogram, at, "bins", 1, kMaxBins));
        const Path rangeAt = child(at, "range");
        const double range = finite(require(histogram, at, "range", json::value_t::number_float),
                                    rangeAt, "histogram range");
        if (range < 0.0) fail(rangeAt, "histogram range " + number(range) + " is negative");
        const double absMax = std::max(std::fabs(min), std::fabs(max));
        if (absMax > range && !(range == 0.0 && absMax == 0.0))
            fail(rangeAt, "histogram range " + number(range) + " is below the largest |value| " +
                              number(absMax));
        std::vector<double> counts(bins, 0.0);
        const auto count = [this](const json& value, const Path& path) {
            const double c = finite(value, path, "a histogram count");
            if (c < 0.0) fail(path, "histogram count " + number(c) + " is negative");
            return c;
        };
        if (const auto sparse = histogram.find("nonzero"); sparse != histogram.end()) {
            const Path sparseAt = child(at, "nonzero");
            if (!sparse->is_array()) fail(sparseAt, "\"nonzero\" is not an array");
            for (size_t k = 0; k < sparse->size(); ++k) {
                const json& pair = (*sparse)[k];
                const Path pairAt = child(sparseAt, k);
                if (!pair.is_array() || pair.size() != 2)
                    fail(pairAt, "a \"nonzero\" entry is not an [index, count] pair");
                const auto index = static_cast<size_t>(integer(
                    pair[0], child(pairAt, 0), "histogram bin", 0, static_cast<int64_t>(bins) - 1));
                if (counts[index] != 0.0)
                    fail(pairAt, "histogram bin " + std::to_string(index) + " appears twice");
                counts[index] = count(pair[1], child(pairAt, 1));
            }
        } else if (const auto dense = histogram.find("counts"); dense != histogram.end()) {
            const Path denseAt = child(at, "counts");
            if (!dense->is_array() || dense->size() != bins)
                fail(denseAt, "\"counts\" is not an array of " + std::to_string(bins) + " numbers");
            for (size_t k = 0; k < bins; ++k) counts[k] = count((*dense)[k], child(denseAt, k));
        } else {
            fail(at, "the histogram has neither \"nonzero\" nor \"counts\"");
        }
        if (range == 0.0)
            for (size_t k = 1; k < bins; ++k)
                if (counts[k] != 0.0) fail(at, "a histogram of range 0 has counts beyond bin 0");
        // Exact zeros, counted within bin 0; older files without the field read as none.
        double zeros = 0.0;
        if (const auto value = histogram.find("zeros"); value != histogram.end()) {
            const Path zerosAt = child(at, "zeros");
            zeros = count(*value, zerosAt);
            if (zeros > counts[0])
                fail(zerosAt, "zeros " + number(zeros) + " exceed bin 0's count");
        }
        return AbsHistogram::fromParts(std::move(counts), range, min, max, zeros);
    }

    const std::string& text_;
    const std::string& fileName_;
};

}  // namespace

std::string calibrationJsonText(const CalibrationTable& table) {
    if (!std::isfinite(table.options.percentile))
        throw Error("calibration percentile " + number(table.options.percentile) +
                    " is not a finite number");
    ordered_json root;
    root["format"] = kFormat;
    root["version"] = kVersion;
    root["images"] = table.images;
    if (table.equalized) root["equalized"] = true;
    root["method"] = tableMethod(table);
    root["percentile"] = table.options.percentile;
    root["levels"] = table.options.levels;
    ordered_json tensors = ordered_json::object();
    for (const auto& [name, tensor] : table.tensors) tensors[name] = tensorJson(name, tensor);
    root["tensors"] = std::move(tensors);
    if (!table.biasCorrections.empty()) {
        ordered_json corrections = ordered_json::object();
        for (const auto& [name, correction] : table.biasCorrections) {
            ordered_json delta = ordered_json::array();
            for (const float d : correction.delta)
                delta.push_back(checked(d, name, "bias correction"));
            corrections[name] = {{"input_threshold", checked(correction.inputThreshold, name,
                                                             "bias correction threshold")},
                                 {"per_channel", correction.perChannelWeights},
                                 {"delta", std::move(delta)}};
        }
        root["bias_corrections"] = std::move(corrections);
    }
    std::string text;
    try {
        layout(root, 0, text);
    } catch (const json::type_error& error) {
        // Only strings can fail: a tensor or layer name that is not UTF-8.
        throw Error(std::string("a tensor or layer name is not valid UTF-8, which JSON needs (") +
                    error.what() + ")");
    }
    return text + "\n";
}

void writeCalibrationJson(const CalibrationTable& table, const std::string& path) {
    writeFileAtomically(path, calibrationJsonText(table));
}

CalibrationTable parseCalibrationJson(const std::string& text, const std::string& fileName) {
    const json root = parseDocument(text, fileName);
    return TableReader(text, fileName).table(root);
}

CalibrationTable readCalibrationJson(const std::string& path) {
    return parseCalibrationJson(readFile(path), path);
}

}  // namespace qf

#include "calibration/table_json.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <set>
#include <string_view>
#include <utility>
#include <vector>

#include "util/atomic_file.h"
#include "util/error.h"

namespace qf {
namespace {

const char* const kFormat = "quantfold-calibration";
constexpr int kVersion = 1;
constexpr int64_t kMaxBins = int64_t{1} << 24;
const char* const kMixedMethods = "mixed";

// ---- Writing

// Shortest text that reads back to the same double; std::to_chars ignores the C locale, which
// a Qt application sets from the environment (a decimal comma would not be JSON).
std::string number(double value) {
    char buffer[32];
    const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
    return std::string(buffer, result.ptr);
}

std::string quoted(const std::string& text) {
    std::string out = "\"";
    for (const char c : text) {
        switch (c) {
            case '"':
                out += "\\\"";
                break;
            case '\\':
                out += "\\\\";
                break;
            case '\n':
                out += "\\n";
                break;
            case '\r':
                out += "\\r";
                break;
            case '\t':
                out += "\\t";
                break;
            default:
                if (static_cast<unsigned char>(c) < 0x20) {
                    char escaped[8];
                    std::snprintf(escaped, sizeof escaped, "\\u%04x", static_cast<unsigned>(c));
                    out += escaped;
                } else {
                    out += c;
                }
        }
    }
    return out + "\"";
}

// A number JSON can hold; thresholds must also be positive, as the reader demands.
std::string checked(double value, const std::string& tensor, const std::string& what,
                    bool positive = false) {
    if (!std::isfinite(value) || (positive && !(value > 0.0)))
        throw Error("tensor '" + tensor + "': " + what + " " + number(value) + " is not a finite" +
                    (positive ? " positive" : "") + " number");
    return number(value);
}

std::string tableMethod(const CalibrationTable& table) {
    if (table.tensors.empty()) return methodName(ThresholdMethod::Kl);
    const ThresholdMethod first = table.tensors.begin()->second.method;
    for (const auto& entry : table.tensors)
        if (entry.second.method != first) return kMixedMethods;
    return methodName(first);
}

std::string tensorJson(const std::string& name, const TensorCalibration& tensor) {
    const AbsHistogram& histogram = tensor.histogram;
    std::string json = "{\n";
    json += "      \"method\": " + quoted(methodName(tensor.method)) + ",\n";
    json += "      \"threshold\": " + checked(tensor.threshold(), name, "threshold", true) + ",\n";
    json +=
        "      \"manual_threshold\": " +
        (tensor.manualThreshold ? checked(*tensor.manualThreshold, name, "manual threshold", true)
                                : "null") +
        ",\n";
    json += "      \"thresholds\": {";
    const char* separator = "";
    for (const auto& [method, threshold] : tensor.thresholds) {
        json += separator + quoted(methodName(method)) + ": " +
                checked(threshold, name, methodName(method) + " threshold", true);
        separator = ", ";
    }
    json += "},\n";
    json += "      \"min\": " + checked(histogram.min(), name, "min") + ",\n";
    json += "      \"max\": " + checked(histogram.max(), name, "max") + ",\n";
    json += "      \"histogram\": {\"bins\": " + std::to_string(histogram.counts().size()) +
            ", \"range\": " + checked(histogram.range(), name, "histogram range") +
            ", \"zeros\": " + checked(histogram.zeros(), name, "zero count") + ", \"nonzero\": [";
    separator = "";
    const auto& counts = histogram.counts();
    for (size_t k = 0; k < counts.size(); ++k) {
        if (counts[k] == 0.0) continue;
        json += separator + ("[" + std::to_string(k) + ", " +
                             checked(counts[k], name, "histogram count") + "]");
        separator = ", ";
    }
    return json + "]}\n    }";
}

// ---- Reading: a small JSON parser into a tree that remembers where each value starts.

struct Json {
    enum class Type { Null, Bool, Number, String, Array, Object };
    Type type = Type::Null;
    int line = 0;
    bool boolean = false;
    double number = 0.0;
    std::string string;
    std::vector<Json> items;                            // Array
    std::vector<std::pair<std::string, Json>> members;  // Object, in file order, keys unique

    const Json* member(const std::string& key) const {
        for (const auto& entry : members)
            if (entry.first == key) return &entry.second;
        return nullptr;
    }
};

class JsonParser {
public:
    JsonParser(const std::string& text, const std::string& fileName)
        : text_(text), fileName_(fileName) {}

    Json document() {
        Json root = value(0);
        skipSpace();
        if (at_ != text_.size()) fail("unexpected text after the JSON value");
        return root;
    }

private:
    static constexpr int kMaxDepth = 64;

    [[noreturn]] void fail(const std::string& problem) const {
        throw Error(fileName_ + ":" + std::to_string(line_) + ": not valid JSON: " + problem);
    }

    void skipSpace() {
        while (at_ < text_.size()) {
            const char c = text_[at_];
            if (c == '\n')
                ++line_;
            else if (c != ' ' && c != '\t' && c != '\r')
                return;
            ++at_;
        }
    }

    bool consume(const char* word) {
        const std::string_view expected(word);
        if (text_.compare(at_, expected.size(), expected) != 0) return false;
        at_ += expected.size();
        return true;
    }

    void expect(char c) {
        skipSpace();
        if (at_ >= text_.size() || text_[at_] != c) fail(std::string("expected '") + c + "'");
        ++at_;
    }

    Json value(int depth) {
        if (depth > kMaxDepth) fail("nested too deeply");
        skipSpace();
        if (at_ >= text_.size()) fail("unexpected end of file");
        Json result;
        result.line = line_;
        const char c = text_[at_];
        if (c == '{') {
            result.type = Json::Type::Object;
            ++at_;
            skipSpace();
            if (at_ < text_.size() && text_[at_] == '}') {
                ++at_;
                return result;
            }
            std::set<std::string> keys;
            while (true) {
                skipSpace();
                if (at_ >= text_.size() || text_[at_] != '"') fail("expected a quoted key");
                std::string key = string();
                if (!keys.insert(key).second) fail("key \"" + key + "\" appears twice");
                expect(':');
                result.members.emplace_back(std::move(key), value(depth + 1));
                skipSpace();
                if (at_ < text_.size() && text_[at_] == ',') {
                    ++at_;
                    continue;
                }
                expect('}');
                return result;
            }
        }
        if (c == '[') {
            result.type = Json::Type::Array;
            ++at_;
            skipSpace();
            if (at_ < text_.size() && text_[at_] == ']') {
                ++at_;
                return result;
            }
            while (true) {
                result.items.push_back(value(depth + 1));
                skipSpace();
                if (at_ < text_.size() && text_[at_] == ',') {
                    ++at_;
                    continue;
                }
                expect(']');
                return result;
            }
        }
        if (c == '"') {
            result.type = Json::Type::String;
            result.string = string();
            return result;
        }
        if (consume("true") || consume("false")) {
            result.type = Json::Type::Bool;
            result.boolean = text_.compare(at_ - 4, 4, "true") == 0;
            return result;
        }
        if (consume("null")) return result;
        result.type = Json::Type::Number;
        result.number = numberValue();
        return result;
    }

    // JSON's number grammar, plus NaN and [-]Infinity so they can be reported by name.
    double numberValue() {
        if (consume("NaN")) return std::nan("");
        const size_t start = at_;
        const bool negative = at_ < text_.size() && text_[at_] == '-';
        if (negative) ++at_;
        if (consume("Infinity")) return negative ? -HUGE_VAL : HUGE_VAL;
        const auto digits = [this] {
            const size_t first = at_;
            while (at_ < text_.size() && text_[at_] >= '0' && text_[at_] <= '9') ++at_;
            return at_ - first;
        };
        const size_t integerDigits = digits();
        if (integerDigits == 0)
            fail(at_ < text_.size() ? std::string("unexpected '") + text_[at_] + "'"
                                    : std::string("unexpected end of file"));
        if (integerDigits > 1 && text_[at_ - integerDigits] == '0')
            fail("a number has a leading zero");
        if (at_ < text_.size() && text_[at_] == '.') {
            ++at_;
            if (digits() == 0) fail("a number has no digits after '.'");
        }
        if (at_ < text_.size() && (text_[at_] == 'e' || text_[at_] == 'E')) {
            ++at_;
            if (at_ < text_.size() && (text_[at_] == '+' || text_[at_] == '-')) ++at_;
            if (digits() == 0) fail("a number has no digits in its exponent");
        }
        double parsed = 0.0;
        const auto result = std::from_chars(text_.data() + start, text_.data() + at_, parsed);
        if (result.ec == std::errc::result_out_of_range)
            fail("a number is out of the double range");
        if (result.ec != std::errc() || result.ptr != text_.data() + at_) fail("malformed number");
        return parsed;
    }

    void appendUtf8(uint32_t code, std::string& out) {
        if (code < 0x80) {
            out += static_cast<char>(code);
        } else if (code < 0x800) {
            out += static_cast<char>(0xc0 | (code >> 6));
            out += static_cast<char>(0x80 | (code & 0x3f));
        } else if (code < 0x10000) {
            out += static_cast<char>(0xe0 | (code >> 12));
            out += static_cast<char>(0x80 | ((code >> 6) & 0x3f));
            out += static_cast<char>(0x80 | (code & 0x3f));
        } else {
            out += static_cast<char>(0xf0 | (code >> 18));
            out += static_cast<char>(0x80 | ((code >> 12) & 0x3f));
            out += static_cast<char>(0x80 | ((code >> 6) & 0x3f));
            out += static_cast<char>(0x80 | (code & 0x3f));
        }
    }

    uint32_t hex4() {
        if (at_ + 4 > text_.size()) fail("a \\u escape needs 4 hex digits");
        uint32_t code = 0;
        for (int k = 0; k < 4; ++k) {
            const char c = text_[at_++];
            const int digit = c >= '0' && c <= '9'   ? c - '0'
                              : c >= 'a' && c <= 'f' ? c - 'a' + 10
                              : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                                     : -1;
            if (digit < 0) fail("a \\u escape needs 4 hex digits");
            code = code << 4 | static_cast<uint32_t>(digit);
        }
        return code;
    }

    std::string string() {
        ++at_;  // the opening quote
        std::string out;
        while (true) {
            if (at_ >= text_.size()) fail("a string is not closed");
            const char c = text_[at_++];
            if (c == '"') return out;
            if (static_cast<unsigned char>(c) < 0x20) fail("a control character in a string");
            if (c != '\\') {
                out += c;
                continue;
            }
            if (at_ >= text_.size()) fail("a string is not closed");
            const char escaped = text_[at_++];
            switch (escaped) {
                case '"':
                    out += '"';
                    break;
                case '\\':
                    out += '\\';
                    break;
                case '/':
                    out += '/';
                    break;
                case 'b':
                    out += '\b';
                    break;
                case 'f':
                    out += '\f';
                    break;
                case 'n':
                    out += '\n';
                    break;
                case 'r':
                    out += '\r';
                    break;
                case 't':
                    out += '\t';
                    break;
                case 'u': {
                    uint32_t code = hex4();
                    if (code >= 0xdc00 && code <= 0xdfff)
                        fail("a lone low surrogate in a \\u escape");
                    if (code >= 0xd800 && code <= 0xdbff) {
                        if (!consume("\\u")) fail("a high surrogate without its low half");
                        const uint32_t low = hex4();
                        if (low < 0xdc00 || low > 0xdfff)
                            fail("a high surrogate without its low half");
                        code = 0x10000 + ((code - 0xd800) << 10) + (low - 0xdc00);
                    }
                    appendUtf8(code, out);
                    break;
                }
                default:
                    fail(std::string("unknown escape '\\") + escaped + "'");
            }
        }
    }

    const std::string& text_;
    const std::string& fileName_;
    size_t at_ = 0;
    int line_ = 1;
};

// Turns the tree into a table, naming the file, line and tensor of whatever is wrong.
class TableReader {
public:
    explicit TableReader(const std::string& fileName) : fileName_(fileName) {}

    CalibrationTable table(const Json& root) {
        if (root.type != Json::Type::Object)
            fail(root, "not a QuantFold calibration file (not a JSON object)");
        const Json* format = root.member("format");
        if (!format || format->type != Json::Type::String || format->string != kFormat)
            fail(format ? *format : root,
                 std::string("not a QuantFold calibration file (\"format\" is not \"") + kFormat +
                     "\")");
        const int64_t version = integerMember(root, "version", 1, 1000000);
        if (version > kVersion)
            fail(*root.member("version"), "calibration file version " + std::to_string(version) +
                                              " is newer than this QuantFold reads (" +
                                              std::to_string(kVersion) + ")");
        CalibrationTable table;
        table.images = static_cast<int>(integerMember(root, "images", 0, 2147483647));
        const Json& method = require(root, "method", Json::Type::String);
        ThresholdMethod unused;
        if (method.string != kMixedMethods && !parseMethod(method.string, unused))
            fail(method, "unknown method \"" + method.string + "\"");
        table.options.percentile =
            finite(require(root, "percentile", Json::Type::Number), "percentile");
        if (table.options.percentile < 0.0 || table.options.percentile > 100.0)
            fail(*root.member("percentile"),
                 "percentile " + number(table.options.percentile) + " is not between 0 and 100");
        if (root.member("levels"))
            table.options.levels = static_cast<int>(integerMember(root, "levels", 1, 65535));
        for (const auto& [name, tensor] : require(root, "tensors", Json::Type::Object).members) {
            context_ = "tensor '" + name + "': ";
            table.tensors[name] = tensorCalibration(tensor);
        }
        if (const Json* corrections = root.member("bias_corrections")) {
            if (corrections->type != Json::Type::Object)
                fail(*corrections, "\"bias_corrections\" is not an object");
            for (const auto& [name, entry] : corrections->members) {
                context_ = "bias correction of '" + name + "': ";
                BiasCorrection& correction = table.biasCorrections[name];
                correction.inputThreshold = finite(
                    require(entry, "input_threshold", Json::Type::Number), "input_threshold");
                correction.perChannelWeights =
                    require(entry, "per_channel", Json::Type::Bool).boolean;
                for (const Json& value : require(entry, "delta", Json::Type::Array).items)
                    correction.delta.push_back(static_cast<float>(finite(value, "a correction")));
            }
        }
        return table;
    }

private:
    [[noreturn]] void fail(const Json& at, const std::string& problem) const {
        throw Error(fileName_ + ":" + std::to_string(at.line) + ": " + context_ + problem);
    }

    static const char* typeName(Json::Type type) {
        switch (type) {
            case Json::Type::Null:
                return "null";
            case Json::Type::Bool:
                return "true or false";
            case Json::Type::Number:
                return "a number";
            case Json::Type::String:
                return "a string";
            case Json::Type::Array:
                return "an array";
            case Json::Type::Object:
                return "an object";
        }
        return "?";
    }

    const Json& require(const Json& object, const std::string& key, Json::Type type) const {
        const Json* found = object.member(key);
        if (!found) fail(object, "\"" + key + "\" is missing");
        if (found->type != type) fail(*found, "\"" + key + "\" is not " + typeName(type));
        return *found;
    }

    double finite(const Json& value, const std::string& what) const {
        if (value.type != Json::Type::Number) fail(value, what + " is not a number");
        if (std::isnan(value.number)) fail(value, what + " is NaN");
        if (std::isinf(value.number)) fail(value, what + " is infinite");
        return value.number;
    }

    double threshold(const Json& value, const std::string& what) const {
        const double t = finite(value, what);
        if (t < 0.0) fail(value, what + " " + number(t) + " is negative");
        if (t == 0.0) fail(value, what + " is 0; a threshold must be positive");
        return t;
    }

    int64_t integer(const Json& value, const std::string& what, int64_t lowest,
                    int64_t highest) const {
        const double x = finite(value, what);
        if (x != std::floor(x) || x < static_cast<double>(lowest) ||
            x > static_cast<double>(highest))
            fail(value, what + " " + number(x) + " is not a whole number from " +
                            std::to_string(lowest) + " to " + std::to_string(highest));
        return static_cast<int64_t>(x);
    }

    int64_t integerMember(const Json& object, const std::string& key, int64_t lowest,
                          int64_t highest) const {
        return integer(require(object, key, Json::Type::Number), "\"" + key + "\"", lowest,
                       highest);
    }

    ThresholdMethod method(const std::string& name, const Json& at) const {
        ThresholdMethod parsed = ThresholdMethod::Kl;
        if (!parseMethod(name, parsed)) fail(at, "unknown method \"" + name + "\"");
        return parsed;
    }

    TensorCalibration tensorCalibration(const Json& tensor) const {
        if (tensor.type != Json::Type::Object) fail(tensor, "not an object");
        TensorCalibration result;
        const Json& methodValue = require(tensor, "method", Json::Type::String);
        result.method = method(methodValue.string, methodValue);
        for (const auto& [name, value] :
             require(tensor, "thresholds", Json::Type::Object).members) {
            result.thresholds[method(name, value)] = threshold(value, name + " threshold");
        }
        const Json* manual = tensor.member("manual_threshold");
        if (manual && manual->type != Json::Type::Null)
            result.manualThreshold = threshold(*manual, "manual_threshold");
        const double min = finite(require(tensor, "min", Json::Type::Number), "min");
        const double max = finite(require(tensor, "max", Json::Type::Number), "max");
        if (min > max)
            fail(*tensor.member("min"), "min " + number(min) + " is above max " + number(max));
        result.histogram = histogram(require(tensor, "histogram", Json::Type::Object), min, max);
        // "threshold" repeats what the fields above select: a hand edit of it alone would be
        // silently lost, so a mismatch is an error pointing at manual_threshold.
        const Json& written = require(tensor, "threshold", Json::Type::Number);
        const double inUse = result.threshold();
        const double stated = threshold(written, "threshold");
        if (std::fabs(stated - inUse) > 1e-9 * std::fabs(inUse))
            fail(written, "threshold " + number(stated) +
                              " differs from the one its method selects (" + number(inUse) +
                              "); set \"manual_threshold\" to choose a threshold by hand");
        return result;
    }

    AbsHistogram histogram(const Json& histogram, double min, double max) const {
        const auto bins = static_cast<size_t>(integerMember(histogram, "bins", 1, kMaxBins));
        const double range =
            finite(require(histogram, "range", Json::Type::Number), "histogram range");
        if (range < 0.0)
            fail(*histogram.member("range"), "histogram range " + number(range) + " is negative");
        const double absMax = std::max(std::fabs(min), std::fabs(max));
        if (absMax > range && !(range == 0.0 && absMax == 0.0))
            fail(*histogram.member("range"), "histogram range " + number(range) +
                                                 " is below the largest |value| " + number(absMax));
        std::vector<double> counts(bins, 0.0);
        const auto count = [this](const Json& value) {
            const double c = finite(value, "a histogram count");
            if (c < 0.0) fail(value, "histogram count " + number(c) + " is negative");
            return c;
        };
        if (const Json* sparse = histogram.member("nonzero")) {
            if (sparse->type != Json::Type::Array) fail(*sparse, "\"nonzero\" is not an array");
            for (const Json& pair : sparse->items) {
                if (pair.type != Json::Type::Array || pair.items.size() != 2)
                    fail(pair, "a \"nonzero\" entry is not an [index, count] pair");
                const auto index = static_cast<size_t>(
                    integer(pair.items[0], "histogram bin", 0, static_cast<int64_t>(bins) - 1));
                if (counts[index] != 0.0)
                    fail(pair, "histogram bin " + std::to_string(index) + " appears twice");
                counts[index] = count(pair.items[1]);
            }
        } else if (const Json* dense = histogram.member("counts")) {
            if (dense->type != Json::Type::Array || dense->items.size() != bins)
                fail(*dense, "\"counts\" is not an array of " + std::to_string(bins) + " numbers");
            for (size_t k = 0; k < bins; ++k) counts[k] = count(dense->items[k]);
        } else {
            fail(histogram, "the histogram has neither \"nonzero\" nor \"counts\"");
        }
        if (range == 0.0)
            for (size_t k = 1; k < bins; ++k)
                if (counts[k] != 0.0)
                    fail(histogram, "a histogram of range 0 has counts beyond bin 0");
        // Exact zeros, counted within bin 0; older files without the field read as none.
        double zeros = 0.0;
        if (const Json* value = histogram.member("zeros")) {
            zeros = count(*value);
            if (zeros > counts[0]) fail(*value, "zeros " + number(zeros) + " exceed bin 0's count");
        }
        return AbsHistogram::fromParts(std::move(counts), range, min, max, zeros);
    }

    const std::string& fileName_;
    std::string context_;
};

}  // namespace

std::string calibrationJsonText(const CalibrationTable& table) {
    std::string json = "{\n";
    json += "  \"format\": " + quoted(kFormat) + ",\n";
    json += "  \"version\": " + std::to_string(kVersion) + ",\n";
    json += "  \"images\": " + std::to_string(table.images) + ",\n";
    json += "  \"method\": " + quoted(tableMethod(table)) + ",\n";
    if (!std::isfinite(table.options.percentile))
        throw Error("calibration percentile " + number(table.options.percentile) +
                    " is not a finite number");
    json += "  \"percentile\": " + number(table.options.percentile) + ",\n";
    json += "  \"levels\": " + std::to_string(table.options.levels) + ",\n";
    json += "  \"tensors\": {";
    const char* separator = "\n";
    for (const auto& [name, tensor] : table.tensors) {
        json += separator + ("    " + quoted(name) + ": " + tensorJson(name, tensor));
        separator = ",\n";
    }
    json += table.tensors.empty() ? "}" : "\n  }";
    if (!table.biasCorrections.empty()) {
        json += ",\n  \"bias_corrections\": {";
        separator = "\n";
        for (const auto& [name, correction] : table.biasCorrections) {
            json += separator +
                    ("    " + quoted(name) + ": {\"input_threshold\": " +
                     checked(correction.inputThreshold, name, "bias correction threshold") +
                     ", \"per_channel\": " + (correction.perChannelWeights ? "true" : "false") +
                     ", \"delta\": [");
            const char* comma = "";
            for (const float d : correction.delta) {
                json += comma + checked(d, name, "bias correction");
                comma = ", ";
            }
            json += "]}";
            separator = ",\n";
        }
        json += "\n  }";
    }
    return json + "\n}\n";
}

void writeCalibrationJson(const CalibrationTable& table, const std::string& path) {
    writeFileAtomically(path, calibrationJsonText(table));
}

CalibrationTable parseCalibrationJson(const std::string& text, const std::string& fileName) {
    const Json root = JsonParser(text, fileName).document();
    return TableReader(fileName).table(root);
}

CalibrationTable readCalibrationJson(const std::string& path) {
    return parseCalibrationJson(readFile(path), path);
}

}  // namespace qf

#include "formats/caffe/prototxt_scanner.h"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <cstring>

#include "util/error.h"

namespace qf::caffe_format {
namespace {

bool isSpace(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

bool isNameChar(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

[[noreturn]] void fail(const std::string& text, size_t pos, const std::string& problem) {
    const long line = 1 + std::count(text.begin(), text.begin() + static_cast<long>(pos), '\n');
    throw Error("prototxt line " + std::to_string(line) + ": " + problem);
}

size_t skipComment(const std::string& text, size_t pos, size_t end) {
    while (pos < end && text[pos] != '\n') ++pos;
    return pos;
}

size_t skipBlank(const std::string& text, size_t pos, size_t end) {
    while (pos < end) {
        if (isSpace(text[pos]))
            ++pos;
        else if (text[pos] == '#')
            pos = skipComment(text, pos, end);
        else
            break;
    }
    return pos;
}

// pos is at the opening quote; returns one past the closing one.
size_t skipString(const std::string& text, size_t pos, size_t end) {
    const char quote = text[pos];
    const size_t start = pos++;
    while (pos < end && text[pos] != quote) pos += text[pos] == '\\' ? 2 : 1;
    if (pos >= end) fail(text, start, "unterminated string");
    return pos + 1;
}

// pos is at `{`, `<` or `[`; returns one past the matching closer.
size_t skipBalanced(const std::string& text, size_t pos, size_t end) {
    const size_t start = pos;
    std::string closers;
    while (pos < end) {
        const char c = text[pos];
        if (c == '"' || c == '\'') {
            pos = skipString(text, pos, end);
            continue;
        }
        if (c == '#') {
            pos = skipComment(text, pos, end);
            continue;
        }
        if (c == '{') closers.push_back('}');
        if (c == '<') closers.push_back('>');
        if (c == '[') closers.push_back(']');
        if (c == '}' || c == '>' || c == ']') {
            if (closers.empty() || closers.back() != c)
                fail(text, pos, std::string("unbalanced '") + c + "'");
            closers.pop_back();
            if (closers.empty()) return pos + 1;
        }
        ++pos;
    }
    fail(text, start, std::string("'") + text[start] + "' is never closed");
}

// A number, enum name or identifier (with an optional detached minus sign), or one or more
// adjacent quoted strings, which the text format concatenates.
size_t skipScalar(const std::string& text, size_t pos, size_t end) {
    if (pos < end && (text[pos] == '"' || text[pos] == '\'')) {
        size_t after = skipString(text, pos, end);
        for (size_t next = skipBlank(text, after, end);
             next < end && (text[next] == '"' || text[next] == '\'');
             next = skipBlank(text, after, end))
            after = skipString(text, next, end);
        return after;
    }
    if (pos < end && text[pos] == '-') pos = skipBlank(text, pos + 1, end);
    const size_t start = pos;
    while (pos < end && !isSpace(text[pos]) && !std::strchr("{}<>[]:,;#\"'", text[pos])) ++pos;
    if (pos == start) fail(text, start, "a value is missing");
    return pos;
}

std::string trimmed(const std::string& text) {
    const size_t first = text.find_first_not_of(" \t\r\n");
    if (first == std::string::npos) return "";
    return text.substr(first, text.find_last_not_of(" \t\r\n") + 1 - first);
}

// The items of a `[a, b, c]` list of scalars.
std::vector<std::string> listItems(const std::string& list) {
    std::vector<std::string> items;
    size_t itemBegin = 1;
    for (size_t pos = 1; pos < list.size();) {
        const char c = list[pos];
        if (c == '"' || c == '\'') {
            pos = skipString(list, pos, list.size());
        } else if (c == ',' || c == ']') {
            const std::string item = trimmed(list.substr(itemBegin, pos - itemBegin));
            if (!item.empty()) items.push_back(item);
            itemBegin = ++pos;
        } else {
            ++pos;
        }
    }
    return items;
}

}  // namespace

std::vector<TextField> scanFields(const std::string& text, size_t begin, size_t end) {
    std::vector<TextField> fields;
    size_t pos = begin;
    while (true) {
        pos = skipBlank(text, pos, end);
        while (pos < end && (text[pos] == ',' || text[pos] == ';'))
            pos = skipBlank(text, pos + 1, end);
        if (pos >= end) break;
        TextField field;
        field.begin = pos;
        if (text[pos] == '[') {  // an extension or Any type URL
            pos = skipBalanced(text, pos, end);
        } else {
            while (pos < end && isNameChar(text[pos])) ++pos;
            if (pos == field.begin) fail(text, pos, std::string("unexpected '") + text[pos] + "'");
        }
        field.name = text.substr(field.begin, pos - field.begin);
        pos = skipBlank(text, pos, end);
        if (pos < end && text[pos] == ':') pos = skipBlank(text, pos + 1, end);
        if (pos >= end) fail(text, field.begin, "field '" + field.name + "' has no value");
        field.valueBegin = pos;
        if (text[pos] == '{' || text[pos] == '<') {
            field.isMessage = true;
            field.valueBegin = pos + 1;
            pos = skipBalanced(text, pos, end);
            field.valueEnd = pos - 1;
        } else {
            pos = text[pos] == '[' ? skipBalanced(text, pos, end) : skipScalar(text, pos, end);
            field.valueEnd = pos;
        }
        field.end = pos;
        fields.push_back(std::move(field));
    }
    return fields;
}

std::vector<TextField> scanMessage(const std::string& text, const TextField& message) {
    return scanFields(text, message.valueBegin, message.valueEnd);
}

const TextField* findField(const std::vector<TextField>& fields, const std::string& name) {
    for (const auto& field : fields)
        if (field.name == name) return &field;
    return nullptr;
}

std::vector<std::string> scalarValues(const std::string& text, const std::vector<TextField>& fields,
                                      const std::string& name) {
    std::vector<std::string> values;
    for (const auto& field : fields) {
        if (field.name != name || field.isMessage) continue;
        const std::string value = text.substr(field.valueBegin, field.valueEnd - field.valueBegin);
        if (!value.empty() && value[0] == '[') {
            for (auto& item : listItems(value)) values.push_back(std::move(item));
        } else {
            values.push_back(value);
        }
    }
    return values;
}

std::optional<double> numberValue(const std::string& value) {
    std::string digits;
    for (const char c : value)
        if (!isSpace(c)) digits += c;  // the text format allows "- 1"
    if (digits.size() > 1 && (digits.back() == 'f' || digits.back() == 'F') &&
        digits.find_first_of("xXnN") == std::string::npos)
        digits.pop_back();
    double number = 0;
    const char* first = digits.data();
    const char* last = first + digits.size();
    if (first != last && *first == '+') ++first;
    const auto [end, error] = std::from_chars(first, last, number);
    if (error != std::errc() || end != last) return std::nullopt;
    return number;
}

std::string floatText(float value) {
    char buffer[32];
    const auto [end, error] = std::to_chars(buffer, buffer + sizeof buffer, value);
    if (error != std::errc()) return "0";
    return std::string(buffer, end);
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
                    char octal[8];
                    std::snprintf(octal, sizeof octal, "\\%03o", static_cast<unsigned char>(c));
                    out += octal;
                } else {
                    out += c;
                }
        }
    }
    return out + "\"";
}

}  // namespace qf::caffe_format

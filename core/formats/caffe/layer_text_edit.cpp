#include "formats/caffe/layer_text_edit.h"

#include "formats/caffe/prototxt_scanner.h"
#include "util/error.h"

namespace qf::caffe_format {
namespace {

struct Span {
    size_t begin;
    size_t end;
};

size_t lineStart(const std::string& text, size_t pos) {
    const size_t newline = pos == 0 ? std::string::npos : text.rfind('\n', pos - 1);
    return newline == std::string::npos ? 0 : newline + 1;
}

bool blank(const std::string& text, size_t begin, size_t end) {
    for (size_t pos = begin; pos < end; ++pos)
        if (text[pos] != ' ' && text[pos] != '\t' && text[pos] != '\r') return false;
    return true;
}

// The end of the line a field ends on, past its newline, when only blanks or a comment
// follow the field there; npos otherwise.
size_t restOfLine(const std::string& text, size_t fieldEnd) {
    size_t pos = fieldEnd;
    while (pos < text.size() && (text[pos] == ' ' || text[pos] == '\t' || text[pos] == '\r')) ++pos;
    if (pos < text.size() && text[pos] == '#')
        while (pos < text.size() && text[pos] != '\n') ++pos;
    if (pos >= text.size()) return text.size();
    return text[pos] == '\n' ? pos + 1 : std::string::npos;
}

// A field standing alone on its lines, so edits can work line by line.
bool ownsLines(const std::string& text, const TextField& field) {
    return blank(text, lineStart(text, field.begin), field.begin) &&
           restOfLine(text, field.end) != std::string::npos;
}

std::string indentOf(const std::string& text, size_t pos) {
    const size_t start = lineStart(text, pos);
    size_t end = start;
    while (end < text.size() && (text[end] == ' ' || text[end] == '\t')) ++end;
    return text.substr(start, end - start);
}

TextField layerField(const std::string& block) {
    const auto fields = scanFields(block, 0, block.size());
    if (fields.size() != 1 || !fields.front().isMessage)
        throw Error("not a single layer block: " + block.substr(0, 60));
    return fields.front();
}

}  // namespace

std::string withConnections(const std::string& block, const std::vector<std::string>& bottoms,
                            const std::vector<std::string>& tops) {
    const TextField layer = layerField(block);
    const auto fields = scanMessage(block, layer);
    std::vector<Span> removed;
    bool lineMode = true;
    std::string indent;
    for (const auto& field : fields) {
        if (field.name != "bottom" && field.name != "top") continue;
        if (removed.empty()) {
            lineMode = ownsLines(block, field);
            indent = indentOf(block, field.begin);
        }
        if (ownsLines(block, field)) {
            removed.push_back({lineStart(block, field.begin), restOfLine(block, field.end)});
        } else {
            size_t end = field.end;
            while (end < layer.valueEnd && (block[end] == ' ' || block[end] == '\t')) ++end;
            removed.push_back({field.begin, end});
        }
    }

    size_t insertAt = 0;
    if (!removed.empty()) {
        insertAt = removed.front().begin;
    } else {
        // Nothing to replace: go after the type (or name), else right after the brace.
        const TextField* anchor = findField(fields, "type");
        if (anchor == nullptr) anchor = findField(fields, "name");
        if (anchor != nullptr && ownsLines(block, *anchor)) {
            insertAt = restOfLine(block, anchor->end);
            indent = indentOf(block, anchor->begin);
        } else {
            insertAt = anchor != nullptr ? anchor->end : layer.valueBegin;
            lineMode = false;
        }
        if (insertAt == block.size()) lineMode = false;
    }

    std::string connections;
    const auto add = [&](const char* name, const std::string& blob) {
        connections += lineMode ? indent + name + ": " + quoted(blob) + "\n"
                                : std::string(" ") + name + ": " + quoted(blob);
    };
    for (const auto& bottom : bottoms) add("bottom", bottom);
    for (const auto& top : tops) add("top", top);
    if (!lineMode && !removed.empty()) connections = connections.substr(1) + " ";

    std::string out;
    size_t pos = 0;
    for (const auto& span : removed) {
        out += block.substr(pos, span.begin - pos);
        if (span.begin == insertAt) out += connections;
        pos = span.end;
    }
    if (removed.empty()) {
        out = block.substr(0, insertAt) + connections;
        pos = insertAt;
    }
    return out + block.substr(pos);
}

std::string withBiasTerm(const std::string& block, const std::string& param, bool biasTerm) {
    const std::string value = biasTerm ? "true" : "false";
    const TextField layer = layerField(block);
    const auto fields = scanMessage(block, layer);
    const TextField* message = findField(fields, param);
    if (message != nullptr && message->isMessage) {
        const auto inner = scanMessage(block, *message);
        if (const TextField* field = findField(inner, "bias_term"))
            return block.substr(0, field->valueBegin) + value + block.substr(field->valueEnd);
        const size_t afterBrace = message->valueBegin;
        const bool lineMode = restOfLine(block, afterBrace) != std::string::npos;
        const std::string indent = inner.empty() ? indentOf(block, message->begin) + "  "
                                                 : indentOf(block, inner.front().begin);
        const std::string field =
            lineMode ? "\n" + indent + "bias_term: " + value : " bias_term: " + value;
        return block.substr(0, afterBrace) + field + block.substr(afterBrace);
    }
    // No parameter message yet: add one before the layer's closing brace.
    const size_t close = layer.valueEnd;
    if (blank(block, lineStart(block, close), close) && !fields.empty()) {
        const std::string indent = indentOf(block, fields.front().begin);
        const size_t at = lineStart(block, close);
        return block.substr(0, at) + indent + param + " {\n" + indent + "  bias_term: " + value +
               "\n" + indent + "}\n" + block.substr(at);
    }
    return block.substr(0, close) + " " + param + " { bias_term: " + value + " } " +
           block.substr(close);
}

}  // namespace qf::caffe_format

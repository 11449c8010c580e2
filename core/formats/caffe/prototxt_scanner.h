#pragma once
#include <optional>
#include <string>
#include <vector>

namespace qf::caffe_format {

// A field of a protobuf text-format message where it stands in the text: `name: value`,
// `name { ... }`, `name: < ... >` or `name: [a, b]`. Offsets index the scanned text.
// The prototxt is scanned as text (besides being parsed) because the schema we compile drops
// the fields of forked Caffe layers, and the exporter has to write those back untouched.
struct TextField {
    std::string name;
    size_t begin = 0;       // first character of the name
    size_t end = 0;         // one past the value or the closing brace
    size_t valueBegin = 0;  // the value; for a message, one past its opening brace
    size_t valueEnd = 0;    // for a message, its closing brace
    bool isMessage = false;
};

// The fields directly inside text[begin, end); nested messages are spanned, not listed.
// Comments and quoted strings are honoured. Throws qf::Error on unbalanced braces or an
// unterminated string (the protobuf parser has normally rejected those before).
std::vector<TextField> scanFields(const std::string& text, size_t begin, size_t end);

// The fields inside a message field's braces.
std::vector<TextField> scanMessage(const std::string& text, const TextField& message);

const TextField* findField(const std::vector<TextField>& fields, const std::string& name);

// The values of a scalar field as written (numbers, enum names, quoted strings), in order;
// a repeated field may appear several times or as a `[a, b]` list.
std::vector<std::string> scalarValues(const std::string& text, const std::vector<TextField>& fields,
                                      const std::string& name);

// A numeric value as the text format writes it ("-1", "1e-05", "0.5f", "-inf"), read
// independently of the C locale (Qt applications set it from the environment).
std::optional<double> numberValue(const std::string& value);
// The shortest text that reads back as the same float.
std::string floatText(float value);

// `"text"` with the escapes the text format needs.
std::string quoted(const std::string& text);

}  // namespace qf::caffe_format

#include "calibration/table_ncnn.h"

#include <charconv>
#include <cmath>

#include "quantize/weight_quantization.h"
#include "util/atomic_file.h"
#include "util/error.h"
#include "util/text_lines.h"

namespace qf {
namespace {

const std::string kWeightSuffix = "_param_0";

std::string shortest(float value) {
    char buffer[32];
    const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
    return std::string(buffer, result.ptr);
}

// What a line's first word names: "<layer>_param_0" the layer's weights, "<layer>" its input.
struct LineKey {
    std::string layer;
    bool weights = false;
    bool known =
        true;  // false for "_param_" keys other than "_param_0", which ncnn reads as weights
};

LineKey parseKey(const std::string& key) {
    if (key.find("_param_") == std::string::npos) return {key, false, true};
    const size_t stem = key.size() - kWeightSuffix.size();
    if (key.size() > kWeightSuffix.size() &&
        key.compare(stem, std::string::npos, kWeightSuffix) == 0)
        return {key.substr(0, stem), true, true};
    return {key, true, false};
}

std::vector<std::string> splitWords(const std::string& line) {
    std::vector<std::string> words;
    size_t at = 0;
    while (true) {
        at = line.find_first_not_of(" \t", at);
        if (at == std::string::npos) break;
        const size_t end = line.find_first_of(" \t", at);
        words.push_back(line.substr(at, end == std::string::npos ? std::string::npos : end - at));
        at = end;
    }
    return words;
}

int64_t outputChannels(const Graph& graph, const Node& layer) {
    return outputChannelsOf(layer, *graph.weight(layer.input(1)));
}

// The text of one line's numbers; throws naming the layer for a value ncnn cannot use.
std::string scalesText(const std::string& layer, const std::vector<float>& scales) {
    std::string text;
    for (const float scale : scales) {
        if (!std::isfinite(scale) || scale < 0.0f)
            throw Error("layer '" + layer + "': weight scale " + shortest(scale) +
                        " is not a finite non-negative number");
        text += " " + shortest(scale);
    }
    return text;
}

}  // namespace

std::vector<const Node*> ncnnQuantizedLayers(const Graph& graph) {
    std::vector<const Node*> layers;
    for (const auto& node : graph.nodes)
        if (isQuantizableOp(node.op) && graph.weight(node.input(1)) != nullptr)
            layers.push_back(&node);
    return layers;
}

std::string ncnnTableText(const Graph& graph, const CalibrationTable& table,
                          const std::map<std::string, std::vector<float>>& weightScales,
                          const std::set<std::string>& keepFp32) {
    const std::vector<const Node*> layers = ncnnQuantizedLayers(graph);
    for (const auto& name : keepFp32)
        if (graph.nodeIndex(name) < 0)
            throw Error("layer '" + name + "' to keep in FP32 is not in the model");
    for (const auto& entry : weightScales) {
        const int index = graph.nodeIndex(entry.first);
        const Node* node = index < 0 ? nullptr : &graph.nodes[static_cast<size_t>(index)];
        if (!node || !isQuantizableOp(node->op) || !graph.weight(node->input(1)))
            throw Error(
                "weight scales given for '" + entry.first +
                "', which is not a Conv, ConvTranspose or Gemm with constant weights of the model");
    }
    std::string weightLines, inputLines;
    for (const Node* layer : layers) {
        const std::string& name = layer->name;
        if (name.empty() || name.find_first_of(" \t\r\n") != std::string::npos || name[0] == '#' ||
            name.find("_param_") != std::string::npos)
            throw Error("layer '" + name +
                        "': an ncnn table cannot name it (empty, white space, a leading '#' or "
                        "\"_param_\")");
        const auto scales = weightScales.find(name);
        if (scales == weightScales.end())
            throw Error("layer '" + name + "': no weight scales given");
        const int64_t channels = outputChannels(graph, *layer);
        if (static_cast<int64_t>(scales->second.size()) != channels)
            throw Error("layer '" + name + "': " + std::to_string(scales->second.size()) +
                        " weight scales for " + std::to_string(channels) + " output channels");
        const TensorCalibration* input = table.find(layer->input(0));
        if (!input)
            throw Error("layer '" + name + "': its input '" + layer->input(0) +
                        "' has no calibration");
        const double threshold = input->threshold();
        const auto inputScale = static_cast<float>(127.0 / threshold);
        if (!(threshold > 0.0) || !std::isfinite(inputScale) || !(inputScale > 0.0f))
            throw Error("layer '" + name + "': the threshold of its input '" + layer->input(0) +
                        "' does not give a finite positive scale");
        const std::string mark = keepFp32.count(name) ? "#" : "";
        weightLines += mark + name + kWeightSuffix + scalesText(name, scales->second) + "\n";
        inputLines += mark + name + " " + shortest(inputScale) + "\n";
    }
    return weightLines + inputLines;
}

void writeNcnnTable(const Graph& graph, const CalibrationTable& table,
                    const std::map<std::string, std::vector<float>>& weightScales,
                    const std::string& path, const std::set<std::string>& keepFp32) {
    writeFileAtomically(path, ncnnTableText(graph, table, weightScales, keepFp32));
}

NcnnTable parseNcnnTable(const std::string& text, const std::string& fileName, const Graph& graph) {
    std::map<std::string, const Node*> layers;
    for (const Node* layer : ncnnQuantizedLayers(graph)) layers[layer->name] = layer;
    NcnnTable result;
    std::set<std::string> seen;
    const std::vector<std::string> lines = textLines(text);
    for (size_t index = 0; index < lines.size(); ++index) {
        const std::string& line = lines[index];
        const size_t lineNumber = index + 1;
        // `subject` names the layer the line is about; the diagnostic has it as a field and
        // the message without its "layer '<name>': " prefix.
        const auto fail = [&](const std::string& problem, const std::string& subject = "") {
            const std::string prefix = "layer '" + subject + "': ";
            const bool prefixed = !subject.empty() && problem.rfind(prefix, 0) == 0;
            throw Error(Diagnostic{Severity::Error, fileName, static_cast<int>(lineNumber), 0,
                                   subject, "", prefixed ? problem.substr(prefix.size()) : problem},
                        fileName + ":" + std::to_string(lineNumber) + ": " + problem);
        };
        std::vector<std::string> words = splitWords(line);
        if (words.empty()) continue;
        const bool commented = words[0][0] == '#';
        if (commented) words[0].erase(0, 1);
        const std::string& key = words[0];
        const LineKey lineKey = parseKey(key);
        const auto found = lineKey.known ? layers.find(lineKey.layer) : layers.end();
        // Only "#<layer> ..." disables a layer; anything else after '#' is a free comment.
        if (commented && found == layers.end()) continue;
        if (!lineKey.known) fail("'" + key + "': only '<layer>_param_0' weight lines are known");
        if (found == layers.end())
            fail("layer '" + lineKey.layer + "' " +
                     (graph.nodeIndex(lineKey.layer) >= 0
                          ? "is not a Conv, ConvTranspose or Gemm with constant weights"
                          : "is not in the model"),
                 lineKey.layer);
        const Node* layer = found->second;
        const bool isWeightLine = lineKey.weights;
        if (!seen.insert(key).second) fail("'" + key + "' appears twice");
        std::vector<float> values;
        for (size_t k = 1; k < words.size(); ++k) {
            const std::string& word = words[k];
            float value = 0.0f;
            const auto parsed = std::from_chars(word.data(), word.data() + word.size(), value);
            if (parsed.ec == std::errc::result_out_of_range)
                fail("layer '" + layer->name + "': scale '" + word + "' is out of the float range",
                     layer->name);
            if (parsed.ec != std::errc() || parsed.ptr != word.data() + word.size())
                fail("layer '" + layer->name + "': '" + word + "' is not a number", layer->name);
            if (std::isnan(value)) fail("layer '" + layer->name + "': a scale is NaN", layer->name);
            if (std::isinf(value))
                fail("layer '" + layer->name + "': a scale is infinite", layer->name);
            if (value < 0.0f)
                fail("layer '" + layer->name + "': scale " + word + " is negative", layer->name);
            values.push_back(value);
        }
        NcnnLayerScales& scales = result.layers[layer->name];
        scales.keepFp32 = scales.keepFp32 || commented;
        if (isWeightLine) {
            const int64_t channels = outputChannels(graph, *layer);
            if (static_cast<int64_t>(values.size()) != channels)
                fail("layer '" + layer->name + "': " + std::to_string(values.size()) +
                         " weight scales for " + std::to_string(channels) + " output channels",
                     layer->name);
            scales.weightScales = std::move(values);
        } else {
            if (values.size() != 1)
                fail("layer '" + layer->name + "': expected one input scale, found " +
                         std::to_string(values.size()),
                     layer->name);
            if (!(values[0] > 0.0f))
                fail("layer '" + layer->name + "': the input scale is 0", layer->name);
            scales.inputScale = values[0];
        }
    }
    return result;
}

NcnnTable readNcnnTable(const std::string& path, const Graph& graph) {
    return parseNcnnTable(readFile(path), path, graph);
}

}  // namespace qf

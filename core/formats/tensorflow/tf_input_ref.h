#pragma once
#include <string>

namespace qf::tf_format {

// One entry of NodeDef::input: "node" (output 0), "node:k", or "^node" (a control input).
struct InputRef {
    std::string node;
    int index = 0;
    bool control = false;
};

InputRef parseInput(const std::string& text);

// The IR (and TensorFlow) name of output `k` of `node`: "node" for the first, "node:k" after.
std::string outputName(const std::string& node, int k);

}  // namespace qf::tf_format

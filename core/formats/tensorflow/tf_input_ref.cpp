#include "formats/tensorflow/tf_input_ref.h"

#include <algorithm>

namespace qf::tf_format {

InputRef parseInput(const std::string& text) {
    InputRef ref;
    std::string name = text;
    if (!name.empty() && name[0] == '^') {
        ref.control = true;
        name.erase(0, 1);
    }
    const auto colon = name.rfind(':');
    if (colon != std::string::npos && colon + 1 < name.size() &&
        std::all_of(name.begin() + static_cast<long>(colon) + 1, name.end(),
                    [](char c) { return c >= '0' && c <= '9'; })) {
        ref.index = std::stoi(name.substr(colon + 1));
        name.erase(colon);
    }
    ref.node = name;
    return ref;
}

std::string outputName(const std::string& node, int k) {
    return k == 0 ? node : node + ":" + std::to_string(k);
}

}  // namespace qf::tf_format

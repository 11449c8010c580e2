#include "evaluate/top_k.h"

#include <algorithm>
#include <cmath>
#include <cstddef>

namespace qf {

int rankOfLabel(const std::vector<float>& scores, int label) {
    if (label < 0 || label >= static_cast<int>(scores.size())) return -1;
    const float mine = scores[static_cast<size_t>(label)];
    int rank = 0;
    for (size_t k = 0; k < scores.size(); ++k)
        if (scores[k] > mine || (scores[k] == mine && static_cast<int>(k) < label)) ++rank;
    return rank;
}

void TopK::add(const std::vector<float>& scores, int label) {
    const int rank = rankOfLabel(scores, label);
    if (rank < 0) return;
    ++labeled;
    top1 += rank == 0;
    top5 += rank < 5;
}

std::vector<ClassScore> topClasses(const std::vector<float>& scores, int k) {
    std::vector<ClassScore> all;
    all.reserve(scores.size());
    for (size_t c = 0; c < scores.size(); ++c) all.push_back({static_cast<int>(c), scores[c]});
    const auto better = [](const ClassScore& a, const ClassScore& b) {
        // NaN compares as nothing: rank it below every number so the order stays strict.
        const bool aNan = std::isnan(a.score), bNan = std::isnan(b.score);
        if (aNan != bNan) return bNan;
        if (!aNan && a.score != b.score) return a.score > b.score;
        return a.index < b.index;
    };
    const size_t count = std::min(all.size(), static_cast<size_t>(std::max(k, 0)));
    std::partial_sort(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(count), all.end(),
                      better);
    all.resize(count);
    return all;
}

bool isClassVector(const Shape& shape) {
    int64_t elements = 1;
    int wide = 0;
    for (const auto d : shape) {
        if (d <= 0) return false;
        elements *= d;
        wide += d > 1;
    }
    return !shape.empty() && elements >= 2 && wide == 1;
}

}  // namespace qf

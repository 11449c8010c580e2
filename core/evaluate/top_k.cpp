#include "evaluate/top_k.h"

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

}  // namespace qf

#pragma once
#include <vector>

namespace qf {

// Rank of the labelled class among the scores: 0 means it scored highest (ties go to the lower
// index). -1 when the label is not a class of these scores.
int rankOfLabel(const std::vector<float>& scores, int label);

// Top-1 / top-5 hits over the labelled images of a run.
struct TopK {
    int labeled = 0, top1 = 0, top5 = 0;
    void add(const std::vector<float>& scores, int label);  // ignores unusable labels
    double top1Rate() const { return labeled ? static_cast<double>(top1) / labeled : 0.0; }
    double top5Rate() const { return labeled ? static_cast<double>(top5) / labeled : 0.0; }
};

}  // namespace qf

#pragma once
#include <vector>

#include "graph/tensor.h"

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

// One class of a classifier's scores.
struct ClassScore {
    int index = -1;
    float score = 0.0f;
};

// The k best-scoring classes, best first; ties go to the lower index, as in rankOfLabel and in
// the argmax that counts top-1 agreement (NaN scores last).
std::vector<ClassScore> topClasses(const std::vector<float>& scores, int k);

// Whether a tensor of this shape is one vector of class scores: at least two elements and at
// most one dimension above 1 ([C], [1, C], [1, C, 1, 1]).
bool isClassVector(const Shape& shape);

}  // namespace qf

#!/usr/bin/env bash
# Builds the tests with AddressSanitizer + UndefinedBehaviorSanitizer into build-asan/ and runs
# the whole suite there; any report fails the run (-fno-sanitize-recover=all, halt_on_error).
set -euo pipefail
cd "$(dirname "$0")/.."
flags="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer"
# -g1 (line tables) is all a sanitizer report needs and builds much faster than full -g.
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DQUANTFOLD_BUILD_BENCH=OFF \
    "-DCMAKE_CXX_FLAGS=$flags" "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O2 -g1 -DNDEBUG" \
    "-DCMAKE_EXE_LINKER_FLAGS=$flags"
cmake --build build-asan -j2
# protobuf and Qt keep some allocations until exit by design: leak checking would report them.
export ASAN_OPTIONS=detect_leaks=0:halt_on_error=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
# Every test program runs here. Two of them also measure ResNet-20's accuracy over cifar10
# (test_int8_quality: 1000 calibration + 2000 evaluation images per model, test_opencv_reference:
# 2000 per model, three models each): those data-driven rows take over 10 minutes under
# ASan+UBSan on 2 cores and run the same code as the face-photo rows of the same programs, so
# under the sanitizers only the other rows of those two programs run; the plain build runs all.
# test_tensorflow_format likewise: its two cifar10 functions (the real .pb files over 2000
# images, int8 on three models) are left out; its generated graphs, round trips and bad files run.
# test_precision_budget: its ResNet-20 row (a KL calibration, a sensitivity ranking and a search
# over 200 images) took most of its 12 minutes under the sanitizers; its RetinaFace row runs the
# same search code, and the unreachable-budget row the same ResNet-20 set-up.
long='^(test_int8_quality|test_opencv_reference|test_tensorflow_format|test_precision_budget)$'
ctest --test-dir build-asan -j2 --output-on-failure -E "$long" "$@"
# The rows run directly get the time limit CTest gives each test function (tests/CMakeLists.txt).
export QTEST_FUNCTION_TIMEOUT=900000 QT_QPA_PLATFORM=offscreen
build-asan/bin/test_int8_quality faceDetectors calibrationNeedsAReadableImage
build-asan/bin/test_opencv_reference faceDetectorsMatchOpenCv
build-asan/bin/test_precision_budget retinaFaceMeetsWorstCosine unreachableBudgetSaysSo
build-asan/bin/test_tensorflow_format convolutionMatchesDirectReference \
    transposedConvolutionMatchesDirectReference batchNormSubgraphsFoldIntoTheConv nchwDataFormat \
    poolingAndLayoutDependentOps layoutSensitiveOpsMatchHandComputedValues \
    resizeMatchesTensorflowDefinition shapeSubgraphsEvaluatedAtLoad constSingleValueFillsShape minFirstQuantization badFiles truncatedFile \
    roundTripKeepsNodesAndBytes quantizedWeightsFileRoundTripAndFold \
    elementwiseOpsMatchHandComputedValues paddingAndValidPooling constantSlicesAndStacksOnAnyAxis \
    trainingModeBatchNormIsReportedNotFolded matMulBatchNormPadAndSqrt biasAddIsTheLayersBias inputShapeText \
    constOfImpossibleShapeIsRefused

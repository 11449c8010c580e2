#!/usr/bin/env bash
# Builds the tests with AddressSanitizer + UndefinedBehaviorSanitizer into build-asan/ and runs
# the whole suite there; any report fails the run (-fno-sanitize-recover=all, halt_on_error).
set -euo pipefail
cd "$(dirname "$0")/.."
flags="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer"
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DQUANTFOLD_BUILD_BENCH=OFF \
    "-DCMAKE_CXX_FLAGS=$flags" "-DCMAKE_EXE_LINKER_FLAGS=$flags"
cmake --build build-asan -j2
# protobuf and Qt keep some allocations until exit by design: leak checking would report them.
export ASAN_OPTIONS=detect_leaks=0:halt_on_error=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
# The four long real-model suites take over 8 minutes each under ASan+UBSan on 2 cores (Eigen's
# and the int8 kernels' inner loops are instrumented); they run in the plain build only, so CI
# stays inside its time budget.
ctest --test-dir build-asan --output-on-failure \
    -E '^(test_int8_quality|test_opencv_reference|test_qdq_onnxruntime|test_comparison_session_retinaface)$' "$@"

#!/usr/bin/env bash
# Builds the libFuzzer targets (tests/fuzz) with clang, ASan and UBSan into build-fuzz/, seeds
# their corpora from the bundled sample (and ../shared/data when present), then runs each target
# for SECONDS seconds (default 60). A crash, leak, timeout or sanitizer report stops that target
# and leaves its input in build-fuzz/findings/; the script then exits non-zero.
#   tools/fuzz.sh [SECONDS] [TARGET...]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
shift || true
targets=("$@")
if [ "${#targets[@]}" = 0 ]; then
    targets=(fuzz_onnx fuzz_graphdef fuzz_prototxt fuzz_caffemodel fuzz_tables fuzz_project)
fi
CC=clang CXX=clang++ cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=Release -DQUANTFOLD_FUZZ=ON \
    -DQUANTFOLD_BUILD_TESTS=OFF -DQUANTFOLD_BUILD_BENCH=OFF -DQUANTFOLD_BUILD_GUI=OFF >/dev/null
cmake --build build-fuzz -j2 --target "${targets[@]}" quantfold-cli

corpus=build-fuzz/corpus
findings=build-fuzz/findings
mkdir -p "$findings"
shared=../shared/data
seed() {  # seed TARGET FILE...
    mkdir -p "$corpus/$1"
    local target=$1
    shift
    for file in "$@"; do
        # Models over 4 MB make slow seeds; the small ones cover the same parser paths.
        if [ -f "$file" ] && [ "$(stat -c %s "$file")" -le 4194304 ]; then
            cp "$file" "$corpus/$target/$(basename "$file")"
        fi
    done
}
seed fuzz_onnx resources/sample/digits.onnx $(find "$shared" -name '*.onnx' 2>/dev/null)
seed fuzz_graphdef tests/fuzz/seeds/conv_relu_reshape.pb $(find "$shared" -name '*.pb' 2>/dev/null)
seed fuzz_prototxt resources/sample/digits_deploy.prototxt $(find "$shared" -name '*.prototxt' 2>/dev/null)
seed fuzz_caffemodel resources/sample/digits.caffemodel
# Tables of the sample in each format, the first byte choosing the reader (fuzz_tables.cpp).
mkdir -p "$corpus/fuzz_tables" "$corpus/fuzz_project"
tables=$(mktemp -d)
trap 'rm -rf "$tables"' EXIT
cli=build-fuzz/bin/quantfold-cli
for format in json ncnn tensorrt; do
    "$cli" calibrate resources/sample/digits.onnx --images resources/sample/images \
        --max-images 8 --method kl --format "$format" -o "$tables/table.$format" >/dev/null 2>&1
done
{ printf '\x00'; cat "$tables/table.json"; } >"$corpus/fuzz_tables/seed.json"
{ printf '\x01'; cat "$tables/table.ncnn"; } >"$corpus/fuzz_tables/seed.ncnn"
{ printf '\x02'; cat "$tables/table.tensorrt"; } >"$corpus/fuzz_tables/seed.cache"
cat >"$corpus/fuzz_project/seed.qfproj" <<'PROJECT'
{"format_version": 1, "model": "digits.onnx", "folds": ["bn1"], "input_shape": [1, 16, 16, 3],
 "images": {"folder": "images", "max_images": 8, "preprocessing": {"scale": 0.5}},
 "int8": {"method": "kl", "per_channel_weights": true, "bias_correction": true,
          "equalize": false, "table": "t.json", "keep_fp32": ["fc"]}}
PROJECT

status=0
for target in "${targets[@]}"; do
    echo "== $target, $seconds s"
    mkdir -p "$corpus/$target"
    if ! ASAN_OPTIONS=detect_leaks=1:halt_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
        "build-fuzz/bin/$target" -max_total_time="$seconds" -timeout=20 -rss_limit_mb=3072 \
        -print_final_stats=1 -artifact_prefix="$findings/$target-" "$corpus/$target" \
        2>"build-fuzz/$target.log"; then
        status=1
        echo "$target: FINDING (see build-fuzz/$target.log and $findings/)"
    fi
    grep -E '^stat::number_of_executed_units|^stat::peak_rss_mb' "build-fuzz/$target.log" || true
done
exit $status

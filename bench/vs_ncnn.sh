#!/usr/bin/env bash
# This runtime against ncnn (../shared/peers/ncnn, built for this machine) in one run, batch 1:
# ResNet-18 and MobileNetV2 at 224² in FP32 and int8 with 1 and 2 threads (ours: quantfold-cli
# bench on the random-weight ONNX files of DATA/bench; ncnn: benchncnn on its built-in copies of
# the same networks, random weights too), and ResNet-20 (CIFAR, 32²) per image with 1 thread
# (ours: quantfold-cli bench on the Caffe file; ncnn: ncnn_run over the eval images on the same
# file through caffe2ncnn + ncnnoptimize, int8 through our ncnn table and ncnn2int8). Prints one
# table with the ratios (ours / ncnn, lower is better). Not a test: machines are noisy, compare
# the ratios of one run.
# Then whole ResNet-20 jobs: run against OpenCV, calibrate against ncnn2table (see the end).
#   bench/vs_ncnn.sh [DATA] [NCNN]      (defaults ../shared/data and ../shared/peers/ncnn)
set -euo pipefail
cd "$(dirname "$0")/.."
data=$(realpath "${1:-../shared/data}")
ncnn=$(realpath "${2:-../shared/peers/ncnn}")
cli=$(realpath build/bin/quantfold-cli)
loops=${LOOPS:-8}
for need in "$cli" "$ncnn/benchncnn" "$ncnn/ncnn_run" "$data/bench/resnet18_random_bn.onnx"; do
    [ -e "$need" ] || { echo "vs_ncnn: $need is missing" >&2; exit 1; }
done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

ours() {  # MODEL PRECISION THREADS [TABLE] -> median ms
    local table=()
    [ -n "${4:-}" ] && table=(--table "$4")
    "$cli" bench "$1" --precision "$2" --threads "$3" "${table[@]}" --json 2>/dev/null |
        sed -n 's/.*"ms_median":\([0-9.]*\).*/\1/p' | xargs printf '%.2f'
}
ncnn_avg() {  # NETWORK THREADS -> avg ms from benchncnn's line "name  min = a  max = b  avg = c"
    [ -s "$work/benchncnn.$2" ] ||
        (cd "$work" && "$ncnn/benchncnn" "$loops" "$2" 0 -1 0 >"$work/benchncnn.$2" 2>&1 || true)
    awk -v net="$1" '$1 == net { for (i = 1; i <= NF; ++i) if ($i == "avg") print $(i + 2) }' \
        "$work/benchncnn.$2"
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2fx", a / b; else print "-" }'; }

# int8 tables for the random-weight models: any photos do for a speed measurement.
faces="$data/faces/images"
"$cli" calibrate "$data/bench/resnet18_random_bn.onnx" --images "$faces" --method kl \
    -o "$work/r18.json" >/dev/null 2>&1
"$cli" calibrate "$data/bench/mobilenet_v2_random_bn.onnx" --images "$faces" --method kl \
    -o "$work/mv2.json" >/dev/null 2>&1

printf '| model | threads | our FP32 | ncnn FP32 | ratio | our int8 | ncnn int8 | ratio |\n'
printf '|---|---|---|---|---|---|---|---|\n'
for threads in 1 2; do
    for net in resnet18 mobilenet_v2; do
        case $net in
            resnet18) file=resnet18_random_bn.onnx table=r18.json int8net=resnet18_int8 ;;
            mobilenet_v2) file=mobilenet_v2_random_bn.onnx table=mv2.json int8net="" ;;
        esac
        f32=$(ours "$data/bench/$file" fp32 "$threads")
        i8=$(ours "$data/bench/$file" int8 "$threads" "$work/$table")
        nf32=$(ncnn_avg "$net" "$threads")
        ni8=$([ -n "$int8net" ] && ncnn_avg "$int8net" "$threads" || echo 0)
        printf '| %s 224² | %s | %s ms | %s ms | %s | %s ms | %s | %s |\n' "$net" "$threads" \
            "$f32" "$nf32" "$(ratio "$f32" "$nf32")" "$i8" \
            "$([ "$ni8" != 0 ] && echo "$ni8 ms" || echo "(none in benchncnn)")" \
            "$([ "$ni8" != 0 ] && ratio "$i8" "$ni8" || echo "vs ncnn FP32 $(ratio "$i8" "$nf32")")"
    done
done

# ResNet-20 per image, 1 thread.
r20="$data/cifar10/resnet20"
eval_images="$data/cifar10/images/eval"
pre=(--size 32x32 --scale 0.00392157 --mean 0.485,0.456,0.406 --std 0.229,0.224,0.225)
"$cli" calibrate "$r20/resnet20_cifar10_deploy.prototxt" "$r20/resnet20_cifar10.caffemodel" \
    --images "$data/cifar10/images/calib" "${pre[@]}" --method kl -o "$work/r20.json" >/dev/null 2>&1
"$cli" export "$r20/resnet20_cifar10_deploy.prototxt" "$r20/resnet20_cifar10.caffemodel" \
    --table "$work/r20.json" --format ncnn -o "$work/r20.table" >/dev/null 2>&1
"$ncnn/caffe2ncnn" "$r20/resnet20_cifar10_deploy.prototxt" "$r20/resnet20_cifar10.caffemodel" \
    "$work/r20.param" "$work/r20.bin" >/dev/null 2>&1
"$ncnn/ncnnoptimize" "$work/r20.param" "$work/r20.bin" "$work/r20o.param" "$work/r20o.bin" 0 \
    >/dev/null 2>&1
"$ncnn/ncnn2int8" "$work/r20o.param" "$work/r20o.bin" "$work/r20i.param" "$work/r20i.bin" \
    "$work/r20.table" >/dev/null 2>&1
ncnn_run() {  # PARAM BIN -> ms per image over the eval images
    "$ncnn/ncnn_run" "$1" "$2" "$eval_images" data fc 32 32 123.675,116.28,103.53 \
        0.01712475,0.017507,0.01742919 rgb 1 | sed -n 's/.*ms_per_image=\([0-9.]*\).*/\1/p'
}
printf '\n'
"$cli" bench "$r20/resnet20_cifar10_deploy.prototxt" "$r20/resnet20_cifar10.caffemodel" \
    --precision fp32 --threads 1 --json 2>/dev/null >"$work/f.json"
"$cli" bench "$r20/resnet20_cifar10_deploy.prototxt" "$r20/resnet20_cifar10.caffemodel" \
    --precision int8 --table "$work/r20.json" --threads 1 --json 2>/dev/null >"$work/i.json"
f32=$(sed -n 's/.*"ms_median":\([0-9.]*\).*/\1/p' "$work/f.json" | xargs printf '%.3f')
i8=$(sed -n 's/.*"ms_median":\([0-9.]*\).*/\1/p' "$work/i.json" | xargs printf '%.3f')
nf32=$(ncnn_run "$work/r20o.param" "$work/r20o.bin")
ni8=$(ncnn_run "$work/r20i.param" "$work/r20i.bin")
printf '| ResNet-20 32² per image | 1 | %s ms | %s ms | %s | %s ms | %s ms | %s |\n' \
    "$f32" "$nf32" "$(ratio "$f32" "$nf32")" "$i8" "$ni8" "$(ratio "$i8" "$ni8")"

# Whole jobs on ResNet-20 (Caffe), all cores each: `run` over the 2000 eval images (decode,
# preprocess, FP32) against OpenCV's dnn doing the same (quantfold-opencv-run; OpenCV fuses the
# BatchNorms itself, so ours is timed on the file as given and after `fold`), and `calibrate
# --method kl` on the 1000 calib images against `ncnn2table method=kl` (ours also computes the
# other methods' thresholds and 64 images of bias correction).
opencv=$(realpath build/bin/quantfold-opencv-run)
seconds() { local s e; s=$(date +%s.%N); "$@" >/dev/null 2>&1; e=$(date +%s.%N); awk -v s="$s" -v e="$e" 'BEGIN { printf "%.2f", e - s }'; }
"$cli" fold "$r20/resnet20_cifar10_deploy.prototxt" "$r20/resnet20_cifar10.caffemodel" \
    "$work/r20f.caffemodel" -o "$work/r20f.prototxt" >/dev/null 2>&1
run_ours=$(seconds "$cli" run "$r20/resnet20_cifar10_deploy.prototxt" "$r20/resnet20_cifar10.caffemodel" \
    --images "$eval_images" "${pre[@]}")
run_folded=$(seconds "$cli" run "$work/r20f.prototxt" "$work/r20f.caffemodel" --images "$eval_images" \
    "${pre[@]}")
run_opencv=$(seconds "$opencv" "$r20/resnet20_cifar10_deploy.prototxt" \
    "$r20/resnet20_cifar10.caffemodel" "$eval_images" 32 32 0.00392157 0.485,0.456,0.406 \
    0.229,0.224,0.225)
calib_images="$data/cifar10/images/calib"
find "$calib_images" -name '*.jpg' | sort >"$work/calib.txt"
cal_ours=$(seconds "$cli" calibrate "$r20/resnet20_cifar10_deploy.prototxt" \
    "$r20/resnet20_cifar10.caffemodel" --images "$calib_images" "${pre[@]}" --method kl \
    -o "$work/r20kl.json")
cal_ncnn=$(seconds "$ncnn/ncnn2table" "$work/r20o.param" "$work/r20o.bin" "$work/calib.txt" \
    "$work/r20ncnn.table" "mean=[123.675,116.28,103.53]" "norm=[0.01712475,0.017507,0.01742919]" \
    "shape=[32,32,3]" pixel=RGB "thread=$(nproc)" method=kl)
printf '\n| ResNet-20 job | ours | peer | ratio |\n|---|---|---|---|\n'
printf '| run, 2000 eval images, model as given | %s s | OpenCV %s s | %s |\n' "$run_ours" \
    "$run_opencv" "$(ratio "$run_ours" "$run_opencv")"
printf '| run, 2000 eval images, after fold | %s s | OpenCV %s s | %s |\n' "$run_folded" \
    "$run_opencv" "$(ratio "$run_folded" "$run_opencv")"
printf '| calibrate kl, 1000 calib images | %s s | ncnn2table %s s | %s |\n' "$cal_ours" \
    "$cal_ncnn" "$(ratio "$cal_ours" "$cal_ncnn")"

#!/usr/bin/env bash
# Prints the int8 quality table (FP32 vs int8 for every model of ../shared/data and every
# threshold method): top-1 / top-1 agreement for ResNet-20, output cosines for the face
# detectors. Each method is calibrated on its own, so its bias corrections fit its thresholds.
# Needs the build (tools/build.sh) and ../shared/data; takes about 20 minutes on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."
cli=build/bin/quantfold-cli
data=${1:-../shared/data}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
methods=(kl minmax percentile mse aciq)
cifar=(--scale 0.00392156862745098 --mean 0.485,0.456,0.406 --std 0.229,0.224,0.225)

json_field() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }

echo "| ResNet-20 file | method | FP32 top-1 | int8 top-1 | top-1 agreement |"
echo "|---|---|---|---|---|"
for model in "resnet20_cifar10_deploy.prototxt resnet20_cifar10.caffemodel" resnet20_cifar10.onnx \
             resnet20_cifar10_convshortcut.onnx; do
    set -- $model
    files=("$data/cifar10/resnet20/$1")
    [ $# -gt 1 ] && files+=("$data/cifar10/resnet20/$2")
    for method in "${methods[@]}"; do
        "$cli" calibrate "${files[@]}" --images "$data/cifar10/images/calib" "${cifar[@]}" --method "$method" \
            -o "$work/table.json" > /dev/null 2>&1
        "$cli" compare "${files[@]}" --table "$work/table.json" --images "$data/cifar10/images/eval" "${cifar[@]}" \
            --json 2> /dev/null |
            json_field "'| $1 | $method | %.2f %% | %.2f %% | %.2f %% |' % (100*d['fp32']['top1'], 100*d['int8']['top1'], 100*d['top1_agreement'])"
    done
done

echo
echo "| face detector | method | output cosine (mean over the 9 photos; worst photo) |"
echo "|---|---|---|"
faces=$data/faces
for detector in ultraface retinaface; do
    if [ $detector = ultraface ]; then
        files=("$faces/ultraface/version-RFB-320_without_postprocessing.onnx")
        pre=(--size 320x240 --mean 127,127,127 --std 128,128,128)
    else
        files=("$faces/retinaface_mnet25/mnet25.prototxt" "$faces/retinaface_mnet25/mnet25.caffemodel")
        pre=(--size 320x256)
    fi
    for method in "${methods[@]}"; do
        "$cli" calibrate "${files[@]}" --images "$faces/images" "${pre[@]}" --method "$method" -o "$work/table.json" \
            > /dev/null 2>&1
        "$cli" compare "${files[@]}" --table "$work/table.json" --images "$faces/images" "${pre[@]}" --json 2> /dev/null |
            json_field "'| $detector | $method | ' + ', '.join('%s %.4f (%.4f)' % (o['name'], o['cosine'], o['worst_image_cosine']) for o in d['outputs']) + ' |'"
    done
done

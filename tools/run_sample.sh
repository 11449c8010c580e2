#!/usr/bin/env bash
# The main job on the bundled sample (a digits CNN with BatchNorm, in Caffe and ONNX form):
# describe it, fold its BatchNorm layers with a numeric check, compare accuracy before and after,
# calibrate int8, compare int8 with FP32 and export the int8 model and tables.
# Outputs go to build/sample-output/.
set -euo pipefail
cd "$(dirname "$0")/.."
cli=build/bin/quantfold-cli
sample=resources/sample
out=build/sample-output
mkdir -p "$out"
pre=(--scale 0.00392156862745098 --mean 0.5,0.5,0.5 --std 0.5,0.5,0.5 --rgb)

echo "== The model (ONNX) =="
"$cli" info "$sample/digits.onnx"
echo
echo "== Fold BatchNorm (ONNX), verified on the sample images =="
"$cli" fold "$sample/digits.onnx" -o "$out/digits_folded.onnx" --verify-images "$sample/images" "${pre[@]}"
echo
echo "== Fold BatchNorm + Scale (Caffe) =="
"$cli" fold "$sample/digits_deploy.prototxt" "$sample/digits.caffemodel" \
    -o "$out/digits_folded.prototxt" "$out/digits_folded.caffemodel" --verify-images "$sample/images" "${pre[@]}"
echo
echo "== Accuracy on the 200 sample images =="
for model in "$sample/digits.onnx" "$out/digits_folded.onnx"; do
    printf '%-40s ' "$model"
    "$cli" run "$model" --images "$sample/images" "${pre[@]}" 2>/dev/null | tail -n 1
done
printf '%-40s ' "$out/digits_folded.prototxt"
"$cli" run "$out/digits_folded.prototxt" "$out/digits_folded.caffemodel" --images "$sample/images" "${pre[@]}" \
    2>/dev/null | tail -n 1
echo
echo "== Calibrate int8 (method auto, the default; per-channel weights) on the sample images =="
"$cli" calibrate "$sample/digits.onnx" --images "$sample/images" "${pre[@]}" -o "$out/digits_calibration.json" \
    2>/dev/null
echo
echo "== int8 against FP32 =="
"$cli" compare "$sample/digits.onnx" --table "$out/digits_calibration.json" --images "$sample/images" "${pre[@]}" \
    2>/dev/null
echo
echo "== Exports =="
"$cli" export "$sample/digits.onnx" --table "$out/digits_calibration.json" --format onnx-qdq -o "$out/digits_int8_qdq.onnx"
"$cli" export "$sample/digits.onnx" --table "$out/digits_calibration.json" --format ncnn -o "$out/digits.table"
"$cli" export "$sample/digits.onnx" --table "$out/digits_calibration.json" --format tensorrt -o "$out/digits.cache"

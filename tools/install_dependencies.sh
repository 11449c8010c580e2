#!/usr/bin/env bash
# Installs every Debian 12 package QuantFold needs to build, test and run (as root, or via sudo).
set -euo pipefail
packages=(
    g++ make cmake pkg-config git ca-certificates
    qt6-base-dev qt6-tools-dev qt6-tools-dev-tools qt6-l10n-tools qt6-svg-dev
    libqcustomplot-dev libqcustomplot2.1-qt6
    libprotobuf-dev protobuf-compiler libonnx-dev tiny-dnn
    libopencv-dev libeigen3-dev libgraphviz-dev
    libonnx-testdata
)
sudo=""
if [ "$(id -u)" != 0 ]; then sudo=sudo; fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update
# The QDQ export test runs the exported model in ONNX Runtime through Node.js (npm package
# onnxruntime-node, installed by the test itself); take Debian's Node.js only if none is there.
if ! command -v npm > /dev/null; then packages+=(nodejs npm); fi
$sudo apt-get install -y --no-install-recommends "${packages[@]}"

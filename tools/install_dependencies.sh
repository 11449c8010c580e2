#!/usr/bin/env bash
# Installs every Debian 12 package QuantFold needs to build, test and run (tools/debian-packages.txt),
# as root or via sudo.
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t packages < tools/debian-packages.txt
# The QDQ export test runs the exported model in ONNX Runtime through Node.js (npm package
# onnxruntime-node, installed by the test itself); take Debian's Node.js only if none is there.
if ! command -v npm > /dev/null; then packages+=(nodejs npm); fi
sudo=""
if [ "$(id -u)" != 0 ]; then sudo=sudo; fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update
$sudo apt-get install -y --no-install-recommends "${packages[@]}"

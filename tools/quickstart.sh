#!/usr/bin/env bash
# Quick start: install the Debian packages, build, and run the main job on the bundled sample.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/install_dependencies.sh
tools/build.sh
tools/run_sample.sh

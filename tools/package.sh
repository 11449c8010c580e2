#!/usr/bin/env bash
# Builds the installable packages into build/: quantfold_<version>_<arch>.deb and
# quantfold-<version>-Linux-<arch>.tar.gz (installer/packaging.cmake). Configures build/ first
# when tools/build.sh has not run yet.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -f build/CPackConfig.cmake ]; then cmake -S . -B build -DCMAKE_BUILD_TYPE=Release; fi
targets=(quantfold-cli)
# The desktop app when this build has it (QUANTFOLD_BUILD_GUI).
if cmake --build build --target help | grep -qx '\.\.\. quantfold'; then targets+=(quantfold); fi
cmake --build build -j2 --target "${targets[@]}"
cd build
rm -f quantfold_*.deb quantfold-*.tar.gz
cpack -G "DEB;TGZ"
ls -l quantfold_*.deb quantfold-*.tar.gz

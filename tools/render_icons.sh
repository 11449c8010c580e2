#!/usr/bin/env bash
# Renders the SVG icon into the PNG sizes the .deb installs (ImageMagick's convert, through
# rsvg-convert from librsvg2-bin). The PNGs are committed; rerun after editing the SVG.
set -euo pipefail
cd "$(dirname "$0")/../installer/icons"
icon=io.github.quantfold.QuantFold
for size in 16 32 48 64 128 256; do
    mkdir -p "$size"
    convert -background none -density 96 "$icon.svg" -resize "${size}x${size}" -strip "$size/$icon.png"
done

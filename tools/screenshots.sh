#!/usr/bin/env bash
# Takes the README's screenshots of the real desktop app under Xvfb: the bundled sample and
# RetinaFace (../shared/data), each view, and the Chinese interface. Writes docs/screenshots/*.png.
# Needs: xvfb xauth imagemagick xdotool (tools/debian-packages.txt) and a built build/bin/quantfold.
#   tools/screenshots.sh            # all of them
#   tools/screenshots.sh int8       # only the int8 comparison views and the heat map
#   QUANTFOLD=/usr/bin/quantfold tools/screenshots.sh
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
app=${QUANTFOLD:-$root/build/bin/quantfold}
out=$root/docs/screenshots
sample=$root/resources/sample
retina=$root/../shared/data/faces/retinaface_mnet25

if [ -z "${QF_SCREENSHOTS_UNDER_XVFB:-}" ]; then
    [ -x "$app" ] || { echo "screenshots: $app is not built" >&2; exit 1; }
    [ -f "$retina/mnet25.prototxt" ] || { echo "screenshots: $retina is missing" >&2; exit 1; }
    exec env QF_SCREENSHOTS_UNDER_XVFB=1 xvfb-run -a -s "-screen 0 1600x1000x24" "$0" "$@"
fi

mkdir -p "$out"
# Fresh settings each run: the default dock layout, no recent files, the system's language.
settings=$(mktemp -d)
trap 'rm -rf "$settings"; [ -n "${pid:-}" ] && kill "$pid" 2>/dev/null || true' EXIT
export XDG_CONFIG_HOME=$settings XDG_CACHE_HOME=$settings/cache XDG_DATA_HOME=$settings/data
pid=""

# start SECONDS ARGS...: runs the app on ARGS, waits for its window, makes it fill the screen
# (there is no window manager) and gives it SECONDS to load and lay the model out.
start() {
    local settle=$1
    shift
    "$app" "$@" > "$settings/app.log" 2>&1 &
    pid=$!
    wid=$(xdotool search --sync --onlyvisible --name 'QuantFold' | head -1)
    xdotool windowmove "$wid" 0 0 windowsize "$wid" 1600 1000
    xdotool windowfocus --sync "$wid" 2> /dev/null || true
    sleep "$settle"
}

stop() {
    kill "$pid" 2> /dev/null || true
    wait "$pid" 2> /dev/null || true
    pid=""
}

# find REGEX: selects the first node matching REGEX through Edit ▸ Find (Ctrl+F; typing
# selects and centres the first match).
find_node() {
    xdotool key --clearmodifiers ctrl+f
    sleep 0.5
    xdotool key --clearmodifiers ctrl+a
    xdotool type --delay 20 "$1"
    sleep 2
}

# shot NAME: the whole screen, scaled to a readable 1280 px wide, stripped and reduced to a
# 256-colour palette without dithering (a third of the size; flat UI colours survive exactly).
shot() {
    import -window root "$settings/$1.png"
    convert "$settings/$1.png" -strip -resize 1280x -quality 95 -dither None -colors 256 \
        "PNG8:$out/$1.png"
    echo "screenshots: $out/$1.png"
}

# The int8 comparison views and the error heat map: the GUI tests calibrate through the panel and
# grab the window when QF_SHOTS_DIR is set (ResNet-20 and RetinaFace from ../shared/data).
#   tools/screenshots.sh int8       # only these
int8_shots() {
    local tests=$root/build/bin shots=$settings/shots
    mkdir -p "$shots"
    for test in test_calibration_resnet20 test_comparison_resnet20 test_heatmap_retinaface \
        test_ui_budget test_ui_equalize; do
        [ -x "$tests/$test" ] || { echo "screenshots: $tests/$test is not built" >&2; exit 1; }
        if ! QF_SHOTS_DIR=$shots QT_QPA_PLATFORM=xcb "$tests/$test" > "$settings/$test.log" 2>&1; then
            cat "$settings/$test.log" >&2
            echo "screenshots: $test failed" >&2
            exit 1
        fi
    done
    for name in resnet20-calibration-panel resnet20-histogram-dragged resnet20-comparison \
        comparison-sqnr-chart comparison-sensitivity comparison-images comparison-budget \
        calibration-equalized \
        retinaface-calibration-panel retinaface-histogram-dragged \
        comparison-sqnr-chart-retinaface \
        heatmap-retinaface heatmap-retinaface-detail; do
        convert "$shots/$name.png" -strip -resize 1280x -quality 95 -dither None -colors 256 \
            "PNG8:$out/$name.png"
        echo "screenshots: $out/$name.png"
    done
    # File > Export… and View > Before / After on RetinaFace. The export shot is the screen (the
    # dialog is a window of its own over the main one); the dialog alone is its grab.
    for run in "test_ui_export retinaFaceExportsEqualTheCli" \
        "test_ui_before_after retinaFaceFoldedEverywhere"; do
        set -- $run
        [ -x "$tests/$1" ] || { echo "screenshots: $tests/$1 is not built" >&2; exit 1; }
        if ! QF_SHOTS_DIR=$shots QT_QPA_PLATFORM=xcb "$tests/$1" "$2" > "$settings/$1.log" 2>&1; then
            cat "$settings/$1.log" >&2
            echo "screenshots: $1 failed" >&2
            exit 1
        fi
    done
    for name in export-retinaface:export-retinaface-screen \
        before-after-retinaface:before-after-retinaface-screen \
        export-retinaface-dialog:export-retinaface-dialog; do
        convert "$shots/${name#*:}.png" -strip -resize '1280x>' -quality 95 -dither None \
            -colors 256 "PNG8:$out/${name%%:*}.png"
        echo "screenshots: $out/${name%%:*}.png"
    done
}
int8_shots
[ "${1:-}" = int8 ] && exit 0

start 5 "$sample/digits_deploy.prototxt" "$sample/digits.caffemodel"
shot sample-graph
find_node '^conv2$'
shot sample-conv-properties
find_node '^conv2_bn$'
shot sample-batchnorm-properties
stop

start 12 "$retina/mnet25.prototxt" "$retina/mnet25.caffemodel"
shot retinaface-graph
find_node 'mobilenet0_conv1_fwd$'
shot retinaface-conv-properties
find_node 'mobilenet0_batchnorm1_fwd$'
shot retinaface-batchnorm-properties
# Model ▸ Fold All (Ctrl+Shift+F), then the summary of the folded model.
xdotool key --clearmodifiers ctrl+shift+f
sleep 6
shot retinaface-folded
stop

# The Chinese interface, chosen by the system locale.
LANG=zh_CN.UTF-8 LANGUAGE=zh_CN start 12 "$retina/mnet25.prototxt" "$retina/mnet25.caffemodel"
find_node 'mobilenet0_conv1_fwd$'
shot retinaface-zh_CN
stop

#!/usr/bin/env bash
# CI's packaging stage: builds the .deb and .tar.gz, installs the .deb the way a user would
# (apt-get resolves the dependencies dpkg-shlibdeps wrote), runs both installed programs from
# /usr/bin and validates the installed desktop entry and AppStream metainfo. Run as root (or
# with sudo) after tools/build.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
sudo=""
if [ "$(id -u)" != 0 ]; then sudo=sudo; fi
app_id=io.github.quantfold.QuantFold

tools/package.sh
debs=(build/quantfold_*.deb)
if [ "${#debs[@]}" != 1 ]; then
    echo "ci_package: expected one build/quantfold_*.deb, found ${#debs[@]}" >&2
    exit 1
fi
echo "== package contents and dependencies"
dpkg-deb --field "${debs[0]}"
dpkg-deb --contents "${debs[0]}" | awk '{print $6}'
tar -tzf build/quantfold-*.tar.gz | grep -E 'bin/quantfold(-cli)?$'

echo "== install"
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y "./${debs[0]}"

echo "== run the installed programs"
file /usr/bin/quantfold /usr/bin/quantfold-cli
/usr/bin/quantfold-cli --version
# CI has no display: --version answers before any window exists.
/usr/bin/quantfold --version
# The installed app starts and opens the installed sample (offscreen: no display here); still
# running after 10 s means it did not crash or exit on an error.
set +e
QT_QPA_PLATFORM=offscreen timeout 10 /usr/bin/quantfold /usr/share/quantfold/sample/digits.onnx
status=$?
set -e
if [ "$status" != 124 ]; then
    echo "ci_package: /usr/bin/quantfold exited with $status instead of running" >&2
    exit 1
fi

echo "== desktop integration"
desktop-file-validate /usr/share/applications/${app_id}.desktop
appstreamcli validate --no-net /usr/share/metainfo/${app_id}.metainfo.xml
test -f /usr/share/icons/hicolor/scalable/apps/${app_id}.svg
test -f /usr/share/icons/hicolor/256x256/apps/${app_id}.png
test -f /usr/share/mime/packages/${app_id}.xml
echo "ci_package: the .deb installs, both programs start, desktop files valid"

#!/usr/bin/env bash
# The main job's HTML report opens in headless Chromium: writes it with `--report` (reusing the release build
# of the main-job step), takes a screenshot and fails if the PNG is missing or nearly blank.
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

swift run -c release etrm-pipeline --report "$tmp/report.html" >/dev/null
test -s "$tmp/report.html"

if ! command -v chromium >/dev/null 2>&1; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null
    apt-get install -y -qq chromium >/dev/null
fi
# Chromium prints D-Bus complaints on a machine without a session bus; they are not failures.
timeout 120 chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --screenshot="$tmp/report.png" \
    --window-size=1000,1600 "file://$tmp/report.html" >/dev/null 2>&1 || true

# Fails on a missing, unreadable or blank screenshot (the same check as the /docs page's).
python3 .ci/png-check.py "$tmp/report.png"

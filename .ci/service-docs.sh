#!/usr/bin/env bash
# GET /docs renders the OpenAPI document as a readable page: headless Chromium screenshots it, and the
# screenshot must not be blank (enough non-white pixels, several rows of text).
set -euo pipefail
cd "$(dirname "$0")/.."
source .ci/service-common.sh
if ! command -v chromium >/dev/null; then
    apt-get update -qq && apt-get install -y -qq chromium >/dev/null
fi
work=$(mktemp -d)
port=18190
start_demo_service "$port" "$work"
trap 'kill $SERVICE_PID 2>/dev/null || true; rm -rf "$work"' EXIT
curl -sf "http://127.0.0.1:$port/docs" >"$work/docs.html"
if grep -qi '<script' "$work/docs.html"; then echo "/docs has a script" >&2; exit 1; fi
chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=1280,1600 \
    --screenshot="$work/docs.png" "http://127.0.0.1:$port/docs" 2>/dev/null
python3 .ci/png-check.py "$work/docs.png"
cp "$work/docs.png" "${DOCS_SCREENSHOT:-/tmp/settlement-docs.png}"

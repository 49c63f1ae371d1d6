#!/usr/bin/env bash
# The DocC catalogs as a static site, checked in a browser: serves the archives .ci/docc.sh built (built here if
# missing) on 127.0.0.1 with python3's http.server, screenshots ETRMContracts' landing page in headless Chromium
# and fails on a missing or blank PNG. `--keep PATH` also copies the screenshot to PATH (docs/docc-landing.png).
set -euo pipefail
cd "$(dirname "$0")/.."
keep=""
[ "${1:-}" = "--keep" ] && keep=$2
site=.build/docc
[ -f "$site/ETRMContracts.doccarchive/index.html" ] || bash .ci/docc.sh
tmp=$(mktemp -d)
port=${ETRM_DOCC_PORT:-18419}
python3 -m http.server "$port" --bind 127.0.0.1 --directory "$site" >"$tmp/server.log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null || true; rm -rf "$tmp"' EXIT
url="http://127.0.0.1:$port/ETRMContracts.doccarchive/documentation/etrmcontracts/"
for _ in $(seq 50); do
    curl -fsS -o /dev/null "$url" 2>/dev/null && break
    sleep 0.2
done
curl -fsS -o /dev/null "$url" || { echo "docc-site: $url does not answer" >&2; exit 1; }

if ! command -v chromium >/dev/null 2>&1; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null
    apt-get install -y -qq chromium >/dev/null
fi
# DocC renders in the browser (its JavaScript fetches the page's JSON): give it virtual time to finish.
timeout 120 chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --virtual-time-budget=15000 \
    --screenshot="$tmp/docc.png" --window-size=1200,900 "$url" >/dev/null 2>&1 || true
python3 .ci/png-check.py "$tmp/docc.png"
if [ -n "$keep" ]; then cp "$tmp/docc.png" "$keep"; fi
echo "docc-site: $url renders"

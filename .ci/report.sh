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

# A PNG with a real page on it has many colours; a blank or failed render has one or two. The PNG is
# decoded with zlib alone (8-bit RGB or RGBA, which Chromium writes), so no imaging package is needed.
python3 - "$tmp/report.png" <<'PY'
import struct, sys, zlib
path = sys.argv[1]
try:
    data = open(path, "rb").read()
except OSError:
    sys.exit(f"report screenshot: {path} was not written")
if data[:8] != b"\x89PNG\r\n\x1a\n":
    sys.exit("report screenshot: not a PNG")
pos, idat, header = 8, b"", None
while pos < len(data):
    length, kind = struct.unpack(">I4s", data[pos:pos + 8])
    body = data[pos + 8:pos + 8 + length]
    if kind == b"IHDR":
        header = struct.unpack(">IIBBBBB", body)
    elif kind == b"IDAT":
        idat += body
    pos += 12 + length
width, height, depth, colour = header[:4]
if depth != 8 or colour not in (2, 6):
    sys.exit(f"report screenshot: unexpected PNG format (depth {depth}, colour type {colour})")
channels = 3 if colour == 2 else 4
raw = zlib.decompress(idat)
stride = width * channels
previous = bytearray(stride)
colours = set()
for row in range(height):
    start = row * (stride + 1)
    kind, line = raw[start], bytearray(raw[start + 1:start + 1 + stride])
    for i in range(stride):
        left = line[i - channels] if i >= channels else 0
        up = previous[i]
        corner = previous[i - channels] if i >= channels else 0
        if kind == 1: line[i] = (line[i] + left) & 255
        elif kind == 2: line[i] = (line[i] + up) & 255
        elif kind == 3: line[i] = (line[i] + (left + up) // 2) & 255
        elif kind == 4:
            p = left + up - corner
            pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
            line[i] = (line[i] + (left if pa <= pb and pa <= pc else up if pb <= pc else corner)) & 255
    if row % 4 == 0:
        colours.update(bytes(line[i:i + 3]) for i in range(0, stride, channels * 2))
    previous = line
print(f"report screenshot: {width}x{height}, {len(colours)} distinct colours sampled")
if len(colours) < 16:
    sys.exit("report screenshot is nearly blank")
PY

#!/usr/bin/env bash
# interchange.sh N [REPEATS] — TradeFrame's Parquet and Arrow IPC against pyarrow on the same N-trade frame
# (issue 18): write and read times and file sizes side by side, and the issue's two targets (Arrow IPC read of
# a mapped file >= 2 GB/s; TradeFrame's Parquet file <= 1.5x pyarrow's Snappy file).
#
# Builds interchange-benchmark in release (CONFIG=debug for a quick check, as CI does), runs it (it generates
# the trades from seed 42 as `etrm-pipeline generate` does and runs the pipeline), then interchange.py.
# Environment: CONFIG (release), INTERCHANGE_DIR (files, default a temporary folder, removed afterwards),
# PYTHON (python3), CHECK=1 (exit 1 when a target is missed).
set -euo pipefail
N="${1:-1000000}"
REPEATS="${2:-3}"
if ! [[ "$N" =~ ^[1-9][0-9]*$ ]]; then
    echo "usage: interchange.sh N [REPEATS]" >&2
    exit 2
fi
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
PY="${PYTHON:-python3}"
CONFIG="${CONFIG:-release}"
if ! "$PY" -c 'import pyarrow' 2>/dev/null; then
    "$PY" -m pip install --quiet pyarrow 2>/dev/null || "$PY" -m pip install --quiet --break-system-packages pyarrow
fi
if [ -n "${INTERCHANGE_DIR:-}" ]; then
    DIR="$INTERCHANGE_DIR"
    mkdir -p "$DIR"
else
    DIR="$(mktemp -d)"
    trap 'rm -rf "$DIR"' EXIT
fi
cd "$ROOT"
swift build -c "$CONFIG" --product InterchangeBenchmark 2>&1 | grep -E 'error|warning:' || true
BIN="$(swift build -c "$CONFIG" --show-bin-path)/InterchangeBenchmark"
echo "uptime: $(uptime)"
"$BIN" "$N" "$DIR" "$REPEATS" >"$DIR/swift.jsonl"
"$PY" "$HERE/interchange.py" "$DIR" "$DIR/swift.jsonl" "$REPEATS" ${CHECK:+--check}

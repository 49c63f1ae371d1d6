#!/usr/bin/env bash
# Interoperability of TradeFrame's Arrow IPC with the data stack (issue 18). Three phases in one folder:
#   1. Swift (InteropTests) writes swift.arrow (file), swift.arrows (stream) and swift.json (exact values);
#   2. interop.py reads them with pyarrow, polars and DuckDB and checks values and types, then writes the
#      same table back with pyarrow's and polars' defaults (*.from-python.arrow[s]);
#   3. Swift reads every file in the folder and compares it with the frame it wrote;
#   4. the interchange benchmark (Benchmarks/Comparison/interchange.sh) at 5,000 trades in a debug build, so
#      that it keeps working: TradeFrame's Parquet and Arrow IPC beside pyarrow's, failing if TradeFrame's
#      Parquet file is over 1.5x pyarrow's (the throughput target is judged on 1M trades in release only).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/opt/swift/usr/bin:$PATH"

if ! python3 -c 'import pyarrow, polars, duckdb' 2>/dev/null; then
    python3 -m pip install --quiet pyarrow polars duckdb 2>/dev/null \
        || python3 -m pip install --quiet --break-system-packages pyarrow polars duckdb
fi

folder="$(mktemp -d)"
trap 'rm -rf "$folder"' EXIT
export ETRM_INTEROP_DIR="$folder"
swift test --filter InteropTests 2>&1 | tail -n 3
python3 .ci/interop.py "$folder"
swift test --filter InteropTests 2>&1 | tail -n 3
echo "read back by Swift: $(cd "$folder" && ls *.arrow *.arrows *.parquet | tr '\n' ' ')"
CONFIG=debug CHECK=1 bash Benchmarks/Comparison/interchange.sh 5000 1

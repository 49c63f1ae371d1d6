#!/usr/bin/env bash
# scaling.sh [SIZES...] — the main job's scaling figures (issue 16): compare.sh at each size (default 100000
# 1000000 5000000 10000000), swift beside polars up to 5,000,000 trades and swift alone above, RUNS runs each
# (default 3), then one table of medians: wall, CPU, peak RSS, and each size's time over the 1M time.
# Data goes to ${TMPDIR:-/tmp}/etrm-compare-N (about 272 bytes a trade; 10M needs about 3 GB of disk).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
sizes=("$@")
[ "${#sizes[@]}" -gt 0 ] || sizes=(100000 1000000 5000000 10000000)
out=$(mktemp -d)
for n in "${sizes[@]}"; do
    tools="swift polars"
    [ "$n" -le 5000000 ] || tools="swift"
    echo "scaling.sh: N=$n ($tools)" >&2
    TOOLS="$tools" bash "$HERE/compare.sh" "$n" >"$out/$n.txt"
    rm -f "${TMPDIR:-/tmp}/etrm-compare-$n/trades.json" "${TMPDIR:-/tmp}/etrm-compare-$n/broker.json"
done
python3 - "$out" "${sizes[@]}" <<'PY'
import re, sys
out, sizes = sys.argv[1], [int(s) for s in sys.argv[2:]]
rows = {}
for n in sizes:
    for line in open(f"{out}/{n}.txt"):
        m = re.match(r"(swift|polars)\s+([\d.]+)\s+\S+\s+([\d.]+)\s+(\d+)", line)
        if m:
            rows[(n, m.group(1))] = (float(m.group(2)), float(m.group(3)), int(m.group(4)))
one = rows.get((1_000_000, "swift"))
print(f"{'trades':>12} {'tool':<7}{'wall s':>8}{'CPU s':>8}{'RSS MiB':>9}{'÷ 1M wall':>11}{'polars ÷ swift':>16}")
for n in sizes:
    for tool in ("swift", "polars"):
        if (n, tool) not in rows:
            continue
        wall, cpu, rss = rows[(n, tool)]
        scale = f"{wall / one[0]:.2f}x" if tool == "swift" and one else ""
        versus = ""
        if tool == "polars" and (n, "swift") in rows:
            versus = f"{wall / rows[(n, 'swift')][0]:.1f}x"
        print(f"{n:>12,} {tool:<7}{wall:>8.2f}{cpu:>8.2f}{rss:>9}{scale:>11}{versus:>16}")
PY

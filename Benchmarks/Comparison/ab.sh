#!/usr/bin/env bash
# ab.sh BASE_BIN NEW_BIN DIR [RUNS] — two builds of etrm-pipeline on the same data, alternating in one sitting
# (these machines are noisy): wall, CPU (user + system) and peak RSS of each whole run from /usr/bin/time, and
# whether the two summaries are identical. DIR holds trades.json and broker.json (`etrm-pipeline generate`).
set -euo pipefail
base="$1" new="$2" dir="$3" runs="${4:-3}"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
for run in $(seq 1 "$runs"); do
    for which in base new; do
        bin="$base"
        [ "$which" = new ] && bin="$new"
        /usr/bin/time -f "%e %U %S %M" -o "$out/time" "$bin" run --input "$dir/trades.json" --broker "$dir/broker.json" \
            --zone America/New_York --tolerance 0.005 --summary-json "$out/$which.json" --quiet >/dev/null
        read -r wall user system rss <"$out/time"
        printf '%-5s run %d  wall %6.2f s  cpu %6.2f s  peak RSS %5d MiB  load %s\n' "$which" "$run" "$wall" \
            "$(echo "$user + $system" | bc)" $((rss / 1024)) "$(cut -d' ' -f1 /proc/loadavg)"
    done
done
cmp -s "$out/base.json" "$out/new.json" && echo "summaries identical" || { echo "summaries DIFFER"; exit 1; }

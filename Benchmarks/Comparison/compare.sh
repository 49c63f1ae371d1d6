#!/usr/bin/env bash
# compare.sh N — the "Proof" of issue #6: the Swift pipeline against pandas + pydantic and polars.
#
# Generates N trades with `etrm-pipeline generate --seed 42`, runs the Swift program and the two
# Python pipelines RUNS times each (default 3) on the same files, takes the median whole-process wall
# time, CPU time and peak RSS from /usr/bin/time -v, checks that the three summaries agree key by
# key, and prints a table with the ratios. Exit status: 0 all summaries equal; 1 a summary differs or a run
# failed; 3 the Swift generator is not available.
#
# Environment: RUNS (default 3), COMPARE_DIR (data and logs, default ${TMPDIR:-/tmp}/etrm-compare-N),
# PYTHON (default python3), SKIP_SWIFT=1 (compare pandas and polars only, on files already in
# COMPARE_DIR; for working on the Python side before the Swift generator exists), TOOLS (the tools to run,
# default "swift pandas polars"; scaling.sh leaves pandas out at large N).
set -euo pipefail

N="${1:-100000}"
if ! [[ "$N" =~ ^[1-9][0-9]*$ ]]; then
    echo "usage: compare.sh N   (N = number of trades, e.g. 100000)" >&2
    exit 2
fi
RUNS="${RUNS:-3}"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
PY="${PYTHON:-python3}"
DIR="${COMPARE_DIR:-${TMPDIR:-/tmp}/etrm-compare-$N}"
mkdir -p "$DIR"

say() { printf 'compare.sh: %s\n' "$*" >&2; }

# ---- tools ------------------------------------------------------------------------------------
if ! "$PY" -c "import pandas, polars, pydantic, orjson, numpy" 2>/dev/null; then
    say "installing the Python requirements"
    "$PY" -m pip install --quiet -r "$HERE/requirements.txt"
fi
"$PY" -c "import pandas, polars, pydantic, orjson, numpy, sys; print('python', sys.version.split()[0], '| pandas', pandas.__version__, '| polars', polars.__version__, '| pydantic', pydantic.__version__, '| orjson', orjson.__version__, '| numpy', numpy.__version__)"
if [ ! -x /usr/bin/time ]; then
    say "installing GNU time for /usr/bin/time -v"
    if [ "$(id -u)" = 0 ]; then APT=(apt-get); else APT=(sudo apt-get); fi
    "${APT[@]}" update -qq && "${APT[@]}" install -y -qq time >/dev/null
fi

# ---- data -------------------------------------------------------------------------------------
if [ "${SKIP_SWIFT:-0}" = 1 ]; then
    TOOLS=(pandas polars)
    [ -s "$DIR/trades.json" ] && [ -s "$DIR/broker.json" ] || { say "SKIP_SWIFT=1 needs $DIR/trades.json and broker.json"; exit 1; }
    say "SKIP_SWIFT=1: comparing pandas and polars only, on the files in $DIR"
else
    read -r -a TOOLS <<<"${TOOLS:-swift pandas polars}"
    rm -f "$DIR/trades.json" "$DIR/broker.json"
    say "building etrm-pipeline (release) and generating $N trades into $DIR"
    if ! (cd "$ROOT" && swift run -c release etrm-pipeline generate --trades "$N" --seed 42 --out "$DIR") >"$DIR/generate.log" 2>&1 \
        || [ ! -s "$DIR/trades.json" ] || [ ! -s "$DIR/broker.json" ]; then
        tail -n 20 "$DIR/generate.log" >&2 || true
        say "'etrm-pipeline generate --trades N --seed S --out DIR' is not available (it did not write"
        say "$DIR/trades.json and broker.json; log: $DIR/generate.log). Nothing to compare against."
        exit 3
    fi
    SWIFT_BIN="$(cd "$ROOT" && swift build -c release --show-bin-path)/etrm-pipeline"
fi
for f in "$DIR/trades.json" "$DIR/broker.json"; do printf '  %-44s %12d bytes\n' "$f" "$(stat -L -c %s "$f")"; done
printf '  machine: %s, %s cores, load average %s\n' "$(uname -m)" "$(nproc)" "$(cut -d' ' -f1-3 /proc/loadavg)"

command_for() {
    local tool="$1" summary="$2"
    local common=(--input "$DIR/trades.json" --broker "$DIR/broker.json" --zone America/New_York --tolerance 0.005 --summary-json "$summary")
    case "$tool" in
        swift) CMD=("$SWIFT_BIN" run "${common[@]}" --quiet) ;;
        pandas) CMD=("$PY" "$HERE/pipeline_pandas.py" "${common[@]}") ;;
        polars) CMD=("$PY" "$HERE/pipeline_polars.py" "${common[@]}") ;;
    esac
}

# ---- runs (round robin, so a slow spell on the machine hits every tool) -----------------------
failed_runs=0
for run in $(seq 1 "$RUNS"); do
    for tool in "${TOOLS[@]}"; do
        summary="$DIR/summary.$tool.$run.json"
        rm -f "$summary"
        command_for "$tool" "$summary"
        say "run $run/$RUNS: $tool"
        if ! /usr/bin/time -v -o "$DIR/time.$tool.$run.txt" "${CMD[@]}" >"$DIR/stdout.$tool.$run.txt" 2>"$DIR/stderr.$tool.$run.txt"; then
            say "$tool run $run FAILED; last lines of its stderr:"
            tail -n 15 "$DIR/stderr.$tool.$run.txt" >&2
            failed_runs=$((failed_runs + 1))
        fi
    done
done

# ---- table and key-by-key check ---------------------------------------------------------------
status=0
"$PY" - "$DIR" "$RUNS" "$N" "${TOOLS[@]}" <<'PYEOF' || status=$?
import json, os, re, statistics, sys

out_dir, runs, n, tools = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4:]

def wall_seconds(text):
    m = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (?:(\d+):)?(\d+):([\d.]+)", text)
    return int(m.group(1) or 0) * 3600 + int(m.group(2)) * 60 + float(m.group(3))

def rss_mib(text):
    return int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", text).group(1)) / 1024

def cpu_seconds(text):
    user = float(re.search(r"User time \(seconds\): ([\d.]+)", text).group(1))
    system = float(re.search(r"System time \(seconds\): ([\d.]+)", text).group(1))
    return user + system

stats, summaries, problems = {}, {}, []
for tool in tools:
    walls, rsss, cpus = [], [], []
    for run in range(1, runs + 1):
        try:
            text = open(os.path.join(out_dir, f"time.{tool}.{run}.txt")).read()
            walls.append(wall_seconds(text)); rsss.append(rss_mib(text)); cpus.append(cpu_seconds(text))
        except (OSError, AttributeError):
            pass
        path = os.path.join(out_dir, f"summary.{tool}.{run}.json")
        if not os.path.exists(path):
            problems.append(f"{tool} run {run}: no summary written")
            continue
        s = json.load(open(path))
        if tool in summaries and s != summaries[tool]:
            problems.append(f"{tool} run {run}: summary differs from its run 1")
        summaries.setdefault(tool, s)
    if walls:
        stats[tool] = (statistics.median(walls), statistics.median(rsss), min(walls), max(walls), statistics.median(cpus))

base = "swift" if "swift" in stats else (tools[0] if tools and tools[0] in stats else None)
print()
print(f"N = {n:,} trades, {runs} runs each; medians of whole-process wall time, CPU time (user+sys) and peak RSS (/usr/bin/time -v)")
print(f"{'tool':<8}{'wall s':>9}{'min..max s':>15}{'CPU s':>9}{'peak RSS MiB':>14}{'wall ratio':>12}{'CPU ratio':>11}{'RSS ratio':>11}")
for tool in tools:
    if tool not in stats:
        print(f"{tool:<8}{'failed':>9}")
        continue
    w, r, lo, hi, c = stats[tool]
    ratio = lambda a, b: f"{a / b:.1f}x" if base and b > 0 else "-"
    bw, br, _, _, bc = stats[base] if base else (0, 0, 0, 0, 0)
    print(f"{tool:<8}{w:>9.2f}{f'{lo:.2f}..{hi:.2f}':>15}{c:>9.2f}{r:>14.0f}{ratio(w, bw):>12}{ratio(c, bc):>11}{ratio(r, br):>11}")
if base:
    print(f"(ratios: each tool's median / {base}'s median; on a busy machine compare CPU s, wall time includes waiting for a core)")

if len(summaries) == len(tools) and len(tools) > 1:
    ref_tool = tools[0]
    ref = summaries[ref_tool]
    for tool in tools[1:]:
        other = summaries[tool]
        for key in dict.fromkeys([*ref, *other]):
            if ref.get(key) != other.get(key):
                problems.append(f"key {key}: {ref_tool}={ref.get(key)!r} {tool}={other.get(key)!r}")
print()
if problems:
    print("SUMMARIES DIFFER or runs failed:")
    for p in problems:
        print("  " + p)
    sys.exit(1)
print(f"summaries identical key by key across {', '.join(tools)}:")
print(json.dumps(summaries[tools[0]], indent=2))
PYEOF
if [ "$failed_runs" -gt 0 ]; then
    say "$failed_runs run(s) failed"
    exit 1
fi
exit "$status"

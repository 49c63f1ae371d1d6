#!/usr/bin/env bash
# Issue 17's checks: `etrm-pipeline run --url` against `etrm-vendor-sim` with every fault on, at N = 100,000.
#   parity: the network run's summary equals the file run's on the same generated data, key by key;
#   crash:  the network run with --checkpoint, SIGKILLed at 5 random moments and resumed each time, ends with the
#           uninterrupted run's summary and, byte for byte, its dead-letter file (SOURCE_DATE_EPOCH fixes the
#           letters' quarantined_at in both runs);
#   outage: during the simulator's outage window the client's breaker opens and the job waits (the simulator's
#           outage_requests stays within what the breaker allows), and the job finishes after it.
# The simulator is Integrations' debug build (the step before this one built it); the pipeline is a release build.
set -euo pipefail
cd "$(dirname "$0")/.."
trades=${INGEST_TRADES:-100000}
seed=${INGEST_SEED:-42}
token=ci-ingest-token
# The client's defaults these checks rely on (NetworkSettings in Examples/ETRMPipelineCore/Network/NetworkIngest.swift,
# --concurrency in Command/CommandLineOptions.swift).
concurrency=4
breaker_failures=5
breaker_open_seconds=2
outage_after=1
outage_seconds=6
# The dead letters' quarantined_at in every run (the reproducible-builds convention).
export SOURCE_DATE_EPOCH=1780000000

work=$(mktemp -d)
sim_pid=
job_pid=
cleanup() {
    [ -n "$job_pid" ] && kill -KILL "$job_pid" 2>/dev/null || true
    [ -n "$sim_pid" ] && kill -TERM "$sim_pid" 2>/dev/null && wait "$sim_pid" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

swift build -c release --product etrm-pipeline 2>&1 | grep -E 'warning:|error:' || true
pipeline="$(swift build -c release --show-bin-path)/etrm-pipeline"
(cd Integrations && swift build --product etrm-vendor-sim 2>&1 | grep -E 'error:' || true)
sim="$(cd Integrations && swift build --show-bin-path)/etrm-vendor-sim"

# One port for every simulator: the dead letters name their source URL, and the crash check compares them with the
# uninterrupted run's.
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
# Starts the simulator with every fault on and the given extra flags; sets $sim_pid and $url.
start_sim() {
    "$sim" --port "$port" --trades "$trades" --seed "$seed" --token "$token" --faults all "$@" >"$work/sim.out" \
        2>"$work/sim.err" &
    sim_pid=$!
    for _ in $(seq 1 600); do
        grep -q 'listening on' "$work/sim.out" && break
        kill -0 "$sim_pid" 2>/dev/null || { cat "$work/sim.err" >&2; echo "ingest: the simulator died" >&2; exit 1; }
        sleep 0.1
    done
    url=$(sed -n 's|^listening on \(http://[^ ]*\).*|\1|p' "$work/sim.out")
    [ -n "$url" ] || { echo "ingest: the simulator did not start" >&2; exit 1; }
    echo "simulator: $(cat "$work/sim.out")"
}
stop_sim() {
    curl -s "$url/v2/_stats" >"$work/stats.json"
    kill -TERM "$sim_pid"
    wait "$sim_pid" || true
    sim_pid=
}
# Compares two summary files key by key; prints the keys that differ.
same_summary() {
    python3 - "$1" "$2" <<'EOF'
import json, sys
a, b = (json.load(open(path)) for path in sys.argv[1:3])
diff = sorted(key for key in a.keys() | b.keys() if a.get(key) != b.get(key))
for key in diff:
    print(f"  {key}: {a.get(key)!r} != {b.get(key)!r}", file=sys.stderr)
sys.exit(1 if diff else 0)
EOF
}

echo "--- parity: the file run and the network run on the same data (N = $trades, seed $seed, every fault on)"
"$pipeline" generate --trades "$trades" --seed "$seed" --out "$work/files"
"$pipeline" run --input "$work/files/trades.json" --broker "$work/files/broker.json" --quiet \
    --summary-json "$work/file-summary.json" --dead-letters "$work/file-dead-letters.jsonl"
start_sim
started=$(date +%s%N)
"$pipeline" run --url "$url" --token "$token" --quiet --summary-json "$work/net-summary.json" \
    --dead-letters "$work/net-dead-letters.jsonl" 2>"$work/net.err" || { cat "$work/net.err" >&2; exit 1; }
grep '^network:' "$work/net.err" || true
wall_ms=$(( ($(date +%s%N) - started) / 1000000 ))
stop_sim
echo "network run: ${wall_ms} ms; simulator: $(cat "$work/stats.json")"
if ! same_summary "$work/file-summary.json" "$work/net-summary.json"; then
    echo "ingest: the network run's summary differs from the file run's" >&2
    exit 1
fi
python3 - "$work/stats.json" <<'EOF'
import json, sys
faults = json.load(open(sys.argv[1]))["faults"]
missing = [name for name, count in faults.items() if count == 0]
if missing:
    sys.exit(f"ingest: the simulator served no {', '.join(missing)} fault: the parity run did not see every fault")
EOF
echo "parity: $(python3 -c "import json,sys; print(len(json.load(open(sys.argv[1]))))" "$work/file-summary.json") keys identical"

echo "--- crash: SIGKILL at 5 random moments, resumed from --checkpoint each time"
start_sim
checkpoint="$work/checkpoint"
run_job() {
    "$pipeline" run --url "$url" --token "$token" --checkpoint "$checkpoint" --quiet \
        --summary-json "$work/crash-summary.json" --dead-letters "$work/crash-dead-letters.jsonl" &
    job_pid=$!
}
kills=0
for moment in $(python3 -c "
import random
random.seed($seed)
# Five moments inside the uninterrupted run's time, each in its own fifth of it.
print(' '.join(f'{random.uniform(0.05, 0.16) * $wall_ms / 1000:.3f}' for _ in range(5)))"); do
    run_job
    sleep "$moment"
    if kill -KILL "$job_pid" 2>/dev/null; then
        kills=$((kills + 1))
        wait "$job_pid" 2>/dev/null || true
        echo "killed after ${moment} s"
    else
        wait "$job_pid" || { echo "ingest: the job failed before its kill" >&2; exit 1; }
        echo "the job ended before its kill at ${moment} s"
    fi
    job_pid=
done
run_job
wait "$job_pid"
job_pid=
stop_sim
[ "$kills" -ge 5 ] || { echo "ingest: only $kills of 5 kills landed while the job ran" >&2; exit 1; }
if ! same_summary "$work/net-summary.json" "$work/crash-summary.json"; then
    echo "ingest: the resumed run's summary differs from the uninterrupted run's" >&2
    exit 1
fi
# Both runs stamp quarantined_at with SOURCE_DATE_EPOCH: the files must be identical byte for byte.
if ! cmp "$work/net-dead-letters.jsonl" "$work/crash-dead-letters.jsonl"; then
    diff <(head -c 2000000 "$work/net-dead-letters.jsonl") <(head -c 2000000 "$work/crash-dead-letters.jsonl") \
        | head -5 >&2 || true
    echo "ingest: the resumed run's dead-letter file differs from the uninterrupted run's" >&2
    exit 1
fi
echo "crash: $kills kills, summary and dead-letter file ($(wc -l <"$work/crash-dead-letters.jsonl") lines) identical"

echo "--- outage: ${outage_seconds} s of 503 from ${outage_after} s after the first request"
start_sim --outage-after "$outage_after" --outage-duration "$outage_seconds"
started=$(date +%s%N)
"$pipeline" run --url "$url" --token "$token" --quiet --summary-json "$work/outage-summary.json" 2>"$work/outage.err" \
    || { cat "$work/outage.err" >&2; exit 1; }
grep '^network:' "$work/outage.err" || true
outage_wall_ms=$(( ($(date +%s%N) - started) / 1000000 ))
stop_sim
echo "outage run: ${outage_wall_ms} ms; simulator: $(cat "$work/stats.json")"
same_summary "$work/file-summary.json" "$work/outage-summary.json" || {
    echo "ingest: the run through the outage has another summary" >&2
    exit 1
}
python3 - "$work/stats.json" "$concurrency" "$breaker_failures" "$breaker_open_seconds" "$outage_seconds" <<'EOF'
import json, math, sys
stats = json.load(open(sys.argv[1]))
concurrency, failures, open_seconds, outage = (float(value) for value in sys.argv[2:])
if not (stats["outage_started"] and stats["outage_ended"]):
    sys.exit("ingest: the job ended before the outage window had passed")
# The failures that open the breaker, the requests already in flight (at most K), then one probe per open period.
allowed = int(failures + concurrency + math.ceil(outage / open_seconds) + 1)
requests = stats["outage_requests"]
print(f"outage: {requests} requests inside the window (the breaker allows {allowed})")
if requests > allowed:
    sys.exit(f"ingest: {requests} requests during the outage: the client hammered instead of waiting")
EOF

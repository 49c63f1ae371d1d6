#!/usr/bin/env bash
# The settlement service against seed 002's Python gateways, in one run, with the same upstream stub and the
# same wrk line (the seed's README; the script is Scripts/unique_posts.lua, the seed's with contract ids
# that are not space-padded): requests/s, p50 and p99 at 32 connections, and bookings against 201s.
#
#   bash Integrations/Scripts/benchmark-vs-seed.sh            # SECONDS_PER_RUN=20 by default
#   SERVICE_BIN=Integrations/.build/release/settlement-service  (default; build it with
#   swift build -c release --package-path Integrations --product settlement-service)
#
# The seed's wrk script sends 'X-Trader-Scope: desk-7:settlements:write' and no token, so the Swift service runs
# as it would behind an authenticating proxy: --fixed-scope gives every request desk-7's scope. The desk limit is
# raised out of the way (the seed has none), and the journal store is in a fresh temporary folder.
set -euo pipefail
scripts=$(cd "$(dirname "$0")" && pwd)
cd "$scripts/../.."
seed="${SEED_DIR:-../shared/anchors/seed-gateway}"
[ -d "$seed" ] || seed=/work/shared/anchors/seed-gateway
bin="${SERVICE_BIN:-Integrations/.build/release/settlement-service}"
duration="${SECONDS_PER_RUN:-20}"
stub_port=18081
gateway_port=18080
upstream="http://127.0.0.1:$stub_port/api/v1/settlements/sync"
work=$(mktemp -d)
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

wait_port() {
    for _ in $(seq 1 600); do
        if python3 -c "import socket,sys; socket.create_connection(('127.0.0.1',$1),0.2)" 2>/dev/null; then return 0; fi
        sleep 0.1
    done
    echo "nothing listens on $1" >&2
    return 1
}

python3 "$seed/upstream_stub.py" "$stub_port" &
pids+=($!)
wait_port "$stub_port"

results=()
measure() { # name, then the command that starts the gateway on $gateway_port
    local name=$1
    shift
    "$@" >"$work/$name.log" 2>&1 &
    local pid=$!
    pids+=("$pid")
    if ! wait_port "$gateway_port"; then
        cat "$work/$name.log" >&2
        return 1
    fi
    local before
    before=$(curl -s "http://127.0.0.1:$stub_port/count")
    wrk -t1 -c32 -d"${duration}s" --timeout 10s --latency -s "$scripts/unique_posts.lua" \
        "http://127.0.0.1:$gateway_port/v1/settlements/sync" >"$work/$name.wrk"
    local after
    after=$(curl -s "http://127.0.0.1:$stub_port/count")
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    # Let the port go before the next gateway binds it.
    for _ in $(seq 1 50); do
        python3 -c "import socket; socket.create_connection(('127.0.0.1',$gateway_port),0.2)" 2>/dev/null || break
        sleep 0.1
    done
    local rps p50 p99 non2xx
    rps=$(awk '/^Requests\/sec/ {print $2}' "$work/$name.wrk")
    p50=$(awk '$1 == "50%" {print $2}' "$work/$name.wrk")
    p99=$(awk '$1 == "99%" {print $2}' "$work/$name.wrk")
    non2xx=$(awk '/Non-2xx/ {print $NF}' "$work/$name.wrk")
    results+=("$(printf '| %s | %s | %s | %s | %s | %s |' "$name" "$rps" "$p50" "$p99" "$((after - before))" "${non2xx:-0}")")
}

export ETRM_UPSTREAM_URL="$upstream"
measure "gateway.py (seed, as published)" \
    python3 -m uvicorn --app-dir "$seed" gateway:app --host 127.0.0.1 --port "$gateway_port" --workers 1 --log-level warning
measure "gateway_pooled.py (seed, one pooled client)" \
    python3 -m uvicorn --app-dir "$seed" gateway_pooled:app --host 127.0.0.1 --port "$gateway_port" --workers 1 --log-level warning
measure "settlement-service (Swift, journal store)" \
    "$bin" serve --port "$gateway_port" --journal-directory "$work/journal" --upstream-url "$upstream" \
    --fixed-scope "desk-7; contracts=*" --desk-rate 1000000 --desk-burst 1000000

# The same service on the PostgreSQL store: a throwaway cluster of its own (.ci/postgres.sh), unless
# WITH_POSTGRES=0.
if [ "${WITH_POSTGRES:-1}" = 1 ]; then
    eval "$(bash .ci/postgres.sh start 55452)"
    trap 'cleanup; bash .ci/postgres.sh stop "$ETRM_POSTGRES_DIR"' EXIT
    measure "settlement-service (Swift, PostgreSQL store)" \
        "$bin" serve --port "$gateway_port" --postgres-url "$ETRM_POSTGRES_URL" --upstream-url "$upstream" \
        --fixed-scope "desk-7; contracts=*" --desk-rate 1000000 --desk-burst 1000000
fi

echo
echo "wrk -t1 -c32 -d${duration}s --timeout 10s --latency -s unique_posts.lua, same stub, $(nproc) cores, load $(cut -d' ' -f1 /proc/loadavg)"
echo
echo "| gateway | requests/s | p50 | p99 | bookings | non-2xx |"
echo "|---|---|---|---|---|---|"
printf '%s\n' "${results[@]}"

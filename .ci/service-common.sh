# Sourced by the .ci/service-*.sh scripts: the debug build of Integrations/ (built once, by the PostgreSQL step,
# and reused) and starting the settlement service on a loopback port.
SERVICE_BIN="${SERVICE_BIN:-Integrations/.build/debug/settlement-service}"
SERVICE_SECRET="ci-secret-of-at-least-thirty-two-bytes-long"

# wait_for_url URL: polls until it answers (20 s at most).
wait_for_url() {
    for _ in $(seq 1 200); do
        if curl -sf -o /dev/null "$1"; then return 0; fi
        sleep 0.1
    done
    echo "no answer from $1" >&2
    return 1
}

# start_demo_service PORT DIRECTORY: the service with its in-process upstream simulator and a journal in
# DIRECTORY; sets SERVICE_PID.
start_demo_service() {
    "$SERVICE_BIN" serve --demo --port "$1" --journal-directory "$2/journal" \
        --jwt-hs256-secret "$SERVICE_SECRET" >"$2/service.log" 2>&1 &
    SERVICE_PID=$!
    wait_for_url "http://127.0.0.1:$1/health"
}

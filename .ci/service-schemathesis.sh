#!/usr/bin/env bash
# schemathesis against the running service with its own OpenAPI document, bounded in examples and time:
# every response must be in the document (status, headers, content type, body schema) and none a 500.
set -euo pipefail
cd "$(dirname "$0")/.."
source .ci/service-common.sh
python3 -c "import schemathesis" 2>/dev/null || python3 -m pip install --quiet schemathesis
work=$(mktemp -d)
port=18191
start_demo_service "$port" "$work"
trap 'kill $SERVICE_PID 2>/dev/null || true; rm -rf "$work"' EXIT
token=$("$SERVICE_BIN" token --secret "$SERVICE_SECRET" --desk DESK-07 --contracts '*' --seconds 3600)
timeout 600 schemathesis --no-color run "http://127.0.0.1:$port/openapi.json" \
    --url "http://127.0.0.1:$port" \
    --header "Authorization: Bearer $token" \
    --checks not_a_server_error,status_code_conformance,content_type_conformance,response_headers_conformance,response_schema_conformance \
    --max-examples "${SCHEMATHESIS_EXAMPLES:-60}" --max-time "${SCHEMATHESIS_SECONDS:-120}" --seed 7

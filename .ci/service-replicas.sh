#!/usr/bin/env bash
# Three settlement-service replicas on one PostgreSQL database (a server of its own), an upstream stub recording
# every booking, 3,000+ requests at concurrency 64 with 20 % duplicates to other replicas and 2 % conflicting
# re-use, one replica SIGKILLed mid-run and restarted: Integrations/Scripts/replicas.py prints the counts and
# fails unless there are 0 double bookings and 0 lost acknowledgements. Uses the debug build of Integrations/.
set -euo pipefail
cd "$(dirname "$0")/.."
source .ci/service-common.sh
eval "$(bash .ci/postgres.sh start "${ETRM_REPLICAS_POSTGRES_PORT:-55442}")"
trap 'bash .ci/postgres.sh stop "$ETRM_POSTGRES_DIR"' EXIT
python3 Integrations/Scripts/replicas.py --service "$SERVICE_BIN" --postgres-url "$ETRM_POSTGRES_URL" \
    --requests 3000 --concurrency 64

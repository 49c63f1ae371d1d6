#!/usr/bin/env bash
# The committed Integrations/openapi.json is the one settlement-service generates (regenerated and diffed) and
# valid under openapi-spec-validator. Uses the debug build of Integrations/ that the PostgreSQL step made (and
# tested: the settlement service's tests over real HTTP run in that step's `swift test`).
set -euo pipefail
cd "$(dirname "$0")/.."
source .ci/service-common.sh
swift build --package-path Integrations --product settlement-service 2>&1 | grep -E 'error:|Build complete' || true
generated=$(mktemp)
"$SERVICE_BIN" openapi >"$generated"
if ! diff -u Integrations/openapi.json "$generated"; then
    echo "Integrations/openapi.json is stale: run 'swift run --package-path Integrations settlement-service openapi > Integrations/openapi.json'" >&2
    exit 1
fi
python3 -c "import openapi_spec_validator" 2>/dev/null || python3 -m pip install --quiet openapi-spec-validator
python3 -c "
from openapi_spec_validator import validate
from openapi_spec_validator.readers import read_from_filename
spec, _ = read_from_filename('Integrations/openapi.json')
validate(spec)
print('Integrations/openapi.json: valid OpenAPI', spec['openapi'])
"

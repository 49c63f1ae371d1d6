#!/usr/bin/env bash
# Integrations/: one debug build (tests included; any warning fails), its tests over real HTTP on loopback,
# and the committed OpenAPI document: current (regenerated and diffed) and valid (openapi-spec-validator).
set -euo pipefail
cd "$(dirname "$0")/.."
log=$(mktemp)
set +e
swift build --package-path Integrations --build-tests >"$log" 2>&1
status=$?
set -e
# Dependencies' own manifest notes ("found 1 file(s) which are unhandled") are not ours; any diagnostic in
# this repository's sources is.
grep -E 'warning:|error:|Build complete' "$log" | grep -v 'which are unhandled' || true
if [ "$status" -ne 0 ] || grep -E '(warning|error):' "$log" | grep -v -e 'Package.resolved' -e 'which are unhandled' \
    -e '/.build/checkouts/' >/dev/null; then
    echo "the Integrations build printed warnings or errors" >&2
    exit 1
fi
swift test --package-path Integrations --skip-build 2>&1 | awk '/^◇/ { next } /^✔/ && !/Test run with/ { next } { print }' | tail -n 60
test "${PIPESTATUS[0]}" -eq 0

source .ci/service-common.sh
"$SERVICE_BIN" openapi >"$log"
if ! diff -u Integrations/openapi.json "$log"; then
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

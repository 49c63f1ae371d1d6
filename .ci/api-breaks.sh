#!/usr/bin/env bash
# Public API breakage against the baseline: `swift package diagnose-api-breaking-changes`, printing its report
# and failing only on breaks not listed in API-BREAKS.md (intended ones, one a line in the tool's wording:
# `API breakage: func Foo.bar() has been removed`).
#
# The baseline is the last release, the tag 0.1.0 once it exists: what users resolve with `from: "0.1.0"`, so
# every break since then is either listed or fails. Before the tag it is the commit named in .ci/api-baseline,
# the last main that landed (CI passed on it); a session that lands moves it forward. API_BASELINE overrides.
# The tool builds the library modules twice (baseline and HEAD); only library products are compared.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -n "${API_BASELINE:-}" ]; then
    baseline=$API_BASELINE
elif git rev-parse -q --verify 'refs/tags/0.1.0^{commit}' >/dev/null; then
    baseline=0.1.0
else
    baseline=$(tr -d '[:space:]' <.ci/api-baseline)
    # A shallow clone may lack it: fetch it.
    git rev-parse -q --verify "$baseline^{commit}" >/dev/null || git fetch -q origin "$baseline" 2>/dev/null || true
fi
if ! git rev-parse -q --verify "$baseline^{commit}" >/dev/null; then
    echo "api-breaks: no baseline commit '$baseline' in this clone (a first commit has nothing to compare)"
    exit 0
fi
echo "api-breaks: comparing with $baseline ($(git rev-parse --short "$baseline^{commit}"))"
allow=$(mktemp)
log=$(mktemp)
trap 'rm -f "$allow" "$log"' EXIT
# API-BREAKS.md: lines starting "API breakage:" are the allowlist; headings and prose are ignored.
grep -E '^API breakage: ' API-BREAKS.md >"$allow" || true
products=$(sed -n 's/^ *\.library(name: "\([A-Za-z]*\)".*/\1/p' Package.swift | tr '\n' ' ')
set +e
# shellcheck disable=SC2086
swift package diagnose-api-breaking-changes "$baseline" --products $products \
    --breakage-allowlist-path "$allow" >"$log" 2>&1
status=$?
set -e
grep -vE '^\[[0-9]+/[0-9]+\]|^(Building|Compiling|Write|Emitting|Planning)|found 1 file\(s\) which are unhandled|\.docc$' "$log" || true
if [ "$status" -ne 0 ]; then
    echo "api-breaks: breaking changes not listed in API-BREAKS.md (or the comparison failed); list intended" \
        "breaks there, one a line, as printed above" >&2
    exit 1
fi

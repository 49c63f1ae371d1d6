#!/usr/bin/env bash
# Builds each module's DocC catalog with the toolchain's docc (no plugin), warnings as errors.
# Every library module must have a catalog: a missing one fails the check. Each archive is a static site.
#   bash .ci/docc.sh                 # the root package; archives in .build/docc
#   bash .ci/docc.sh Integrations    # another package of the repository; archives in Integrations/.build/docc
# ETRM_DOCC_SYMBOL_GRAPHS=DIR uses the symbol graphs in DIR (.ci/symbol-graphs.py) instead of dump-symbol-graph's.
set -euo pipefail
cd "$(dirname "$0")/.."
cd "${1:-.}"
# Every library product's module (read from Package.swift).
mapfile -t required < <(sed -n 's/^ *\.library(name: "\([A-Za-z]*\)".*/\1/p' Package.swift)
for module in "${required[@]}"; do
    if [ ! -d "Sources/$module/$module.docc" ]; then
        echo "docc: $(pwd)/Sources/$module/$module.docc is missing" >&2
        exit 1
    fi
done
graphs=${ETRM_DOCC_SYMBOL_GRAPHS:-}
if [ -z "$graphs" ]; then
    swift package dump-symbol-graph --minimum-access-level public >/dev/null
    graphs=$(find .build -type d -name symbolgraph -path "*$(uname -m)*" | head -n 1)
fi
[ -n "$graphs" ] || { echo "docc: no symbol graphs were produced" >&2; exit 1; }
mkdir -p .build/docc
shopt -s nullglob
for catalog in Sources/*/*.docc; do
    module=$(basename "$catalog" .docc)
    work=$(mktemp -d)
    # Give docc only this module's symbol graphs so that its links resolve against itself.
    for graph in "$graphs/$module".symbols.json "$graphs/$module"@*.symbols.json; do
        [ -f "$graph" ] && cp "$graph" "$work/"
    done
    echo "docc: $module"
    # Static hosting (issue 19): the archive is also a site any file server serves under /<Module>.doccarchive/,
    # which .ci/docc-site.sh screenshots.
    docc convert "$catalog" --additional-symbol-graph-dir "$work" \
        --fallback-display-name "$module" --fallback-bundle-identifier "$module" \
        --transform-for-static-hosting --hosting-base-path "$module.doccarchive" \
        --output-path ".build/docc/$module.doccarchive" --warnings-as-errors >/dev/null
    rm -rf "$work"
done

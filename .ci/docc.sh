#!/usr/bin/env bash
# Builds each module's DocC catalog with the toolchain's docc (no plugin), warnings as errors.
set -euo pipefail
cd "$(dirname "$0")/.."
swift package dump-symbol-graph --minimum-access-level public >/dev/null
graphs=".build/$(uname -m)-unknown-linux-gnu/symbolgraph"
[ -d "$graphs" ] || graphs=$(find .build -type d -name symbolgraph | head -n 1)
for catalog in Sources/*/*.docc; do
    module=$(basename "$catalog" .docc)
    work=$(mktemp -d)
    # Give docc only this module's symbol graphs so that one module's links resolve against itself.
    cp "$graphs/$module".symbols.json "$work/" 2>/dev/null || true
    cp "$graphs/$module"@*.symbols.json "$work/" 2>/dev/null || true
    echo "docc: $module"
    docc convert "$catalog" --additional-symbol-graph-dir "$work" \
        --fallback-display-name "$module" --fallback-bundle-identifier "$module" \
        --output-path ".build/docc/$module.doccarchive" --warnings-as-errors >/dev/null
    rm -rf "$work"
done

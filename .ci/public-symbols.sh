#!/usr/bin/env bash
# Counts each library module's public symbols (issue 19's before/after table in docs/public-api.md).
# Usage: .ci/public-symbols.sh [REV]   — with REV, that revision is checked out in a temporary worktree.
# Counts come from `swift-symbolgraph-extract -minimum-access-level public` (what `swift package
# dump-symbol-graph` runs) on each library product's module: "own" is the symbols in the module's main graph
# (<Module>.symbols.json: its own declarations, members included); "ext" is the symbols it adds in extensions
# of other modules' types (<Module>@<Other>.symbols.json), counted apart. Builds the library products (minutes
# from scratch), so it is not a CI step.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
work=""
graphs=$(mktemp -d)
trap 'rm -rf "$graphs"; [ -z "$work" ] || { git -C "$root" worktree remove --force "$work/tree" >/dev/null 2>&1; rm -rf "$work"; }' EXIT
if [ $# -ge 1 ]; then
    work=$(mktemp -d)
    git worktree add -q --detach "$work/tree" "$1"
    cd "$work/tree"
    label=$(git rev-parse --short HEAD)
else
    label="working tree"
fi
products=$(sed -n 's/^ *\.library(name: "\([A-Za-z]*\)".*/\1/p' Package.swift)
for module in $products; do swift build -q --product "$module" >/dev/null; done
bin=$(swift build --show-bin-path)
triple=$(basename "$(dirname "$bin")")
for module in $products; do
    swift-symbolgraph-extract -module-name "$module" -target "$triple" -I "$bin/Modules" \
        -module-cache-path "$bin/ModuleCache" -minimum-access-level public -omit-extension-block-symbols \
        -output-dir "$graphs" >/dev/null
done
count() { python3 -c 'import json,sys; print(sum(len(json.load(open(f))["symbols"]) for f in sys.argv[1:]))' "$@"; }
echo "public symbols at $label (own = module's graph, ext = extensions of other modules' types)"
printf '%-24s %6s %6s\n' module own ext
for module in $products; do
    own=$(count "$graphs/$module.symbols.json")
    shopt -s nullglob
    extensions=("$graphs/$module"@*.symbols.json)
    shopt -u nullglob
    ext=0
    [ ${#extensions[@]} -gt 0 ] && ext=$(count "${extensions[@]}")
    printf '%-24s %6s %6s\n' "$module" "$own" "$ext"
done

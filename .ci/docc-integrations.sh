#!/usr/bin/env bash
# Integrations' DocC catalogs: every library module of Integrations/Package.swift has one, each builds with docc,
# warnings as errors (.ci/docc.sh Integrations), and the Swift samples of their articles are current in
# Integrations/Tests/DocCSnippets, which the Integrations build compiles. The symbol graphs are extracted from the
# debug build the step before made (.ci/symbol-graphs.py), so nothing is built again; a public symbol without a doc
# comment fails the step.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 .ci/docc-snippets.py --check
graphs=$(python3 .ci/symbol-graphs.py Integrations --require-doc-comments)
trap 'rm -rf "$graphs"' EXIT
ETRM_DOCC_SYMBOL_GRAPHS=$graphs bash .ci/docc.sh Integrations

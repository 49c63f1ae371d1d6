#!/usr/bin/env bash
# Integrations' DocC catalogs: every library module of Integrations/Package.swift has one, each builds with docc,
# warnings as errors (.ci/docc.sh Integrations, on the debug build the step before made), and the Swift samples of
# their articles are current in Integrations/Tests/DocCSnippets, which that build compiled.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 .ci/docc-snippets.py --check
bash .ci/docc.sh Integrations

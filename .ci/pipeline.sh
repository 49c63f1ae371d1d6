#!/usr/bin/env bash
# CI step for the etrm-pipeline example (issue #6): its own tests, then the three-way proof at N = 100,000
# (generate with `etrm-pipeline generate --seed 42`, run Swift, pandas + pydantic and polars, fail if any
# summary differs key by key). compare.sh installs pandas, polars, pydantic, orjson and numpy with pip
# (pinned in Benchmarks/Comparison/requirements.txt) and GNU time with apt-get when they are missing.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
swift build --build-tests -Xswiftc -warnings-as-errors
swift test --skip-build --filter ETRMPipelineTests
Benchmarks/Comparison/compare.sh "${PIPELINE_COMPARE_N:-100000}"

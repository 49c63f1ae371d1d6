#!/usr/bin/env bash
# Runs every benchmark in its short mode and gates on allocation counts against the checked-in thresholds
# (Benchmarks/Thresholds, which hold mallocCountTotal only). Each benchmark measures the metrics it declares:
# those that declare mallocCountTotal are deterministic and gated; wall-clock figures are printed, never gated,
# and benchmarks of concurrent work do not declare mallocCountTotal, so their thresholds are never compared.
# To refresh the thresholds after an intended change:
#   cd Benchmarks && BENCHMARK_SHORT=1 swift package --allow-writing-to-package-directory \
#       benchmark thresholds update --metric mallocCountTotal
set -euo pipefail
cd "$(dirname "$0")/../Benchmarks"
export PATH="/opt/swift/usr/bin:$PATH"
export SWIFT_BACKTRACE=enable=no
export BENCHMARK_SHORT=1
set +e
swift package benchmark thresholds check --no-progress
status=$?
set -e
case $status in
    0) echo "benchmarks: allocation counts equal the thresholds" ;;
    4) echo "benchmarks: allocation counts improved on the thresholds (refresh them to lock the gain in)" ;;
    *) echo "benchmarks: allocation counts regressed (exit $status)" >&2; exit 1 ;;
esac

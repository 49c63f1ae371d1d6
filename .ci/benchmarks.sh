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
log=$(mktemp)
trap 'rm -f "$log"' EXIT
set +e
swift package benchmark thresholds check --no-progress 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e
# The plugin reports its outcome by throwing it ("error: benchmarkThresholdImprovement"), which `swift package`
# turns into exit 1 whatever it was, so an improvement is read from the output.
if [ "$status" -ne 0 ] && grep -q "error: benchmarkThresholdImprovement" "$log" \
    && ! grep -q "benchmarkThresholdRegression" "$log"; then
    status=4
fi
case $status in
    0) echo "benchmarks: allocation counts equal the thresholds" ;;
    4) echo "benchmarks: allocation counts improved on the thresholds (refresh them to lock the gain in)" ;;
    *) echo "benchmarks: allocation counts regressed (exit $status)" >&2; exit 1 ;;
esac

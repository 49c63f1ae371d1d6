#!/usr/bin/env bash
# The concurrent modules' tests, and the chunked reads on all cores, under the thread sanitizer. The package's
# locks are pthread mutexes, which TSan intercepts (Synchronization.Mutex's futex on Linux is invisible to it and
# would report false races).
# A separate scratch path keeps the instrumented build from invalidating the normal one.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/opt/swift/usr/bin:$PATH"
export SWIFT_BACKTRACE=enable=no
filter="${TSAN_FILTER:-ResilienceTests|IdempotencyTests|SettlementSyncTests|ReadChunksTests|ParallelParseTests}"
output=$(mktemp)
trap 'rm -f "$output"' EXIT
swift test --sanitize=thread --scratch-path .build-tsan --filter "$filter" 2>&1 | tee "$output" | grep -vE '^(􀟈|✔|\[)' || true
status=${PIPESTATUS[0]}
tail -n 3 "$output"
if grep -q "WARNING: ThreadSanitizer" "$output"; then
    grep -A 30 "WARNING: ThreadSanitizer" "$output" | head -n 60 >&2
    echo "tsan: ThreadSanitizer reported a race" >&2
    exit 1
fi
exit "$status"

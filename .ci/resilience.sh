#!/usr/bin/env bash
# Resilience CI step: the Resilience tests under the thread sanitizer (the issue's "Done when").
# Strategies and ManualClock use a pthread-backed lock (LockedState) rather than Synchronization.Mutex, whose
# futex on Linux is invisible to TSan and makes every test report false races.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/opt/swift/usr/bin:$PATH"
export SWIFT_BACKTRACE=enable=no
output=$(mktemp)
trap 'rm -f "$output"' EXIT
swift test --sanitize=thread --filter ResilienceTests 2>&1 | tee "$output"
if grep -q "WARNING: ThreadSanitizer" "$output"; then
    echo "ThreadSanitizer reported a race in ResilienceTests" >&2
    exit 1
fi

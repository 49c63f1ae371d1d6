#!/usr/bin/env bash
# Idempotency's extra CI step: the module's tests under the thread sanitizer (the crash test included: it kills
# a sanitizer-built child process 60 times). Uses its own scratch path so it does not invalidate the main build.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/opt/swift/usr/bin:$PATH"
swift test --scratch-path .build-tsan --sanitize=thread --filter 'IdempotencyTests|SHA256Tests'

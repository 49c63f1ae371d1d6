#!/usr/bin/env bash
# Fuzzes the library's parsers with libFuzzer for a bounded time each; fails on any crash or property failure.
# Every folder under Tests/Fuzz/Sources is a target. FUZZ_SECONDS (default 30) bounds each target's run.
set -euo pipefail
cd "$(dirname "$0")/../Tests/Fuzz"
export SWIFT_BACKTRACE=enable=no
export PATH="/opt/swift/usr/bin:$PATH"
seconds="${FUZZ_SECONDS:-30}"
# SwiftPM passes `-sanitize=fuzzer -sanitize=address` as two flags, and swiftc keeps only the last, which drops
# libFuzzer's coverage instrumentation; the combined flag at the end restores both.
flags=(-c release --sanitize=fuzzer --sanitize=address -Xswiftc -sanitize=fuzzer,address)

echo "fuzz: building (${flags[*]})"
swift build "${flags[@]}"
bin=$(swift build "${flags[@]}" --show-bin-path)

status=0
for dir in Sources/*/; do
    target=$(basename "$dir")
    work=$(mktemp -d)
    mkdir -p "$work/corpus" "$work/artifacts"
    if [ -f "Seeds/$target.txt" ]; then
        n=0
        while IFS= read -r line || [ -n "$line" ]; do
            n=$((n + 1))
            printf '%s' "$line" > "$work/corpus/seed-$n"
        done < "Seeds/$target.txt"
    fi
    echo "fuzz: $target for ${seconds}s"
    if ! "$bin/$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=256 \
        -print_final_stats=1 -artifact_prefix="$work/artifacts/" "$work/corpus" 2>"$work/log"; then
        tail -n 40 "$work/log" >&2
        for crash in "$work"/artifacts/*; do
            [ -e "$crash" ] || continue
            echo "fuzz: $target crashed on input (hex): $(od -An -tx1 "$crash" | tr -d ' \n')" >&2
        done
        status=1
    else
        grep -E 'stat::number_of_executed_units|stat::new_units_added' "$work/log" || true
    fi
    rm -rf "$work"
done
exit "$status"

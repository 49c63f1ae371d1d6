#!/usr/bin/env python3
"""Runs both comparison pipelines on every hand-made fixture and checks them against the expected
results written by hand (fixtures/README.md). Plain Python, no test framework:

    python3 test_pipelines.py            # all fixtures, both scripts
    python3 test_pipelines.py zone       # only fixtures whose name contains "zone"

Prints one line per check and a final `N passed, M failed`; exits 1 when anything failed.

A fixture is a folder `fixtures/<name>/` with `trades.json`, `broker.json` and one or more cases
`cases/<case>/`. A case has `args.txt` (optional: extra command-line arguments, one per line, paths
relative to the fixture folder) and either
- `expected.json` (the summary, key for key and in order) plus the sha16 inputs
  `quarantine_idx.txt`, `sorted_order.txt`, `aggregate.txt`, `flagged_ids.txt` (one line each), or
- `expected_error.json`: `{"exit_code": 1, "stderr_contains": "..."}` for a run that must fail.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, "fixtures")
SCRIPTS = ("pipeline_pandas.py", "pipeline_polars.py")
SIDECARS = {
    "quarantine_idx_sha16": "quarantine_idx.txt",
    "sorted_order_sha16": "sorted_order.txt",
    "aggregate_sha16": "aggregate.txt",
    "flagged_ids_sha16": "flagged_ids.txt",
}
STAGES = (
    "load",
    "validate",
    "frame build/downcast/category",
    "dedup",
    "zone conversion",
    "sort",
    "aggregate",
    "reconcile",
    "total",
)
COUNTS_FROM_SIDECARS = {
    "quarantined": "quarantine_idx.txt",
    "after_dedup": "sorted_order.txt",
    "aggregate_groups": "aggregate.txt",
    "flagged": "flagged_ids.txt",
}

passed = 0
failed = 0


def check(ok: bool, label: str, detail: str = "") -> None:
    global passed, failed
    if ok:
        passed += 1
        print(f"ok    {label}")
    else:
        failed += 1
        print(f"FAIL  {label}{': ' + detail if detail else ''}")


def sidecar_lines(path: str) -> list[str]:
    """One entry per line; the file ends with a newline unless it is empty."""
    with open(path, "rb") as f:
        text = f.read().decode("utf-8")
    return [] if text == "" else text.removesuffix("\n").split("\n")


def sha16_of(lines: list[str]) -> str:
    return hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()[:16]


def check_case_is_consistent(label: str, case_dir: str, expected: dict) -> None:
    """The hand-written expected.json agrees with the hand-written sidecar lines."""
    problems = []
    for key, name in SIDECARS.items():
        got = sha16_of(sidecar_lines(os.path.join(case_dir, name)))
        if got != expected[key]:
            problems.append(f"{key} {expected[key]} but {name} hashes to {got}")
    for key, name in COUNTS_FROM_SIDECARS.items():
        n = len(sidecar_lines(os.path.join(case_dir, name)))
        if n != expected[key]:
            problems.append(f"{key} {expected[key]} but {name} has {n} lines")
    for a, b, c in (
        ("valid_records", "input_records", "quarantined"),
        ("duplicates_dropped", "valid_records", "after_dedup"),
        ("trades_without_broker", "after_dedup", "reconciled_matched"),
        ("broker_without_trade", "broker_rows", "reconciled_matched"),
    ):
        if expected[a] != expected[b] - expected[c]:
            problems.append(f"{a} != {b} - {c}")
    check(not problems, f"{label} fixture is self-consistent", "; ".join(problems))


def run_script(script: str, fixture_dir: str, case_dir: str, summary_path: str) -> subprocess.CompletedProcess:
    cmd = [
        sys.executable,
        os.path.join(HERE, script),
        "--input", "trades.json",
        "--broker", "broker.json",
        "--summary-json", summary_path,
    ]
    args_file = os.path.join(case_dir, "args.txt")
    if os.path.exists(args_file):
        cmd += sidecar_lines(args_file)  # later options win in argparse
    return subprocess.run(cmd, cwd=fixture_dir, capture_output=True, text=True, timeout=300)


def main() -> int:
    only = sys.argv[1] if len(sys.argv) > 1 else ""
    with tempfile.TemporaryDirectory() as tmp:
        for fixture in sorted(os.listdir(FIXTURES)):
            fixture_dir = os.path.join(FIXTURES, fixture)
            cases_dir = os.path.join(fixture_dir, "cases")
            if not os.path.isdir(cases_dir) or only not in fixture:
                continue
            for case in sorted(os.listdir(cases_dir)):
                case_dir = os.path.join(cases_dir, case)
                label = f"{fixture}/{case}"
                expected_path = os.path.join(case_dir, "expected.json")
                error_path = os.path.join(case_dir, "expected_error.json")
                expected = error = None
                if os.path.exists(expected_path):
                    with open(expected_path, encoding="utf-8") as f:
                        expected = json.load(f)
                    check_case_is_consistent(label, case_dir, expected)
                else:
                    with open(error_path, encoding="utf-8") as f:
                        error = json.load(f)
                for script in SCRIPTS:
                    tool = script.removeprefix("pipeline_").removesuffix(".py")
                    summary_path = os.path.join(tmp, f"{fixture}-{case}-{tool}.json")
                    proc = run_script(script, fixture_dir, case_dir, summary_path)
                    if error is not None:
                        ok = proc.returncode == error["exit_code"] and error["stderr_contains"] in proc.stderr
                        detail = f"exit {proc.returncode}, stderr: {proc.stderr.strip()[-300:]}"
                        check(ok, f"{label} [{tool}] fails cleanly", detail)
                        check(
                            not os.path.exists(summary_path),
                            f"{label} [{tool}] writes no summary on error",
                        )
                        continue
                    if proc.returncode != 0:
                        check(False, f"{label} [{tool}] runs", proc.stderr.strip()[-500:])
                        continue
                    with open(summary_path, encoding="utf-8") as f:
                        got = json.load(f)
                    diffs = [
                        f"{k}: expected {expected.get(k)!r} got {got.get(k)!r}"
                        for k in dict.fromkeys([*expected, *got])
                        if expected.get(k) != got.get(k)
                    ]
                    if not diffs and list(got) != list(expected):
                        diffs.append(f"key order {list(got)}")
                    check(not diffs, f"{label} [{tool}] summary", "; ".join(diffs))
                    if case == "default":
                        # "  <stage name>   <seconds>" lines, in pipeline order
                        timed = [" ".join(line.split()[:-1]) for line in proc.stderr.splitlines() if line.startswith("  ")]
                        check(timed == list(STAGES), f"{label} [{tool}] stage timings on stderr", f"got {timed}")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

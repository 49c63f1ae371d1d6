#!/usr/bin/env bash
# Contract as code: the JSON Schemas in schemas/ are generated from the validators' rule tables. This script
# proves three things, and exits non-zero if any fails:
#   1. the committed schemas are what `etrm-schema write` generates now (no drift);
#   2. each schema is a valid JSON Schema 2020-12 (metaschema check with Python's `jsonschema`);
#   3. Python's jsonschema and the Swift validator give the same verdict on every example record in
#      schemas/examples/<model>/, except the examples named beyond-schema-*: those break a rule JSON Schema
#      cannot express (LEI/EIC check digits, calendar validity, end after start, exact-decimal precision), so
#      the schema accepts them and Swift must reject them.
# Example names also state the expected verdict: valid-* both accept, invalid-* both reject.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/opt/swift/usr/bin:$PATH"

if ! python3 -c 'import jsonschema' 2>/dev/null; then
    python3 -m pip install --quiet 'jsonschema>=4.18' 2>/dev/null \
        || python3 -m pip install --quiet --break-system-packages 'jsonschema>=4.18'
fi

swift build --product etrm-schema >/dev/null
bin="$(swift build --product etrm-schema --show-bin-path)/etrm-schema"

echo "== schemas are current"
generated="$(mktemp -d)"
trap 'rm -rf "$generated"' EXIT
"$bin" write "$generated" >/dev/null
for file in "$generated"/*.schema.json; do
    name="$(basename "$file")"
    if ! cmp -s "$file" "schemas/$name"; then
        echo "schemas/$name is stale: run 'swift run etrm-schema write'" >&2
        diff -u "schemas/$name" "$file" >&2 || true
        exit 1
    fi
    echo "ok $name"
done

echo "== Swift verdicts"
"$bin" verdicts schemas/examples > "$generated/swift-verdicts.txt"
cat "$generated/swift-verdicts.txt"

echo "== metaschema check and Python verdicts"
python3 - "$generated/swift-verdicts.txt" <<'PY'
import json, os, sys
from jsonschema import Draft202012Validator

swift = {}
for line in open(sys.argv[1]):
    parts = line.rstrip("\n").split(" ")
    swift[parts[0]] = (parts[1], parts[2] if len(parts) > 2 else "")

failures = 0
for schema_file in sorted(f for f in os.listdir("schemas") if f.endswith(".schema.json")):
    schema = json.load(open(os.path.join("schemas", schema_file)))
    Draft202012Validator.check_schema(schema)
    print(f"metaschema ok {schema_file}")
    validator = Draft202012Validator(schema)
    folder = os.path.join("schemas", "examples", schema_file[: -len(".schema.json")])
    for example in sorted(os.listdir(folder)):
        path = os.path.join(folder, example)
        errors = list(validator.iter_errors(json.load(open(path))))
        python = "reject" if errors else "accept"
        swift_verdict, codes = swift.get(path, ("missing", ""))
        if example.startswith("beyond-schema-"):
            expected = ("accept", "reject")
        elif example.startswith("valid-"):
            expected = ("accept", "accept")
        elif example.startswith("invalid-"):
            expected = ("reject", "reject")
        else:
            print(f"FAIL {path}: name must start with valid-, invalid- or beyond-schema-")
            failures += 1
            continue
        ok = (python, swift_verdict) == expected
        failures += 0 if ok else 1
        detail = "; ".join(e.message for e in errors)[:160]
        print(f"{'ok  ' if ok else 'FAIL'} {path}: python={python} swift={swift_verdict} {codes} {detail}")
if failures:
    print(f"{failures} example(s) where the schema and the Swift validator disagree unexpectedly")
    sys.exit(1)
print("schema and Swift validator agree on every example (beyond-schema examples excepted as documented)")
PY

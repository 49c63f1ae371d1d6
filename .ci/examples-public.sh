#!/usr/bin/env bash
# Examples use the public API only (issue 16): every target under Examples/ is built as a package of its own
# that depends on this checkout by path, so an `import ETRMShared`, a `package` symbol of the library or an
# `@testable import` fails the build here. The manifest is derived from Package.swift (swift package
# dump-package): each example keeps its dependencies, a library module becoming `.product(…)`; a dependency that
# is neither an example nor a library product fails at once.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if grep -rln --include='*.swift' -E '^\s*(@testable\s+)?import\s+ETRMShared|@testable' Examples; then
    echo "examples-public: the files above import ETRMShared or use @testable" >&2
    exit 1
fi
swift package dump-package | python3 - "$root" "$tmp" <<'PY'
import json, sys
from pathlib import Path
root, tmp = Path(sys.argv[1]), Path(sys.argv[2])
package = json.load(sys.stdin)
libraries = {name for product in package["products"] if "library" in product["type"]
             for name in product["targets"]}
examples = [t for t in package["targets"] if (t.get("path") or "").startswith("Examples/")]
names = {t["name"] for t in examples}
lines = []
for target in examples:
    dependencies = []
    for dependency in target["dependencies"]:
        name = (dependency.get("byName") or dependency.get("target") or dependency.get("product"))[0]
        if name in names:
            dependencies.append(f'"{name}"')
        elif name in libraries:
            dependencies.append(f'.product(name: "{name}", package: "swift-etrm-primitives")')
        else:
            sys.exit(f"examples-public: {target['name']} depends on {name}, which is not a library product")
    kind = {"executable": "executableTarget", "regular": "target"}[target["type"]]
    lines.append(f'        .{kind}(name: "{target["name"]}", dependencies: [{", ".join(dependencies)}], '
                 f'path: "{target["path"]}"),')
(tmp / "Package.swift").write_text(
    "// swift-tools-version: 6.2\nimport PackageDescription\n\nlet package = Package(\n"
    '    name: "examples-public",\n    platforms: [.macOS(.v15), .iOS(.v18)],\n'
    '    dependencies: [.package(path: "deps/swift-etrm-primitives")],\n    targets: [\n'
    + "\n".join(lines) + "\n    ],\n    swiftLanguageModes: [.v6]\n)\n")
print("examples-public:", ", ".join(sorted(names)))
PY
mkdir -p "$tmp/deps"
ln -s "$root" "$tmp/deps/swift-etrm-primitives"
ln -s "$root/Examples" "$tmp/Examples"
cd "$tmp"
set +e
swift build 2>&1 | grep -E 'error:|warning:|Build complete' | grep -v '/deps/'
status=${PIPESTATUS[0]}
set -e
if [ "$status" -ne 0 ]; then
    echo "examples-public: the examples do not build on the public API alone (errors above)" >&2
    exit 1
fi

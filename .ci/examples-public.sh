#!/usr/bin/env bash
# Examples use the public API only (issue 16): every target under Examples/ is built as a package of its own
# that depends on this checkout by path, so an `import ETRMShared`, a `package` symbol of the library or an
# `@testable import` fails the build here. Both manifests are derived from Package.swift (swift package
# dump-package): the dependency is the library alone (its library targets and products, through links to
# Sources/), since SwiftPM refuses two packages with the same target names; each example keeps its
# dependencies, a library module becoming `.product(…)`; a dependency that is neither an example nor a library
# product fails at once.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if grep -rln --include='*.swift' -E '^\s*(@testable\s+)?import\s+ETRMShared|@testable' Examples; then
    echo "examples-public: the files above import ETRMShared or use @testable" >&2
    exit 1
fi
swift package dump-package >"$tmp/root.json"
mkdir -p "$tmp/deps/swift-etrm-primitives"
python3 - "$root" "$tmp" <<'PY'
import json, sys
from pathlib import Path
root, tmp = Path(sys.argv[1]), Path(sys.argv[2])
package = json.load(open(tmp / "root.json"))
libraries = {name for product in package["products"] if "library" in product["type"]
             for name in product["targets"]}
# The library alone: every regular target under Sources/ (the default path), and the library products.
library_targets = [t for t in package["targets"] if t["type"] == "regular" and not t.get("path")]
def names(target):
    return [(d.get("byName") or d.get("target"))[0] for d in target["dependencies"]]
(tmp / "deps/swift-etrm-primitives/Package.swift").write_text(
    "// swift-tools-version: 6.2\nimport PackageDescription\n\nlet package = Package(\n"
    '    name: "swift-etrm-primitives",\n    platforms: [.macOS(.v15), .iOS(.v18)],\n    products: [\n'
    + "".join(f'        .library(name: "{p["name"]}", targets: {json.dumps(p["targets"])}),\n'
              for p in package["products"] if "library" in p["type"])
    + "    ],\n    targets: [\n"
    + "".join(f'        .target(name: "{t["name"]}", dependencies: {json.dumps(names(t))}),\n' for t in library_targets)
    + "    ]\n)\n")
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
ln -s "$root/Sources" "$tmp/deps/swift-etrm-primitives/Sources"
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

#!/usr/bin/env bash
# The README's dependency snippet, tried as a new user would: a fresh package in a temporary folder takes the
# snippet's dependencies and targets, with the URL dependency replaced by a path dependency on this checkout
# (through a link named swift-etrm-primitives, so the identity is the one the snippet names), and builds a
# file that imports every library product the snippet lists. Fails when a library product of Package.swift is
# missing from the snippet. Builds the library targets only (no tests, no examples).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

python3 - "$root" "$tmp" <<'PY'
import re, sys
from pathlib import Path
root, tmp = Path(sys.argv[1]), Path(sys.argv[2])
readme = (root / "README.md").read_text()
section = readme.split("## Adding it to a service", 1)[1].split("\n## ", 1)[0]
snippet = re.search(r"```swift\n(.*?)```", section, flags=re.S).group(1)
url = re.search(r'\.package\(url: "[^"]+", from: "([0-9.]+)"\)', snippet)
if not url:
    sys.exit("readme-check: the snippet has no .package(url:, from:) line")
manifest = (root / "Package.swift").read_text()
libraries = re.findall(r'\.library\(name: "([A-Za-z]+)"', manifest)
listed = re.findall(r'\.product\(name: "([A-Za-z]+)", package: "swift-etrm-primitives"\)', snippet)
missing = [name for name in libraries if name not in listed]
if missing:
    sys.exit(f"readme-check: the README's snippet does not list the products {missing}")
unknown = [name for name in listed if name not in libraries]
if unknown:
    sys.exit(f"readme-check: the README's snippet lists products Package.swift does not have: {unknown}")
body = snippet.replace(url.group(0), '.package(path: "deps/swift-etrm-primitives")')
# The snippet's executable and test target, as a package of its own.
(tmp / "Package.swift").write_text(
    "// swift-tools-version: 6.2\nimport PackageDescription\n\n"
    'let package = Package(\n    name: "readme-check",\n    platforms: [.macOS(.v15), .iOS(.v18)],\n'
    + "\n".join("    " + line for line in body.strip().splitlines()) + "\n)\n")
for target in re.findall(r'\.(executableTarget|testTarget)\(name: "([A-Za-z]+)"', snippet):
    kind, name = target
    folder = tmp / ("Tests" if kind == "testTarget" else "Sources") / name
    folder.mkdir(parents=True)
    products = re.findall(r'\.product\(name: "([A-Za-z]+)"',
                          snippet.split(f'name: "{name}"', 1)[1].split("]),", 1)[0])
    imports = "".join(f"import {p}\n" for p in products)
    if kind == "testTarget":
        (folder / "Smoke.swift").write_text(imports + "\nfunc smoke() {}\n")
    else:
        (folder / "main.swift").write_text(imports + '\nprint("imports every product")\n')
print("readme-check: products", ", ".join(listed), "from", url.group(1))
PY
mkdir -p "$tmp/deps"
ln -s "$root" "$tmp/deps/swift-etrm-primitives"
cd "$tmp"
swift package describe --type json >/dev/null
swift build --build-tests 2>&1 | grep -E 'error:|warning:|Build complete' | grep -v '/deps/' || true
test -x "$(swift build --show-bin-path)/SettlementGateway" || { echo "readme-check: the snippet did not build" >&2; exit 1; }
"$(swift build --show-bin-path)/SettlementGateway"

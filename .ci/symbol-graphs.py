#!/usr/bin/env python3
"""Extracts the symbol graphs of a package's library modules from its existing debug build, building nothing.

`swift package dump-symbol-graph` builds the package first, and in Integrations/ that build recompiles
Hummingbird whenever SwiftPM lists its trait defines in another order than the last build did (it does so at
random). This script instead runs `swift-symbolgraph-extract` on the modules the last `swift build` wrote,
with the search paths and C module maps of each module's own compile command in `.build/debug.yaml`.

  python3 .ci/symbol-graphs.py Integrations   # prints the folder holding <Module>.symbols.json and <Module>@*.symbols.json
  python3 .ci/symbol-graphs.py Integrations --require-doc-comments   # also fails on a public symbol without one
"""
import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path

arguments = [argument for argument in sys.argv[1:] if not argument.startswith("--")]
package = (Path(__file__).resolve().parent.parent / (arguments[0] if arguments else ".")).resolve()
manifest = package / ".build/debug.yaml"
if not manifest.exists():
    sys.exit(f"symbol-graphs: {manifest} is missing; build the package first (swift build)")
text = manifest.read_text()
modules = re.findall(r'^ *\.library\(name: "([A-Za-z]*)"', (package / "Package.swift").read_text(), flags=re.M)
output = Path(tempfile.mkdtemp(prefix="symbolgraphs-"))
# Extension block symbols give the members this package adds to other modules' types (Hummingbird's RouterMethods)
# pages under "Extended Modules", which dump-symbol-graph's graphs left without one.
# The options of a compile command that say where modules and C headers are, as swift-symbolgraph-extract takes them.
with_value = {"-I", "-F", "-Xcc", "-target", "-module-cache-path", "-swift-version", "-sdk", "-resource-dir"}
for module in modules:
    found = re.search(r'^  "C\.' + module + r'-[^"]*-debug\.module":\n(?:    .*\n)*?    args: (\[.*\])$', text, flags=re.M)
    if not found:
        sys.exit(f"symbol-graphs: no compile command for {module} in {manifest}; build the package first")
    args, keep, index = json.loads(found.group(1)), [], 0
    while index < len(args):
        if args[index] in with_value:
            keep += args[index : index + 2]
            index += 2
        else:
            index += 1
    subprocess.run(
        ["swift-symbolgraph-extract", "-module-name", module, *keep, "-minimum-access-level", "public",
         "-emit-extension-block-symbols", "-output-dir", str(output)],
        check=True,
    )
if "--require-doc-comments" in sys.argv:
    # Members the compiler synthesises (Equatable's !=, …) have no source to comment, nor have the blocks that stand
    # for `extension Hummingbird.RouterMethods`; inherited members carry their protocol's comment in the graph.
    undocumented = [
        f"{graph.name}: {'.'.join(symbol['pathComponents'])}"
        for graph in sorted(output.glob("*.symbols.json"))
        for symbol in json.loads(graph.read_text())["symbols"]
        if "docComment" not in symbol and "::SYNTHESIZED::" not in symbol["identifier"]["precise"]
        and symbol["kind"]["identifier"] != "swift.extension"
    ]
    if undocumented:
        sys.exit("symbol-graphs: public symbols without a doc comment:\n  " + "\n  ".join(undocumented))
print(output)

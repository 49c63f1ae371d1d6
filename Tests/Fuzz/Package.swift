// swift-tools-version: 6.1
// libFuzzer entry points for the library's parsers and recovery code. A libFuzzer target has no `main` (libFuzzer supplies it),
// so it cannot live among the root package's targets. Build and run them with `.ci/fuzz.sh`, or by hand:
//
//   swift build -c release --sanitize=fuzzer --sanitize=address -Xswiftc -sanitize=fuzzer,address
//   (the -Xswiftc flag matters: without it swiftc keeps only `-sanitize=address` and there is no coverage)
//   SWIFT_BACKTRACE=enable=no .build/release/FuzzDecimal -max_total_time=30
//
// Every folder under Sources/ is one fuzz target, named after the folder, holding one file with a
// `@_cdecl("LLVMFuzzerTestOneInput")` function. To add a target, add a folder (and optionally seed inputs,
// one per line, in Seeds/<Target>.txt); nothing in this manifest or in `.ci/fuzz.sh` needs to change. Code that
// several targets share lives in Shared/FuzzSupport, a library every target depends on.
import Foundation
import PackageDescription

let here = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
let sources = here.appendingPathComponent("Sources")
// A path dependency's identity is its folder's name (`swift-etrm-primitives` in a clone, but any name in a
// worktree), so derive it instead of hard-coding it.
let root = here.deletingLastPathComponent().deletingLastPathComponent().standardizedFileURL
let rootIdentity = root.lastPathComponent.lowercased()
let fuzzTargets = ((try? FileManager.default.contentsOfDirectory(atPath: sources.path)) ?? [])
    .filter { !$0.hasPrefix(".") }
    .sorted()

let package = Package(
    name: "ETRMFuzz",
    platforms: [.macOS(.v15)],
    dependencies: [.package(path: root.path)],
    targets: [
        // What several fuzz targets share (template frames, the patching of templates by the input).
        .target(
            name: "FuzzSupport",
            dependencies: ["ETRMContracts", "TradeFrame"].map { .product(name: $0, package: rootIdentity) },
            path: "Shared/FuzzSupport")
    ]
        + fuzzTargets.map { name in
            .executableTarget(
                name: name,
                dependencies: ["ETRMContracts", "Idempotency", "Resilience", "TradeFrame"].map {
                    .product(name: $0, package: rootIdentity)
                } + ["FuzzSupport"],
                // No top-level code and no @main: libFuzzer's own main calls LLVMFuzzerTestOneInput.
                swiftSettings: [.unsafeFlags(["-parse-as-library"])]
            )
        }
)

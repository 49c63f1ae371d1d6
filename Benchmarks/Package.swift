// swift-tools-version: 6.2
// Benchmarks live in their own package so that users of the library never resolve the benchmark harness.
//
//   cd Benchmarks && swift package benchmark                 # full run, prints every figure
//   bash ../.ci/benchmarks.sh                               # what CI runs: short mode, gated on allocations
import Foundation
import PackageDescription

// SwiftPM names a path dependency after its folder, so the root package's identity is whatever the clone's
// directory is called (CI clones into a folder of its own choosing). Derive it instead of hard-coding it.
let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
let rootIdentity = root.lastPathComponent.lowercased()

let benchmarkTargets = [
    "ContractsBenchmarks", "ResilienceBenchmarks", "IdempotencyBenchmarks", "TradeFrameBenchmarks",
    "SettlementBenchmarks",
]

let package = Package(
    name: "ETRMBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark", exact: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: benchmarkTargets.map { name in
        .executableTarget(
            name: name,
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "ETRMContracts", package: rootIdentity),
                .product(name: "Resilience", package: rootIdentity),
                .product(name: "ResilienceTesting", package: rootIdentity),
                .product(name: "Idempotency", package: rootIdentity),
                .product(name: "TradeFrame", package: rootIdentity),
                .product(name: "SettlementSync", package: rootIdentity),
            ],
            path: "Benchmarks/\(name)",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        )
    }
)

// swift-tools-version: 6.1
// Benchmarks live in their own package so that users of the library never resolve the benchmark harness.
//
//   cd Benchmarks && swift package benchmark                 # full run, prints every figure
//   BENCHMARK_SHORT=1 swift package benchmark thresholds check --metric mallocCountTotal   # what CI gates on
import PackageDescription

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
                .product(name: "ETRMContracts", package: "swift-etrm-primitives"),
                .product(name: "Resilience", package: "swift-etrm-primitives"),
                .product(name: "ResilienceTesting", package: "swift-etrm-primitives"),
                .product(name: "Idempotency", package: "swift-etrm-primitives"),
                .product(name: "TradeFrame", package: "swift-etrm-primitives"),
                .product(name: "SettlementSync", package: "swift-etrm-primitives"),
            ],
            path: "Benchmarks/\(name)",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        )
    }
)

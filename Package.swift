// swift-tools-version: 6.2
// The library depends on the Swift toolchain alone: this manifest declares no package dependencies, ever.
// Benchmarks/ and Tests/Fuzz/ are separate packages with their own manifests.
import PackageDescription

let package = Package(
    name: "swift-etrm-primitives",
    platforms: [.macOS(.v15), .iOS(.v18), .tvOS(.v18), .watchOS(.v11), .visionOS(.v2)],
    products: [
        .library(name: "ETRMContracts", targets: ["ETRMContracts"]),
        .library(name: "Resilience", targets: ["Resilience"]),
        .library(name: "ResilienceTesting", targets: ["ResilienceTesting"]),
        .library(name: "Idempotency", targets: ["Idempotency"]),
        .library(name: "IdempotencyConformance", targets: ["IdempotencyConformance"]),
        .library(name: "TradeFrame", targets: ["TradeFrame"]),
        .library(name: "SettlementSync", targets: ["SettlementSync"]),
        .library(name: "SettlementSyncTesting", targets: ["SettlementSyncTesting"]),
        .library(name: "ETRMSampleFeed", targets: ["ETRMSampleFeed"]),
        .executable(name: "etrm-pipeline", targets: ["ETRMPipeline"]),
        .executable(name: "etrm-schema", targets: ["ETRMSchema"]),
        .executable(name: "settlement-sync", targets: ["SettlementSyncExample"]),
    ],
    targets: [
        // MARK: Shared internals (byte scanning, SHA-256, calendar arithmetic); `package` access only.
        .target(name: "ETRMShared", dependencies: ["CETRMSHA256"]),
        // SHA-256 block compression with the x86 SHA instructions (C, because Swift cannot reach them).
        .target(name: "CETRMSHA256"),

        // MARK: ETRMContracts
        .target(name: "ETRMContracts", dependencies: ["ETRMShared"]),
        .testTarget(name: "ETRMContractsTests", dependencies: ["ETRMContracts", "ETRMShared", "ETRMTestSupport"]),
        // A user's own record type on the public API only: no @testable, no ETRMShared.
        .testTarget(name: "ETRMContractsAPITests", dependencies: ["ETRMContracts"]),

        // MARK: Resilience
        .target(name: "Resilience", dependencies: ["ETRMShared"]),
        .target(name: "ResilienceTesting", dependencies: ["Resilience", "ETRMShared"]),
        .testTarget(
            name: "ResilienceTests", dependencies: ["Resilience", "ResilienceTesting", "ETRMShared", "ETRMTestSupport"]),

        // MARK: Idempotency
        .target(name: "Idempotency", dependencies: ["ETRMShared", "Resilience"]),
        .target(name: "IdempotencyConformance", dependencies: ["Idempotency", "ResilienceTesting"]),
        // A child process the crash test kills with SIGKILL while it hammers a journal store.
        .executableTarget(
            name: "IdempotencyCrashWorker", dependencies: ["Idempotency"], path: "Tests/IdempotencyCrashWorker"),
        .testTarget(
            name: "IdempotencyTests",
            dependencies: [
                "Idempotency", "IdempotencyConformance", "ResilienceTesting", "ETRMShared", "ETRMTestSupport",
            ]
        ),

        // MARK: TradeFrame
        .target(name: "TradeFrame", dependencies: ["ETRMContracts", "ETRMShared"]),
        .testTarget(
            name: "TradeFrameTests", dependencies: ["TradeFrame", "ETRMContracts", "ETRMShared", "ETRMTestSupport"]),

        // MARK: SettlementSync (the settlement-sync flow composed from the modules)
        .target(name: "SettlementSync", dependencies: ["ETRMContracts", "Resilience", "Idempotency", "ETRMShared"]),
        // The upstream simulator, workloads and load runs on simulated time, for tests of a gateway.
        .target(
            name: "SettlementSyncTesting",
            dependencies: [
                "SettlementSync", "Resilience", "ResilienceTesting", "Idempotency", "ETRMContracts", "ETRMShared",
            ]
        ),
        .testTarget(
            name: "SettlementSyncTests",
            dependencies: [
                "SettlementSync", "SettlementSyncTesting", "Resilience", "ResilienceTesting", "Idempotency",
                "ETRMShared", "ETRMContracts", "ETRMTestSupport",
            ]
        ),

        // MARK: Shared tests
        .testTarget(name: "ETRMSharedTests", dependencies: ["ETRMShared"]),
        // Helpers the test targets share (Latch, Counter, Recorder); not a product. SeededGenerator stays in
        // ETRMShared because the examples and SettlementSyncTesting, which are not tests, use it too.
        .target(name: "ETRMTestSupport", dependencies: ["ETRMShared"], path: "Tests/Support"),

        // MARK: ETRMSampleFeed (the seeded sample feed the main job, tests and the vendor simulator share)
        .target(name: "ETRMSampleFeed", dependencies: ["ETRMShared"]),

        // MARK: Examples (public API only: .ci/examples-public.sh builds them as a package of their own)
        .target(
            name: "ETRMPipelineCore",
            dependencies: ["ETRMContracts", "TradeFrame", "Resilience", "Idempotency", "ETRMSampleFeed"],
            path: "Examples/ETRMPipelineCore"
        ),
        .executableTarget(
            name: "ETRMPipeline",
            dependencies: ["ETRMPipelineCore"],
            path: "Examples/ETRMPipeline"
        ),
        // Compiles README.md's quick-start snippets (generated by .ci/readme-snippets.py) so they stay true.
        .target(
            name: "ReadmeSnippets",
            dependencies: ["ETRMContracts", "Resilience", "Idempotency", "TradeFrame"],
            path: "Examples/ReadmeSnippets"
        ),
        // Times TradeFrame's Parquet and Arrow IPC on the pipeline's frame (Benchmarks/Comparison/interchange.sh).
        .executableTarget(
            name: "InterchangeBenchmark", dependencies: ["ETRMPipelineCore", "ETRMSampleFeed", "TradeFrame"],
            path: "Examples/InterchangeBenchmark"),
        .executableTarget(name: "ETRMSchema", dependencies: ["ETRMContracts"], path: "Examples/ETRMSchema"),
        .executableTarget(
            name: "SettlementSyncExample",
            dependencies: ["SettlementSyncTesting", "SettlementSync"],
            path: "Examples/SettlementSync/Program"
        ),
        .testTarget(
            name: "ETRMPipelineTests",
            dependencies: ["ETRMPipelineCore", "ETRMSampleFeed", "Resilience", "ResilienceTesting", "ETRMShared"]
        ),
    ]
)

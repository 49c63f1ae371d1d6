// swift-tools-version: 6.1
// The library depends on the Swift toolchain alone: no `.package(...)` line may ever appear here.
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
        .executable(name: "etrm-pipeline", targets: ["ETRMPipeline"]),
        .executable(name: "etrm-schema", targets: ["ETRMSchema"]),
        .executable(name: "settlement-sync", targets: ["SettlementSyncExample"]),
    ],
    targets: [
        // MARK: Shared internals (byte scanning, SHA-256, calendar arithmetic); `package` access only.
        .target(name: "ETRMShared"),

        // MARK: ETRMContracts
        .target(name: "ETRMContracts", dependencies: ["ETRMShared"]),
        .testTarget(name: "ETRMContractsTests", dependencies: ["ETRMContracts", "ETRMShared"]),

        // MARK: Resilience
        .target(name: "Resilience", dependencies: ["ETRMShared"]),
        .target(name: "ResilienceTesting", dependencies: ["Resilience"]),
        .testTarget(name: "ResilienceTests", dependencies: ["Resilience", "ResilienceTesting", "ETRMShared"]),

        // MARK: Idempotency
        .target(name: "Idempotency", dependencies: ["ETRMShared"]),
        .target(name: "IdempotencyConformance", dependencies: ["Idempotency"]),
        // A child process the crash test kills with SIGKILL while it hammers a journal store.
        .executableTarget(
            name: "IdempotencyCrashWorker", dependencies: ["Idempotency"], path: "Tests/IdempotencyCrashWorker"),
        .testTarget(
            name: "IdempotencyTests",
            dependencies: ["Idempotency", "IdempotencyConformance", "ResilienceTesting", "ETRMShared"]
        ),

        // MARK: TradeFrame
        .target(name: "TradeFrame", dependencies: ["ETRMContracts", "ETRMShared"]),
        .testTarget(name: "TradeFrameTests", dependencies: ["TradeFrame", "ETRMContracts", "ETRMShared"]),

        // MARK: SettlementSync (the settlement-sync flow composed from the modules)
        .target(name: "SettlementSync", dependencies: ["ETRMContracts", "Resilience", "Idempotency", "ETRMShared"]),
        .testTarget(
            name: "SettlementSyncTests",
            dependencies: [
                "SettlementSync", "SettlementSimulation", "ResilienceTesting", "Idempotency", "ETRMContracts",
            ]
        ),

        // MARK: Shared tests
        .testTarget(name: "ETRMSharedTests", dependencies: ["ETRMShared"]),

        // MARK: Examples
        .target(
            name: "ETRMPipelineCore",
            dependencies: ["ETRMContracts", "TradeFrame", "ETRMShared"],
            path: "Examples/ETRMPipelineCore"
        ),
        .executableTarget(
            name: "ETRMPipeline",
            dependencies: ["ETRMPipelineCore"],
            path: "Examples/ETRMPipeline"
        ),
        .executableTarget(name: "ETRMSchema", dependencies: ["ETRMContracts"], path: "Examples/ETRMSchema"),
        .target(
            name: "SettlementSimulation",
            dependencies: [
                "SettlementSync", "Resilience", "ResilienceTesting", "Idempotency", "ETRMContracts", "ETRMShared",
            ],
            path: "Examples/SettlementSync/Simulation"
        ),
        .executableTarget(
            name: "SettlementSyncExample",
            dependencies: ["SettlementSimulation", "SettlementSync"],
            path: "Examples/SettlementSync/Program"
        ),
        .testTarget(
            name: "ETRMPipelineTests",
            dependencies: ["ETRMPipelineCore", "ETRMShared"]
        ),
    ]
)

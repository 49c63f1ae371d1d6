// swift-tools-version: 6.2
// Adapters from the library to the Swift server ecosystem, in their own package so that the root package stays
// free of dependencies: the PostgreSQL idempotency store for several replicas, and the settlement service (a
// Hummingbird 2 front end for SettlementGateway, an AsyncHTTPClient SettlementUpstream, JWT bearer authentication,
// a swift-log/swift-metrics/Prometheus bridge and the `settlement-service` executable).
//
//   cd Integrations && swift build
//   ETRM_POSTGRES_URL=postgres://user:password@127.0.0.1:PORT/database swift test   # .ci/postgres.sh starts one
import Foundation
import PackageDescription

// A path dependency's identity is its folder's name (`swift-etrm-primitives` in a clone, but any name in a worktree),
// so derive it instead of hard-coding it.
let here = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
let root = here.deletingLastPathComponent().standardizedFileURL
let rootIdentity = root.lastPathComponent.lowercased()
func library(_ name: String) -> Target.Dependency { .product(name: name, package: rootIdentity) }

let hummingbird = Target.Dependency.product(name: "Hummingbird", package: "hummingbird")
let asyncHTTPClient = Target.Dependency.product(name: "AsyncHTTPClient", package: "async-http-client")
let jwtKit = Target.Dependency.product(name: "JWTKit", package: "jwt-kit")
let logging = Target.Dependency.product(name: "Logging", package: "swift-log")
let metrics = Target.Dependency.product(name: "Metrics", package: "swift-metrics")
let prometheus = Target.Dependency.product(name: "Prometheus", package: "swift-prometheus")
let serviceLifecycle = Target.Dependency.product(name: "ServiceLifecycle", package: "swift-service-lifecycle")
let unixSignals = Target.Dependency.product(name: "UnixSignals", package: "swift-service-lifecycle")
let argumentParser = Target.Dependency.product(name: "ArgumentParser", package: "swift-argument-parser")
let httpTypes = Target.Dependency.product(name: "HTTPTypes", package: "swift-http-types")
let nioCore = Target.Dependency.product(name: "NIOCore", package: "swift-nio")
let nioPosix = Target.Dependency.product(name: "NIOPosix", package: "swift-nio")
let postgresNIO = Target.Dependency.product(name: "PostgresNIO", package: "postgres-nio")

let package = Package(
    name: "ETRMIntegrations",
    platforms: [.macOS(.v15)],
    products: [
        // MARK: PostgreSQL idempotency store (wip/postgres)
        .library(name: "IdempotencyPostgres", targets: ["IdempotencyPostgres"]),
        .executable(name: "idempotency-postgres-bench", targets: ["IdempotencyPostgresBenchmark"]),
        // MARK: Settlement service (wip/service)
        .library(name: "SettlementHummingbird", targets: ["SettlementHummingbird"]),
        .library(name: "SettlementHTTPUpstream", targets: ["SettlementHTTPUpstream"]),
        .library(name: "SettlementAuth", targets: ["SettlementAuth"]),
        .library(name: "SettlementObservability", targets: ["SettlementObservability"]),
        .library(name: "SettlementService", targets: ["SettlementService"]),
        .executable(name: "settlement-service", targets: ["SettlementServiceMain"]),
        // MARK: Vendor API simulator (issue 17)
        .library(name: "VendorSimulator", targets: ["VendorSimulator"]),
        .executable(name: "etrm-vendor-sim", targets: ["VendorSimulatorMain"]),
    ],
    dependencies: [
        .package(path: root.path),
        .package(url: "https://github.com/apple/swift-nio", .upToNextMinor(from: "2.101.2")),
        .package(url: "https://github.com/apple/swift-log", exact: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics", exact: "2.13.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", exact: "1.8.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", exact: "2.28.1"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.0.0"),
        .package(url: "https://github.com/swift-server/async-http-client", exact: "1.37.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", exact: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", exact: "2.13.0"),
        .package(url: "https://github.com/vapor/jwt-kit", exact: "5.8.0"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
    ],
    targets: [
        // MARK: IdempotencyPostgres (the shared idempotency store for several replicas)
        .target(name: "IdempotencyPostgres", dependencies: [library("Idempotency"), postgresNIO, logging, nioCore]),
        // A worker process the kill test starts several times and SIGKILLs at random.
        .executableTarget(
            name: "IdempotencyPostgresKillWorker",
            dependencies: ["IdempotencyPostgres", library("Idempotency"), postgresNIO, logging],
            path: "Tests/IdempotencyPostgresKillWorker"
        ),
        .testTarget(
            name: "IdempotencyPostgresTests",
            dependencies: [
                "IdempotencyPostgres", library("Idempotency"), library("IdempotencyConformance"), postgresNIO, logging,
            ]
        ),
        // `swift run -c release idempotency-postgres-bench`: claim+complete pairs/s beside the journal store.
        .executableTarget(
            name: "IdempotencyPostgresBenchmark",
            dependencies: ["IdempotencyPostgres", library("Idempotency"), postgresNIO, logging],
            path: "Benchmarks/IdempotencyPostgresBenchmark"
        ),

        // MARK: Settlement service (wip/service)
        .target(
            name: "SettlementObservability",
            dependencies: [
                library("SettlementSync"), library("Resilience"), library("ETRMContracts"), logging, metrics,
                prometheus,
            ]
        ),
        .target(name: "SettlementAuth", dependencies: [library("SettlementSync"), library("ETRMContracts"), jwtKit]),
        .target(
            name: "SettlementHTTPUpstream",
            dependencies: [
                library("SettlementSync"), library("ETRMContracts"), library("Resilience"), asyncHTTPClient, nioCore,
            ]
        ),
        .target(
            name: "SettlementHummingbird",
            dependencies: [
                library("SettlementSync"), library("ETRMContracts"), library("Idempotency"), "SettlementAuth",
                "SettlementObservability", hummingbird, httpTypes, logging, nioCore,
            ]
        ),
        // The service assembled from the adapters: configuration, the OpenAPI document, /health, /ready, /docs, the
        // demo upstream and graceful shutdown. A library so tests start the real server in-process.
        .target(
            name: "SettlementService",
            dependencies: [
                "SettlementHummingbird", "SettlementHTTPUpstream", "SettlementAuth", "SettlementObservability",
                "IdempotencyPostgres", postgresNIO, library("SettlementSync"), library("ETRMContracts"),
                library("Idempotency"), library("Resilience"),
                hummingbird, httpTypes, serviceLifecycle, unixSignals, logging, metrics, prometheus, nioCore, nioPosix,
                asyncHTTPClient,
            ]
        ),
        .executableTarget(
            name: "SettlementServiceMain",
            dependencies: [
                "SettlementService", "SettlementAuth", "SettlementObservability", library("SettlementSync"),
                library("Resilience"), argumentParser, unixSignals, logging,
            ]
        ),
        .testTarget(
            name: "SettlementServiceTests",
            dependencies: [
                "SettlementService", "SettlementHummingbird", "SettlementHTTPUpstream", "SettlementAuth",
                "SettlementObservability", "VendorSimulator", library("SettlementSync"), library("ETRMContracts"),
                library("Idempotency"), asyncHTTPClient, hummingbird, jwtKit, nioCore, nioPosix, logging,
            ]
        ),

        // MARK: The DocC articles' Swift samples, compiled so that they keep to the real API
        // (.ci/docc-snippets.py writes Snippets.swift from Sources/*/*.docc; nothing runs them).
        .target(
            name: "DocCSnippets",
            dependencies: [
                "IdempotencyPostgres", "SettlementHummingbird", "SettlementHTTPUpstream", "SettlementAuth",
                "SettlementObservability", "SettlementService", "VendorSimulator", library("Idempotency"),
                library("SettlementSync"), library("Resilience"), library("ResilienceTesting"), postgresNIO, logging,
                metrics, hummingbird, nioCore, unixSignals,
            ],
            path: "Tests/DocCSnippets"
        ),

        // MARK: Vendor API simulator (issue 17): the pipeline's sample feed as a paginated API with faults
        .target(
            name: "VendorSimulator",
            dependencies: [
                library("ETRMSampleFeed"), "SettlementService", hummingbird, httpTypes, logging, nioCore, unixSignals,
            ]
        ),
        .executableTarget(
            name: "VendorSimulatorMain",
            dependencies: ["VendorSimulator", library("ETRMSampleFeed"), argumentParser, logging]
        ),
        .testTarget(
            name: "VendorSimulatorTests",
            dependencies: [
                "VendorSimulator", library("ETRMSampleFeed"), library("ResilienceTesting"), asyncHTTPClient, logging,
                nioCore, .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
    ]
)

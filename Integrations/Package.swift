// swift-tools-version: 6.2
// Adapters from the library to the Swift server ecosystem. They live in their own package so that the root
// package stays free of dependencies: a service that wants the PostgreSQL store depends on this one.
//
//   cd Integrations && swift build
//   ETRM_POSTGRES_URL=postgres://user:password@127.0.0.1:PORT/database swift test   # .ci/postgres.sh starts one
import Foundation
import PackageDescription

// SwiftPM names a path dependency after its folder, so the root package's identity is whatever the clone's
// directory is called (CI clones into a folder of its own choosing). Derive it instead of hard-coding it.
let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
let rootIdentity = root.lastPathComponent.lowercased()

let package = Package(
    name: "ETRMIntegrations",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "IdempotencyPostgres", targets: ["IdempotencyPostgres"]),
        .executable(name: "idempotency-postgres-bench", targets: ["IdempotencyPostgresBenchmark"]),
    ],
    dependencies: [
        .package(path: ".."),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
    ],
    targets: [
        // MARK: IdempotencyPostgres (the shared idempotency store for several replicas)
        .target(
            name: "IdempotencyPostgres",
            dependencies: [
                .product(name: "Idempotency", package: rootIdentity),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        // A worker process the kill test starts several times and SIGKILLs at random.
        .executableTarget(
            name: "IdempotencyPostgresKillWorker",
            dependencies: [
                "IdempotencyPostgres",
                .product(name: "Idempotency", package: rootIdentity),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/IdempotencyPostgresKillWorker"
        ),
        .testTarget(
            name: "IdempotencyPostgresTests",
            dependencies: [
                "IdempotencyPostgres",
                .product(name: "Idempotency", package: rootIdentity),
                .product(name: "IdempotencyConformance", package: rootIdentity),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // `swift run -c release idempotency-postgres-bench`: claim+complete pairs/s beside the journal store.
        .executableTarget(
            name: "IdempotencyPostgresBenchmark",
            dependencies: [
                "IdempotencyPostgres",
                .product(name: "Idempotency", package: rootIdentity),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Benchmarks/IdempotencyPostgresBenchmark"
        ),
    ]
)

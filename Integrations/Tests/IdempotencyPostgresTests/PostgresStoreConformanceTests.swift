import Idempotency
import IdempotencyConformance
import IdempotencyPostgres
import PostgresNIO
import Testing

/// The package's conformance suite on a real PostgreSQL server, each check on its own: a fresh table per check,
/// a second store on a second client for the two-instance checks, and a store on a port nothing listens on.
@Suite(.enabled(if: PostgresTestServer.isConfigured, PostgresTestServer.skipReason))
struct PostgresStoreConformanceTests {
    /// How far a remaining lease reported on the database's clock may be from the suite's expectation: the real
    /// time between a check's statements, on a loaded machine.
    static let tolerance: Duration = .seconds(2)

    @Test(arguments: IdempotencyStoreConformance.checkNames)
    func postgresStorePassesConformanceCheck(_ check: String) async throws {
        // A running client on a loopback port nothing listens on: a database that is down.
        let configuration = try PostgresTestServer.configuration()
        let down = PostgresClient.Configuration(
            host: "127.0.0.1", port: try PostgresTestServer.closedPort(), username: configuration.username,
            password: configuration.password, database: configuration.database, tls: .disable)
        try await PostgresTestServer.withClient(down) { unreachableClient in
            try await PostgresTestServer.withClient { client in
                try await PostgresTestServer.withClient { replicaClient in
                    let tables = CurrentTable()
                    let subject = IdempotencyStoreConformance.Subject(
                        makeStore: {
                            let table = PostgresTestServer.uniqueTable("conformance")
                            tables.set(table)
                            let store = try PostgresIdempotencyStore(
                                client: client, configuration: .init(tableName: table))
                            try await store.migrate()
                            return store
                        },
                        advance: { duration in
                            guard let table = tables.current else { return }
                            try await PostgresTestServer.advance(client, table: table, by: duration)
                        },
                        clockTolerance: Self.tolerance,
                        makeReplica: { store in
                            try PostgresIdempotencyStore(client: replicaClient, configuration: store.configuration)
                        },
                        makeUnreachableStore: {
                            try PostgresIdempotencyStore(
                                client: unreachableClient, configuration: .init(operationTimeout: .milliseconds(500)))
                        })
                    let skipped = try await IdempotencyStoreConformance.run(check: check, on: subject)
                    #expect(
                        skipped == nil, "the PostgreSQL store runs every check, this one was skipped: \(skipped ?? "")")
                    for table in tables.created { try await PostgresTestServer.drop(client, table: table) }
                }
            }
        }
    }
}

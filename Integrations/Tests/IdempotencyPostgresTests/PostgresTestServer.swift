import Foundation
import IdempotencyPostgres
import Logging
import PostgresNIO
import Synchronization
import Testing

/// The PostgreSQL server the tests use: `ETRM_POSTGRES_URL` (`postgres://user:password@127.0.0.1:PORT/database`),
/// which `.ci/postgres.sh start` prints. Tests that need it are enabled only where it is set; CI always sets it.
enum PostgresTestServer {
    static let url = ProcessInfo.processInfo.environment["ETRM_POSTGRES_URL"]
    static let isConfigured = url != nil
    static let skipReason: Comment = "needs a PostgreSQL server: set ETRM_POSTGRES_URL (.ci/postgres.sh starts one)"

    /// The client configuration for `ETRM_POSTGRES_URL`.
    static func configuration() throws -> PostgresClient.Configuration {
        guard let url, let parts = URLComponents(string: url), let host = parts.host, let user = parts.user else {
            throw ConfigurationError(message: "ETRM_POSTGRES_URL is not postgres://user:password@host:port/database")
        }
        var configuration = PostgresClient.Configuration(
            host: host, port: parts.port ?? 5432, username: user, password: parts.password,
            database: String(parts.path.dropFirst()), tls: .disable)
        configuration.options.maximumConnections = 32
        return configuration
    }

    struct ConfigurationError: Error, CustomStringConvertible {
        var message: String
        var description: String { message }
    }

    /// Runs `body` with a running client, closing it afterwards.
    static func withClient<T: Sendable>(
        _ configuration: PostgresClient.Configuration? = nil, _ body: (PostgresClient) async throws -> T
    ) async throws -> T {
        let client = PostgresClient(configuration: try configuration ?? self.configuration())
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            return try await body(client)
        }
    }

    /// A table name no other test uses.
    static func uniqueTable(_ prefix: String = "t") -> String {
        "\(prefix)_\(UInt64.random(in: 0..<UInt64.max) % 1_000_000_000_000)"
    }

    /// Moves the store's time forward by `duration`: shifts every instant in `table` back, which is the same as
    /// the database's clock running ahead (the tests cannot wait a 30-second lease out).
    static func advance(_ client: PostgresClient, table: String, by duration: Duration) async throws {
        let microseconds =
            Int64(duration.components.seconds) * 1_000_000
            + duration.components.attoseconds / 1_000_000_000_000
        try await client.query(
            """
            UPDATE \(unescaped: "\"\(table)\"") SET
                changed_at = changed_at - \(microseconds)::float8 * interval '1 microsecond',
                lease_ends_at = lease_ends_at - \(microseconds)::float8 * interval '1 microsecond',
                expires_at = expires_at - \(microseconds)::float8 * interval '1 microsecond'
            """)
    }

    /// Drops a test's table and its sequence.
    static func drop(_ client: PostgresClient, table: String) async throws {
        try await client.query("DROP TABLE IF EXISTS \(unescaped: "\"\(table)\"")")
        try await client.query("DROP SEQUENCE IF EXISTS \(unescaped: "\"\(table)_fence\"")")
    }

    /// A loopback port nothing listens on (bound, then closed).
    static func closedPort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

/// The table the latest store of a conformance check uses, so that `advance` shifts that table.
final class CurrentTable: Sendable {
    private let name = Mutex<String?>(nil)
    private let all = Mutex<[String]>([])

    func set(_ table: String) {
        name.withLock { $0 = table }
        all.withLock { $0.append(table) }
    }

    var current: String? { name.withLock { $0 } }
    var created: [String] { all.withLock { $0 } }
}

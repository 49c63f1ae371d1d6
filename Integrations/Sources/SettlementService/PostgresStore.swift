import Foundation
import Idempotency
import IdempotencyPostgres
import Logging
import PostgresNIO

/// The PostgreSQL store of a service: the client running in the background, the table migrated, a purge job,
/// a reachability probe for `/ready`, and a close that stops them.
struct PostgresStore: Sendable {
    let store: PostgresIdempotencyStore
    let isReachable: @Sendable () async -> Bool
    let close: @Sendable () async -> Void

    /// Connects to `url` (`postgres://user:password@host:port/database`), migrates, and starts purging.
    static func open(url: String, logger: Logger) async throws -> PostgresStore {
        guard let parts = URLComponents(string: url), parts.scheme?.hasPrefix("postgres") == true,
            let host = parts.host, let user = parts.user, parts.path.count > 1
        else {
            throw SettlementServiceError(
                code: .invalidConfiguration,
                message: "the PostgreSQL URL must be postgres://user:password@host:port/database")
        }
        var configuration = PostgresClient.Configuration(
            host: host, port: parts.port ?? 5432, username: user, password: parts.password,
            database: String(parts.path.dropFirst()), tls: .disable)
        configuration.options.maximumConnections = 32
        let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        let running = Task { await client.run() }
        let store: PostgresIdempotencyStore
        do {
            store = try PostgresIdempotencyStore(client: client, logger: nil)
            try await store.migrate()
        } catch {
            running.cancel()
            await running.value
            throw SettlementServiceError(code: .storeUnavailable, message: "PostgreSQL \(host): \(error)", cause: error)
        }
        // Expired records are deleted once a minute by every replica (the store skips rows another one holds).
        let purge = Task {
            while !Task.isCancelled {
                _ = try? await store.purgeExpired(limit: 10_000)
                try? await Task.sleep(for: .seconds(60))
            }
        }
        return PostgresStore(
            store: store,
            isReachable: {
                await withTaskGroup(of: Bool.self) { group in
                    group.addTask { (try? await client.query("SELECT 1", logger: logger)) != nil }
                    group.addTask {
                        try? await Task.sleep(for: .seconds(2))
                        return false
                    }
                    let first = await group.next() ?? false
                    group.cancelAll()
                    return first
                }
            },
            close: {
                purge.cancel()
                await purge.value
                running.cancel()
                await running.value
            })
    }
}

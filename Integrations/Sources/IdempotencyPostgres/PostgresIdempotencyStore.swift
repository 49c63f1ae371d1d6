import Idempotency
import Logging
import NIOCore
import PostgresNIO

/// An `IdempotencyStore` on PostgreSQL, shared by every replica of a service.
///
/// Each operation is one statement on a `PostgresClient` (which the service runs, for example in its
/// `ServiceGroup`), with bound parameters. Claims, and completions, that wait at the same time share one
/// statement and its commit (group commit, see ``Configuration-swift.struct/maximumBatchSize``): a lone claim
/// goes out at once, and under load up to ``Configuration-swift.struct/maximumConcurrentBatches`` statements of
/// each kind run while the next batch gathers. A batch holds a key at most once (a later claim of the same key
/// waits for the next statement); every caller gets its own outcome, and when the server refuses the
/// statement, every caller in it gets that error.
///
/// - ``claim(_:fingerprint:lease:)`` is a single `INSERT … SELECT FROM unnest(…) ON CONFLICT (key) DO UPDATE …
///   WHERE … RETURNING`: for each key it inserts the record, or takes an existing one over only where it
///   expired, was released, or its lease ended under the same fingerprint. Two replicas claiming one key at once
///   cannot both acquire it: the row's unique key and row lock decide, not a read followed by a write. A batch
///   writes its rows in key order, so batches on several connections or replicas cannot deadlock.
/// - Fences come from a sequence drawn in the statement that writes the record, so they rise for every
///   acquisition of a key, on every replica and across restarts, and do not start again when a record
///   expires, is released or is purged.
/// - ``complete(_:token:response:ttl:)`` (batched like claims, its rows locked in key order first),
///   ``release(_:token:)`` and ``extendLease(_:token:lease:)`` are `UPDATE`s whose `WHERE` names the owner's
///   fence; when no row matches, the same statement reports why
///   (`IdempotencyError.Code.notOwner` or `IdempotencyError.Code.alreadyCompleted`).
/// - **Time is the database's.** Lease ends, TTL ends and the remaining lease are computed with
///   `clock_timestamp()` on the server, never from a replica's clock. Replicas' clocks drift and are stepped
///   by NTP; if each replica measured leases on its own clock, one that ran 10 s fast would take over a
///   30 s lease after 20 s, while its owner was still working. One clock for every replica makes a lease
///   mean the same to all of them.
/// - Responses (status, header fields, body) are kept in `bytea` columns and replay byte for byte, whatever
///   the database's text encoding.
/// - A lost connection, a statement the server refuses, or an operation that does not finish within
///   ``Configuration-swift.struct/operationTimeout`` (a stopped database makes the client wait for a
///   connection) throws `IdempotencyError` with the code
///   `IdempotencyError.Code.storeIO` and the server's message.
///
/// Call ``migrate()`` once at start (every replica may; it takes an advisory lock) and ``purgeExpired(limit:)``
/// from a periodic job so that the table does not grow without bound.
public final class PostgresIdempotencyStore: IdempotencyStore {
    private let client: PostgresClient
    private let logger: Logger?
    /// The validated configuration.
    public let configuration: Configuration
    let sql: Statements
    private let claims: StatementBatcher<ClaimRequest, ClaimRow>
    private let completions: StatementBatcher<CompleteRequest, OwnerVerdict>

    /// Creates a store on `client`; the service runs the client (`client.run()`, or in a `ServiceGroup`).
    ///
    /// - Parameters:
    ///   - client: The PostgreSQL client.
    ///   - configuration: The table name, retention and timeout.
    ///   - logger: Where the client logs the store's statements; none by default.
    /// - Throws: `IdempotencyError.Code.invalidArgument` for a table name that is not a plain
    ///   identifier, or a retention or timeout that is out of range.
    public init(
        client: PostgresClient, configuration: Configuration = .init(), logger: Logger? = nil
    ) throws(IdempotencyError) {
        try configuration.validate()
        self.client = client
        self.configuration = configuration
        self.logger = logger
        let sql = Statements(table: configuration.tableName)
        self.sql = sql
        let retention = Self.microseconds(configuration.abandonedLeaseRetention)
        let (timeout, table) = (configuration.operationTimeout, configuration.tableName)
        claims = StatementBatcher(
            maximumBatchSize: configuration.maximumBatchSize, maximumFlushers: configuration.maximumConcurrentBatches
        ) { requests in
            try await Self.run("claim", table: table, timeout: timeout) {
                let rows = try await client.query(sql.claims(requests, retention: retention), logger: logger)
                var found = [ClaimRow?](repeating: nil, count: requests.count)
                for try await row in rows {
                    let (position, claim) = try ClaimRow.decode(row)
                    if position >= 1 && position <= found.count { found[Int(position) - 1] = claim }
                }
                return try found.map { claim throws(IdempotencyError) in
                    guard let claim else {
                        throw IdempotencyError(code: .storeIO, message: "a claim batch returned no row for a key")
                    }
                    return claim
                }
            }
        }
        completions = StatementBatcher(
            maximumBatchSize: configuration.maximumBatchSize, maximumFlushers: configuration.maximumConcurrentBatches
        ) { requests in
            try await Self.run("complete", table: table, timeout: timeout) {
                let rows = try await client.query(sql.completions(requests), logger: logger)
                var found = [OwnerVerdict?](repeating: nil, count: requests.count)
                for try await row in rows {
                    let (position, verdict) = try OwnerVerdict.decode(row)
                    if position >= 1 && position <= found.count { found[Int(position) - 1] = verdict }
                }
                return try found.map { verdict throws(IdempotencyError) in
                    guard let verdict else {
                        throw IdempotencyError(code: .storeIO, message: "a complete batch returned no row for a key")
                    }
                    return verdict
                }
            }
        }
    }

    /// Creates the table, its fence sequence and its expiry index where they are absent; safe to run from
    /// every replica at once.
    ///
    /// - Throws: `IdempotencyError.Code.storeIO` when the database refuses or cannot be reached.
    public func migrate() async throws {
        try await run("migrate") { [client, sql, logger] in
            // One transaction: the advisory lock it takes first holds until the commit.
            try await client.withTransaction(logger: logger ?? Self.silent) { connection in
                for statement in sql.migration {
                    try await connection.query(statement, logger: logger ?? Self.silent)
                }
            }
        }
    }

    /// Deletes up to `limit` records that expired at least ``purgeDelay`` ago, oldest first; run it from a
    /// periodic job (every replica may: rows another purge holds are skipped).
    ///
    /// - Parameter limit: The most records deleted by this call; positive.
    /// - Returns: How many records were deleted (fewer than `limit` means none are left to purge now).
    /// - Throws: `IdempotencyError.Code.invalidArgument` for a limit below 1, or
    ///   `IdempotencyError.Code.storeIO`.
    @discardableResult
    public func purgeExpired(limit: Int = 10_000) async throws -> Int {
        guard limit >= 1 else {
            throw IdempotencyError(code: .invalidArgument, message: "purge limit must be at least 1, got \(limit)")
        }
        let query = sql.purge(limit: limit, delay: Self.purgeDelay)
        return try await run("purgeExpired") { [self] in
            var deleted = 0
            for try await count in try await client.query(query, logger: logger).decode(Int64.self) {
                deleted = Int(count)
            }
            return deleted
        }
    }

    /// How long after its expiry a record is kept before ``purgeExpired(limit:)`` may delete it.
    ///
    /// A claim statement draws its fence before it finds out whether the key has a row; if the row it then
    /// misses had been taken over (with a higher fence), expired and purged in between, the new record would
    /// carry a lower fence than its predecessor. A record expires no sooner than its last lease or TTL after
    /// that takeover, and is purged this much later still, far longer than any statement runs.
    public static let purgeDelay: Duration = .seconds(300)

    // MARK: IdempotencyStore

    /// Claims `key` for `fingerprint`: inserts the record, or takes an expired, released or abandoned one over
    /// with a higher fence, in one statement (batched with concurrent claims).
    ///
    /// - Parameters:
    ///   - key: The scoped key.
    ///   - fingerprint: The payload's fingerprint.
    ///   - lease: How long the claim holds, on the database's clock; positive.
    /// - Returns: Acquired (with the owner token), the completed record's response, in progress (with the
    ///   lease left), or a fingerprint mismatch.
    /// - Throws: `IdempotencyError` with `invalid_argument` for a lease that is not positive, or `store_io`.
    public nonisolated(nonsending) func claim(
        _ key: IdempotencyKey, fingerprint: Fingerprint, lease: Duration
    ) async throws -> ClaimOutcome {
        try Self.checkPositive(lease, "lease")
        let request = ClaimRequest(
            key: key.storageBytes, fingerprint: fingerprint.bytes, lease: Self.microseconds(lease))
        return try await run("claim") { [claims] in
            // A claim that meets a row inserted after its snapshot sees neither its own write nor that row;
            // it runs again (at most a few times under heavy contention on one key).
            for _ in 0..<Self.claimAttempts {
                let row = try await claims.submit(key: request.key, request)
                if let outcome = try row.outcome(for: fingerprint) { return outcome }
            }
            throw IdempotencyError(
                code: .storeIO,
                message: "claim of \(key) met a concurrent change \(Self.claimAttempts) times in a row")
        }
    }

    /// Stores the response of the owner's operation, if `token` still owns `key` (batched with concurrent
    /// completions).
    ///
    /// - Parameters:
    ///   - key: The scoped key.
    ///   - token: The owner's token from ``claim(_:fingerprint:lease:)``.
    ///   - response: The status, header fields and body to replay, kept byte for byte.
    ///   - ttl: How long the response is replayed, on the database's clock; positive.
    /// - Throws: `IdempotencyError` with `not_owner`, `already_completed`, `invalid_argument` or `store_io`.
    public nonisolated(nonsending) func complete(
        _ key: IdempotencyKey, token: OwnerToken, response: StoredResponse, ttl: Duration
    ) async throws {
        try Self.checkPositive(ttl, "ttl")
        try Self.checkResponse(response)
        let request = CompleteRequest(
            key: key.storageBytes,
            // Fences come from a bigint sequence; a token above its range owns nothing.
            fence: token.fence <= UInt64(Int64.max) ? Int64(token.fence) : -1, status: Int32(response.status),
            headerFields: HeaderFieldCodec.encode(response.headerFields), body: ByteBuffer(bytes: response.body),
            ttl: Self.microseconds(ttl))
        try await run("complete") { [completions] in
            try await completions.submit(key: request.key, request).check(key: key, token: token)
        }
    }

    /// Releases `key` so that the next claim runs the operation again, if `token` still owns it.
    ///
    /// - Parameters:
    ///   - key: The scoped key.
    ///   - token: The owner's token.
    /// - Throws: `IdempotencyError` with `not_owner`, `already_completed` or `store_io`.
    public nonisolated(nonsending) func release(_ key: IdempotencyKey, token: OwnerToken) async throws {
        try await runOwnerUpdate("release", sql.release(key: key, fence: token.fence), key: key, token: token)
    }

    /// Extends the owner's lease to `lease` from now on the database's clock, if `token` still owns `key`.
    ///
    /// - Parameters:
    ///   - key: The scoped key.
    ///   - token: The owner's token.
    ///   - lease: The new remaining lease; positive.
    /// - Throws: `IdempotencyError` with `not_owner`, `already_completed`, `invalid_argument` or `store_io`.
    public nonisolated(nonsending) func extendLease(
        _ key: IdempotencyKey, token: OwnerToken, lease: Duration
    ) async throws {
        try Self.checkPositive(lease, "lease")
        let query = sql.extendLease(
            key: key, fence: token.fence, lease: Self.microseconds(lease),
            retention: Self.microseconds(configuration.abandonedLeaseRetention))
        try await runOwnerUpdate("extendLease", query, key: key, token: token)
    }

    // MARK: Internals

    static let claimAttempts = 16
    static let silent = Logger(label: "etrm.idempotency.postgres", factory: { _ in SwiftLogNoOpLogHandler() })

    /// Runs a complete, release or lease extension and turns "no row changed" into the protocol's error.
    private func runOwnerUpdate(
        _ operation: String, _ query: PostgresQuery, key: IdempotencyKey, token: OwnerToken
    ) async throws {
        try await run(operation) { [self] in
            var verdict: OwnerVerdict?
            for try await row in try await client.query(query, logger: logger) {
                verdict = try OwnerVerdict(row)
            }
            guard let verdict else {
                throw IdempotencyError(code: .storeIO, message: "\(operation) of \(key) returned no row")
            }
            try verdict.check(key: key, token: token)
        }
    }

    /// Runs `body` within the operation timeout and maps the client's errors to ``IdempotencyError``.
    private func run<T: Sendable>(
        _ operation: String, _ body: @escaping @Sendable () async throws -> T
    ) async throws -> T {
        try await Self.run(operation, table: configuration.tableName, timeout: configuration.operationTimeout, body)
    }

    /// Runs `body` within `timeout` and maps the client's errors to ``IdempotencyError``.
    static func run<T: Sendable>(
        _ operation: String, table: String, timeout: Duration, _ body: @escaping @Sendable () async throws -> T
    ) async throws -> T {
        do {
            return try await withThrowingTaskGroup(of: T?.self) { group in
                group.addTask { try await body() }
                group.addTask {
                    try await Task.sleep(for: timeout)
                    return nil
                }
                defer { group.cancelAll() }
                guard let first = try await group.next(), let value = first else {
                    throw IdempotencyError(
                        code: .storeIO,
                        message: "\(operation) on \(table) did not finish within \(timeout)")
                }
                return value
            }
        } catch let error as IdempotencyError {
            throw error
        } catch let error as CancellationError {
            throw error
        } catch {
            throw storeError(operation, table: table, error)
        }
    }

    static func checkPositive(_ duration: Duration, _ name: String) throws(IdempotencyError) {
        guard duration > .zero else {
            throw IdempotencyError(code: .invalidArgument, message: "\(name) must be positive, got \(duration)")
        }
    }

    /// Whole microseconds (the database's resolution), rounded up so that a positive duration stays positive,
    /// and capped at 1,000 years so that the server's interval arithmetic cannot overflow.
    static func microseconds(_ duration: Duration) -> Int64 {
        let cap: Int64 = 1_000 * 366 * 86_400 * 1_000_000
        let (seconds, attoseconds) = duration.components
        guard seconds < cap / 1_000_000 else { return cap }
        return max(0, seconds * 1_000_000 + (attoseconds + 999_999_999_999) / 1_000_000_000_000)
    }
}

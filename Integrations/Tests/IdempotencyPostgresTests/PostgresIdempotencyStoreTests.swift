import Idempotency
import IdempotencyPostgres
import PostgresNIO
import Testing

/// What the PostgreSQL store adds to the protocol: its schema, byte-exact responses, the purge, the database's
/// clock, and errors that carry the server's message.
@Suite(.enabled(if: PostgresTestServer.isConfigured, PostgresTestServer.skipReason))
struct PostgresIdempotencyStoreTests {
    static let scope = try! IdempotencyScope(tenant: "desk-a", operation: "POST /settlements")
    static let fingerprint = Fingerprint(exactBytes: Array("payload".utf8))

    static func key(_ value: String) throws -> IdempotencyKey { try IdempotencyKey(headerValue: value, scope: scope) }

    /// Runs `body` with a migrated store on a fresh table, dropped afterwards.
    static func withStore<T: Sendable>(
        _ body: (PostgresIdempotencyStore, PostgresClient, String) async throws -> T
    ) async throws -> T {
        try await PostgresTestServer.withClient { client in
            let table = PostgresTestServer.uniqueTable("store")
            let store = try PostgresIdempotencyStore(client: client, configuration: .init(tableName: table))
            try await store.migrate()
            do {
                let result = try await body(store, client, table)
                try await PostgresTestServer.drop(client, table: table)
                return result
            } catch {
                try? await PostgresTestServer.drop(client, table: table)
                throw error
            }
        }
    }

    @Test func replicasMigratingAtOnceCreateOneTable() async throws {
        try await PostgresTestServer.withClient { client in
            let table = PostgresTestServer.uniqueTable("migrate")
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<4 {
                    group.addTask {
                        try await PostgresIdempotencyStore(client: client, configuration: .init(tableName: table))
                            .migrate()
                    }
                }
                try await group.waitForAll()
            }
            let store = try PostgresIdempotencyStore(client: client, configuration: .init(tableName: table))
            try await store.migrate()
            let outcome = try await store.claim(try Self.key("m-1"), fingerprint: Self.fingerprint, lease: .seconds(5))
            guard case .acquired = outcome else { throw PostgresTestServer.ConfigurationError(message: "\(outcome)") }
            try await PostgresTestServer.drop(client, table: table)
        }
    }

    @Test func responsesReplayByteForByte() async throws {
        try await Self.withStore { store, _, _ in
            let response = StoredResponse(
                status: 201,
                headerFields: [
                    HTTPHeaderField(name: "Content-Type", value: "application/octet-stream"),
                    HTTPHeaderField(name: "X-Desk", value: "Zürich – €, 東京"),
                    HTTPHeaderField(name: "X-Empty", value: ""),
                ],
                body: (0...255).map { UInt8($0) } + [0, 0, 0xFF, 0xFE])
            let key = try Self.key("bytes")
            guard
                case .acquired(let token) = try await store.claim(
                    key, fingerprint: Self.fingerprint, lease: .seconds(5))
            else { Issue.record("not acquired"); return }
            try await store.complete(key, token: token, response: response, ttl: .seconds(60))
            let replay = try await store.claim(key, fingerprint: Self.fingerprint, lease: .seconds(5))
            #expect(replay == .completed(response))
        }
    }

    @Test func purgeDeletesOnlyLongExpiredRecordsUpToItsLimit() async throws {
        try await Self.withStore { store, client, table in
            var fences: [String: UInt64] = [:]
            for index in 0..<9 {
                let key = try Self.key("purge-\(index)")
                guard
                    case .acquired(let token) = try await store.claim(
                        key, fingerprint: Self.fingerprint, lease: .seconds(30))
                else { Issue.record("not acquired"); return }
                fences[key.value] = token.fence
                // Six complete with a one-minute TTL; three stay in progress (their record outlives the lease by
                // the retention, an hour).
                if index < 6 {
                    try await store.complete(
                        key, token: token, response: StoredResponse(status: 201, body: []), ttl: .seconds(60))
                }
            }
            try await PostgresTestServer.advance(client, table: table, by: .seconds(60))
            #expect(try await store.purgeExpired(limit: 100) == 0, "expired, but not yet by the purge delay")
            try await PostgresTestServer.advance(
                client, table: table, by: PostgresIdempotencyStore.purgeDelay + .seconds(1))
            #expect(try await store.purgeExpired(limit: 4) == 4)
            #expect(try await store.purgeExpired(limit: 100) == 2)
            #expect(try await store.purgeExpired(limit: 100) == 0)
            let rows = try await client.query("SELECT count(*)::int8 FROM \(unescaped: "\"\(table)\"")")
            var remaining: Int64 = -1
            for try await count in rows.decode(Int64.self) { remaining = count }
            #expect(remaining == 3, "the three in-progress records stay")
            // A purged key starts again with a fence above every fence it had.
            let key = try Self.key("purge-0")
            guard
                case .acquired(let token) = try await store.claim(
                    key, fingerprint: Self.fingerprint, lease: .seconds(30))
            else { Issue.record("a purged key was not free"); return }
            #expect(token.fence > fences.values.max()!)
        }
    }

    @Test func leasesAreMeasuredOnTheDatabaseClock() async throws {
        try await Self.withStore { store, client, table in
            let key = try Self.key("clock")
            _ = try await store.claim(key, fingerprint: Self.fingerprint, lease: .milliseconds(1500))
            let rows = try await client.query(
                """
                SELECT (EXTRACT(EPOCH FROM lease_ends_at - changed_at) * 1000000)::int8,
                       (EXTRACT(EPOCH FROM clock_timestamp() - changed_at) * 1000000)::int8
                FROM \(unescaped: "\"\(table)\"")
                """)
            for try await (lease, age) in rows.decode((Int64, Int64).self) {
                #expect(
                    lease == 1_500_000, "the lease end is the server's claim time plus the lease, to the microsecond")
                #expect(age >= 0 && age < 5_000_000, "the claim time is the server's clock: \(age) µs ago")
            }
        }
    }

    @Test func concurrentClaimsShareStatementsAndAcquireEachKeyOnce() async throws {
        try await Self.withStore { store, _, _ in
            let shared = try Self.key("shared")
            // Half the claims name one key, so batches meet it several times (one per statement, the rest wait).
            let outcomes = try await withThrowingTaskGroup(of: (IdempotencyKey, ClaimOutcome).self) { group in
                for index in 0..<64 {
                    group.addTask {
                        let key = index.isMultiple(of: 2) ? shared : try Self.key("own-\(index)")
                        return (key, try await store.claim(key, fingerprint: Self.fingerprint, lease: .seconds(30)))
                    }
                }
                var all: [(IdempotencyKey, ClaimOutcome)] = []
                for try await outcome in group { all.append(outcome) }
                return all
            }
            var tokens: [(IdempotencyKey, OwnerToken)] = []
            var inProgress = 0
            for (key, outcome) in outcomes {
                switch outcome {
                case .acquired(let token): tokens.append((key, token))
                case .inProgress(let remaining) where key == shared && remaining > .seconds(25): inProgress += 1
                default: Issue.record("\(key): \(outcome)")
                }
            }
            #expect(tokens.count == 33, "32 own keys and the shared one, once")
            #expect(inProgress == 31)
            #expect(Set(tokens.map(\.1.fence)).count == 33, "every acquisition has its own fence")
            let response = StoredResponse(status: 201, body: Array("done".utf8))
            try await withThrowingTaskGroup(of: Void.self) { group in
                for (key, token) in tokens {
                    group.addTask { try await store.complete(key, token: token, response: response, ttl: .seconds(60)) }
                }
                try await group.waitForAll()
            }
            for (key, _) in tokens {
                #expect(
                    try await store.claim(key, fingerprint: Self.fingerprint, lease: .seconds(5))
                        == .completed(response))
            }
        }
    }

    @Test func aStatementTheServerRefusesFailsItsCallersWithTheServersMessage() async throws {
        try await Self.withStore { store, client, table in
            // The server refuses any row with this fingerprint: the batch holding it fails as a whole.
            let refused = Fingerprint(exactBytes: Array("refused".utf8))
            let function = "\"\(table)_refuse\""
            let hex = refused.bytes.map { String($0, radix: 16).leftPadded(2) }.joined()
            try await client.query(
                """
                CREATE FUNCTION \(unescaped: function)() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    IF NEW.fingerprint = '\\x\(unescaped: hex)'::bytea THEN RAISE EXCEPTION 'refused by the test'; END IF;
                    RETURN NEW;
                END $$
                """)
            try await client.query(
                """
                CREATE TRIGGER refuse BEFORE INSERT ON \(unescaped: "\"\(table)\"")
                FOR EACH ROW EXECUTE FUNCTION \(unescaped: function)()
                """)
            let keys = try (0..<24).map { try Self.key("batch-\($0)") }
            let results = await withTaskGroup(of: (Int, Result<ClaimOutcome, any Error>).self) { group in
                for (index, key) in keys.enumerated() {
                    group.addTask {
                        let fingerprint = index == 0 ? refused : Self.fingerprint
                        do {
                            return (
                                index,
                                .success(try await store.claim(key, fingerprint: fingerprint, lease: .seconds(30)))
                            )
                        } catch {
                            return (index, .failure(error))
                        }
                    }
                }
                var all: [Int: Result<ClaimOutcome, any Error>] = [:]
                for await (index, result) in group { all[index] = result }
                return all
            }
            var failed: [Int] = []
            for (index, result) in results {
                switch result {
                case .success(let outcome):
                    guard case .acquired = outcome else { Issue.record("\(index): \(outcome)"); continue }
                case .failure(let error):
                    failed.append(index)
                    let error = error as? IdempotencyError
                    #expect(error?.code == .storeIO)
                    #expect(error?.message.contains("refused by the test") == true, "\(String(describing: error))")
                    #expect(error?.message.contains("P0001") == true)
                }
            }
            #expect(failed.contains(0), "the refused claim fails")
            // A failed statement wrote nothing: every other key that shared its batch is still free.
            for index in failed where index != 0 {
                guard
                    case .acquired = try await store.claim(
                        keys[index], fingerprint: Self.fingerprint, lease: .seconds(5))
                else { Issue.record("key \(index) was written by a failed statement"); continue }
            }
            try await client.query("DROP TABLE \(unescaped: "\"\(table)\"")")
            try await client.query("DROP FUNCTION \(unescaped: function)()")
        }
    }

    @Test func aFailedStatementCarriesTheServersMessage() async throws {
        try await Self.withStore { store, client, table in
            try await PostgresTestServer.drop(client, table: table)
            await #expect {
                _ = try await store.claim(try Self.key("gone"), fingerprint: Self.fingerprint, lease: .seconds(5))
            } throws: { error in
                guard let error = error as? IdempotencyError else { return false }
                return error.code == .storeIO && error.message.contains("does not exist")
                    && error.message.contains("42P01")
            }
        }
    }
}

/// Table names reach SQL only as validated, quoted identifiers.
@Suite struct PostgresStoreConfigurationTests {
    @Test(arguments: [
        "", "Upper", "1starts_with_digit", "x\"; DROP TABLE users; --", "with space", "dash-ed", "schema.table",
        String(repeating: "a", count: 49),
    ])
    func tableNameThatIsNotAPlainIdentifierIsRefused(_ name: String) {
        let client = PostgresClient(
            configuration: .init(host: "127.0.0.1", username: "u", password: nil, database: nil, tls: .disable))
        #expect(throws: IdempotencyError.self) {
            try PostgresIdempotencyStore(client: client, configuration: .init(tableName: name))
        }
    }

    @Test func plainIdentifiersAreAccepted() throws {
        let client = PostgresClient(
            configuration: .init(host: "127.0.0.1", username: "u", password: nil, database: nil, tls: .disable))
        for name in ["etrm_idempotency", "_t", "t1", String(repeating: "a", count: 48)] {
            _ = try PostgresIdempotencyStore(client: client, configuration: .init(tableName: name))
        }
    }
}

extension String {
    func leftPadded(_ width: Int) -> String { String(repeating: "0", count: max(0, width - count)) + self }
}

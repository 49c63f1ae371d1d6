import Idempotency
import NIOCore
import PostgresNIO

extension PostgresIdempotencyStore {
    /// The store's SQL. The table's name is a validated identifier and always double-quoted; every value is a
    /// bound parameter. Durations travel as whole microseconds; every "now" is the server's
    /// `clock_timestamp()`, read once per statement.
    struct Statements: Sendable {
        let table: String
        let sequence: String
        let index: String
        let name: String

        init(table: String) {
            name = table
            self.table = "\"\(table)\""
            sequence = "\"\(table)_fence\""
            index = "\"\(table)_expires_at\""
        }

        var migration: [PostgresQuery] {
            [
                // Serialises replicas that migrate at once (CREATE … IF NOT EXISTS alone can race).
                "SELECT pg_advisory_xact_lock(hashtext(\("etrm_idempotency_migrate:" + name)))",
                "CREATE SEQUENCE IF NOT EXISTS \(unescaped: sequence) AS bigint MINVALUE 1",
                """
                CREATE TABLE IF NOT EXISTS \(unescaped: table) (
                    key bytea PRIMARY KEY,
                    fingerprint bytea NOT NULL,
                    fence bigint NOT NULL,
                    state text NOT NULL CHECK (state IN ('in_progress', 'completed', 'released')),
                    changed_at timestamptz NOT NULL,
                    lease_ends_at timestamptz NOT NULL,
                    expires_at timestamptz NOT NULL,
                    status integer CHECK (status BETWEEN 100 AND 599),
                    header_fields bytea,
                    body bytea,
                    CHECK ((state = 'completed') = (status IS NOT NULL AND header_fields IS NOT NULL AND body IS NOT NULL))
                ) WITH (fillfactor = 80)
                """,
                "CREATE INDEX IF NOT EXISTS \(unescaped: index) ON \(unescaped: table) (expires_at)",
            ]
        }

        /// Claims a batch of distinct keys in one statement: inserts each record or takes over one that expired,
        /// was released, or whose lease ended under the same fingerprint; for a key it did not take, returns the
        /// row as the statement's snapshot saw it. Rows are written in key order, so that batches running at
        /// once on several connections (or replicas) lock shared keys in one order and cannot deadlock.
        /// One row per request: `n` (its 1-based position), then the columns ``ClaimRow`` decodes.
        func claims(_ requests: [ClaimRequest], retention: Int64) -> PostgresQuery {
            var binds = PostgresBindings()
            binds.append(requests.map { ByteBuffer(bytes: $0.key) })
            binds.append(requests.map { ByteBuffer(bytes: $0.fingerprint) })
            binds.append(requests.map(\.lease))
            binds.append(retention)
            return PostgresQuery(
                unsafeSQL: """
                    WITH now AS (SELECT clock_timestamp() AS t),
                    input AS (
                        SELECT * FROM unnest($1::bytea[], $2::bytea[], $3::int8[])
                            WITH ORDINALITY AS i(key, fingerprint, lease, n)
                    ),
                    claimed AS (
                        INSERT INTO \(table) AS r
                            (key, fingerprint, fence, state, changed_at, lease_ends_at, expires_at)
                        SELECT i.key, i.fingerprint, nextval('\(sequence)'), 'in_progress', now.t,
                            now.t + i.lease::float8 * interval '1 microsecond',
                            now.t + (i.lease + $4)::float8 * interval '1 microsecond'
                        FROM input AS i, now
                        ORDER BY i.key
                        ON CONFLICT (key) DO UPDATE SET
                            fingerprint = EXCLUDED.fingerprint, fence = nextval('\(sequence)'),
                            state = 'in_progress', changed_at = EXCLUDED.changed_at,
                            lease_ends_at = EXCLUDED.lease_ends_at, expires_at = EXCLUDED.expires_at,
                            status = NULL, header_fields = NULL, body = NULL
                        WHERE r.expires_at <= EXCLUDED.changed_at OR r.state = 'released'
                            OR (r.state = 'in_progress' AND r.lease_ends_at <= EXCLUDED.changed_at
                                AND r.fingerprint = EXCLUDED.fingerprint)
                        RETURNING r.key, r.fence
                    )
                    SELECT i.n, c.key IS NOT NULL, coalesce(c.fence, r.fence), r.fingerprint, r.state,
                        r.expires_at > clock_timestamp(),
                        (EXTRACT(EPOCH FROM r.lease_ends_at - clock_timestamp()) * 1000000)::int8,
                        r.status, r.header_fields, r.body
                    FROM input AS i
                    LEFT JOIN claimed AS c ON c.key = i.key
                    LEFT JOIN \(table) AS r ON r.key = i.key AND c.key IS NULL
                    """,
                binds: binds)
        }

        /// Completes a batch of distinct keys in one statement, each only where its fence owns the in-progress
        /// record. The rows are locked in key order first (see ``claims(_:retention:)``). One row per request:
        /// `n`, then the columns ``OwnerVerdict`` decodes.
        func completions(_ requests: [CompleteRequest]) -> PostgresQuery {
            var binds = PostgresBindings()
            binds.append(requests.map { ByteBuffer(bytes: $0.key) })
            binds.append(requests.map(\.fence))
            binds.append(requests.map(\.status))
            binds.append(requests.map(\.headerFields))
            binds.append(requests.map(\.body))
            binds.append(requests.map(\.ttl))
            return PostgresQuery(
                unsafeSQL: """
                    WITH now AS (SELECT clock_timestamp() AS t),
                    input AS (
                        SELECT * FROM unnest($1::bytea[], $2::int8[], $3::int4[], $4::bytea[], $5::bytea[], $6::int8[])
                            WITH ORDINALITY AS i(key, fence, status, header_fields, body, ttl, n)
                    ),
                    locked AS (
                        SELECT r.key FROM \(table) AS r WHERE r.key = ANY($1::bytea[]) ORDER BY r.key FOR UPDATE
                    ),
                    changed AS (
                        UPDATE \(table) AS r SET changed_at = now.t, state = 'completed', status = i.status,
                            header_fields = i.header_fields, body = i.body,
                            expires_at = now.t + i.ttl::float8 * interval '1 microsecond'
                        FROM now, input AS i
                        WHERE (SELECT count(*) FROM locked) >= 0
                            AND r.key = i.key AND r.fence = i.fence AND r.state = 'in_progress'
                            AND r.expires_at > now.t
                        RETURNING r.key
                    )
                    SELECT i.n, c.key IS NOT NULL, r.fence, r.state, r.expires_at > clock_timestamp()
                    FROM input AS i
                    LEFT JOIN changed AS c ON c.key = i.key
                    LEFT JOIN \(table) AS r ON r.key = i.key
                    """,
                binds: binds)
        }

        func release(key: IdempotencyKey, fence: UInt64) -> PostgresQuery {
            // The row stays (with its fence) until it expires as it would have; a claim takes it over at once.
            ownerUpdate(key: key, fence: fence, set: "state = 'released'") { _ in }
        }

        func extendLease(key: IdempotencyKey, fence: UInt64, lease: Int64, retention: Int64) -> PostgresQuery {
            ownerUpdate(
                key: key, fence: fence,
                set: """
                    lease_ends_at = GREATEST(r.lease_ends_at, now.t + $3::float8 * interval '1 microsecond'),
                    expires_at = GREATEST(r.expires_at,
                        GREATEST(r.lease_ends_at, now.t + $3::float8 * interval '1 microsecond')
                        + $4::float8 * interval '1 microsecond')
                    """
            ) { binds in
                binds.append(lease)
                binds.append(retention)
            }
        }

        /// An `UPDATE` of the in-progress record `fence` owns (`$1` the key, `$2` the fence, `$3`… the values
        /// `set` uses), returning whether it changed a row and, from the statement's snapshot, the row it found
        /// (for the error when it did not).
        private func ownerUpdate(
            key: IdempotencyKey, fence: UInt64, set: String, values: (inout PostgresBindings) -> Void
        ) -> PostgresQuery {
            var binds = PostgresBindings()
            binds.append(ByteBuffer(bytes: key.storageBytes))
            // Fences come from a bigint sequence; a token above its range owns nothing.
            binds.append(fence <= UInt64(Int64.max) ? Int64(fence) : -1)
            values(&binds)
            return PostgresQuery(
                unsafeSQL: """
                    WITH now AS (SELECT clock_timestamp() AS t),
                    changed AS (
                        UPDATE \(table) AS r SET changed_at = now.t, \(set)
                        FROM now
                        WHERE r.key = $1 AND r.fence = $2 AND r.state = 'in_progress' AND r.expires_at > now.t
                        RETURNING r.fence
                    )
                    SELECT EXISTS (SELECT 1 FROM changed), r.fence, r.state, r.expires_at > clock_timestamp()
                    FROM (SELECT 1) AS one LEFT JOIN \(table) AS r ON r.key = $1
                    """,
                binds: binds)
        }

        func purge(limit: Int, delay: Duration) -> PostgresQuery {
            """
            WITH gone AS (
                DELETE FROM \(unescaped: table) WHERE key IN (
                    SELECT key FROM \(unescaped: table)
                    WHERE expires_at <= clock_timestamp() - \(PostgresIdempotencyStore.microseconds(delay))::float8
                        * interval '1 microsecond'
                    ORDER BY expires_at LIMIT \(Int64(limit))
                    FOR UPDATE SKIP LOCKED)
                RETURNING 1
            )
            SELECT count(*)::int8 FROM gone
            """
        }
    }
}

import Idempotency

extension PostgresIdempotencyStore {
    /// Settings for a ``PostgresIdempotencyStore``.
    public struct Configuration: Sendable {
        /// The table's name: a lower-case SQL identifier (`[a-z_][a-z0-9_]*`, at most 48 bytes), always quoted
        /// in statements. The fence sequence and the expiry index are named after it (`<table>_fence`,
        /// `<table>_expires_at`). Several services may share a database with a table each.
        public var tableName: String
        /// How long an in-progress record outlives its lease when nobody takes it over, so that a slow owner can
        /// still complete it.
        public var abandonedLeaseRetention: Duration
        /// The longest one operation may take, waiting for a connection included, before it throws
        /// `IdempotencyError.Code.storeIO`. While the database is down the client keeps trying to
        /// connect for up to a minute; a request should get its 503 well before that.
        public var operationTimeout: Duration
        /// The most claims (or completions) that go to the database in one statement. Claims and completions
        /// that wait at the same time share a statement and its commit, one per key; a lone one goes at once.
        public var maximumBatchSize: Int
        /// The most claim statements (and, separately, completion statements) one store runs at once, each on
        /// its own connection from the client's pool.
        public var maximumConcurrentBatches: Int

        /// Creates a configuration.
        ///
        /// - Parameters:
        ///   - tableName: The table's name; `etrm_idempotency` by default.
        ///   - abandonedLeaseRetention: How long an ended lease's record stays; 1 hour by default.
        ///   - operationTimeout: The longest one operation may take; 5 seconds by default.
        ///   - maximumBatchSize: The most claims or completions in one statement; 128 by default.
        ///   - maximumConcurrentBatches: The most claim (and completion) statements at once; 4 by default.
        public init(
            tableName: String = "etrm_idempotency", abandonedLeaseRetention: Duration = .seconds(3600),
            operationTimeout: Duration = .seconds(5), maximumBatchSize: Int = 128, maximumConcurrentBatches: Int = 4
        ) {
            self.tableName = tableName
            self.abandonedLeaseRetention = abandonedLeaseRetention
            self.operationTimeout = operationTimeout
            self.maximumBatchSize = maximumBatchSize
            self.maximumConcurrentBatches = maximumConcurrentBatches
        }

        /// The most bytes of a table name, leaving room for the sequence's and index's suffixes within
        /// PostgreSQL's 63-byte identifiers.
        public static let maximumTableNameLength = 48

        /// The largest ``maximumBatchSize``: a statement's arrays stay far below PostgreSQL's message limits.
        public static let maximumBatchSizeLimit = 10_000

        func validate() throws(IdempotencyError) {
            let bytes = Array(tableName.utf8)
            let valid =
                !bytes.isEmpty && bytes.count <= Self.maximumTableNameLength
                && bytes.enumerated().allSatisfy { index, byte in
                    switch byte {
                    case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "_"): return true
                    case UInt8(ascii: "0")...UInt8(ascii: "9"): return index > 0
                    default: return false
                    }
                }
            guard valid else {
                throw IdempotencyError(
                    code: .invalidArgument,
                    message:
                        "table name \(String(reflecting: tableName)) must match [a-z_][a-z0-9_]* and be at most \(Self.maximumTableNameLength) bytes"
                )
            }
            guard abandonedLeaseRetention >= .zero else {
                throw IdempotencyError(code: .invalidArgument, message: "abandonedLeaseRetention must not be negative")
            }
            guard operationTimeout > .zero else {
                throw IdempotencyError(code: .invalidArgument, message: "operationTimeout must be positive")
            }
            guard (1...Self.maximumBatchSizeLimit).contains(maximumBatchSize) else {
                throw IdempotencyError(
                    code: .invalidArgument,
                    message:
                        "maximumBatchSize must be between 1 and \(Self.maximumBatchSizeLimit), got \(maximumBatchSize)")
            }
            guard maximumConcurrentBatches >= 1 else {
                throw IdempotencyError(
                    code: .invalidArgument,
                    message: "maximumConcurrentBatches must be at least 1, got \(maximumConcurrentBatches)")
            }
        }
    }
}

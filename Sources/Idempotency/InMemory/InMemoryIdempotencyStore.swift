import ETRMShared

/// An in-memory ``IdempotencyStore``: sharded, bounded, TTL-expiring, driven by any `Clock`.
///
/// Keys are spread over ``Configuration-swift.struct/shardCount`` shards, each a dictionary behind its own
/// lock, so claims on different keys rarely contend. Records live only as long as the process: use
/// ``JournalIdempotencyStore`` (one node) or a shared store (several replicas) where a restart must not
/// forget a completed settlement.
///
/// **Capacity and eviction order.** Each shard holds at most `capacity / shardCount` records (rounded up).
/// When a new key arrives at a full shard, the shard scans its records from the oldest state change (claim or
/// completion) to the newest and drops the first one that is expired, completed, or past its lease; a record
/// whose lease is still live is never dropped (the scan moves it to the back). If every record holds a live
/// lease, the claim throws ``IdempotencyError/Code/capacityExceeded``. Expired records are also dropped
/// whenever a claim touches their key.
public final class InMemoryIdempotencyStore<C: Clock>: IdempotencyStore where C.Duration == Duration {
    /// Settings for an ``InMemoryIdempotencyStore``.
    public struct Configuration: Sendable {
        /// The most records the store holds, over all shards.
        public var capacity: Int
        /// The number of independently locked shards (at least 1).
        public var shardCount: Int
        /// How long an in-progress record outlives its lease when nobody takes it over, so that a slow owner
        /// can still complete it.
        public var abandonedLeaseRetention: Duration

        /// Creates a configuration.
        ///
        /// - Parameters:
        ///   - capacity: The most records held; 100 000 by default.
        ///   - shardCount: The number of shards; 16 by default.
        ///   - abandonedLeaseRetention: How long an ended lease's record stays; 1 hour by default.
        public init(capacity: Int = 100_000, shardCount: Int = 16, abandonedLeaseRetention: Duration = .seconds(3600)) {
            self.capacity = capacity
            self.shardCount = shardCount
            self.abandonedLeaseRetention = abandonedLeaseRetention
        }
    }

    private let clock: C
    private let origin: C.Instant
    private let configuration: Configuration
    private let retention: Int64
    private let shards: [InMemoryShard]
    private let shardCapacity: Int

    /// Creates a store.
    ///
    /// - Parameters:
    ///   - configuration: Capacity, shards and retention.
    ///   - clock: The clock leases and TTLs are measured on.
    /// - Throws: ``IdempotencyError/Code/invalidArgument`` for a capacity or shard count below 1 or a negative
    ///   retention.
    public init(configuration: Configuration = .init(), clock: C) throws(IdempotencyError) {
        guard configuration.capacity >= 1, configuration.shardCount >= 1 else {
            throw IdempotencyError(
                code: .invalidArgument,
                message:
                    "capacity and shardCount must be at least 1, got \(configuration.capacity) and \(configuration.shardCount)"
            )
        }
        guard configuration.abandonedLeaseRetention >= .zero else {
            throw IdempotencyError(code: .invalidArgument, message: "abandonedLeaseRetention must not be negative")
        }
        self.clock = clock
        origin = clock.now
        self.configuration = configuration
        retention = configuration.abandonedLeaseRetention.clampedNanoseconds
        let shardCount = min(configuration.shardCount, configuration.capacity)
        shards = (0..<shardCount).map { _ in InMemoryShard() }
        shardCapacity = (configuration.capacity + shardCount - 1) / shardCount
    }

    /// The number of records held, live or not yet dropped.
    public var recordCount: Int { shards.reduce(0) { $0 + $1.state.withLock { $0.records.count } } }

    public nonisolated(nonsending) func claim(
        _ key: IdempotencyKey, fingerprint: Fingerprint, lease: Duration
    ) async throws -> ClaimOutcome {
        try claimNow(key, fingerprint: fingerprint, lease: lease)
    }

    public nonisolated(nonsending) func complete(
        _ key: IdempotencyKey, token: OwnerToken, response: StoredResponse, ttl: Duration
    ) async throws {
        try completeNow(key, token: token, response: response, ttl: ttl)
    }

    public nonisolated(nonsending) func release(_ key: IdempotencyKey, token: OwnerToken) async throws {
        try releaseNow(key, token: token)
    }

    public nonisolated(nonsending) func extendLease(
        _ key: IdempotencyKey, token: OwnerToken, lease: Duration
    ) async throws {
        try extendLeaseNow(key, token: token, lease: lease)
    }

    /// ``claim(_:fingerprint:lease:)`` without suspension, for callers outside async code.
    ///
    /// - Parameters:
    ///   - key: The scoped key.
    ///   - fingerprint: The request payload's fingerprint.
    ///   - lease: The lease; positive.
    /// - Returns: The claim's outcome.
    /// - Throws: ``IdempotencyError`` for a non-positive lease or a shard full of live leases.
    package func claimNow(
        _ key: IdempotencyKey, fingerprint: Fingerprint, lease: Duration
    ) throws(IdempotencyError) -> ClaimOutcome {
        try IdempotencyRules.checkPositive(lease, "lease")
        let now = self.now
        let lease = lease.clampedNanoseconds
        let retention = self.retention
        let capacity = shardCapacity
        return try shard(for: key).state.withLock { (shard) throws(IdempotencyError) -> ClaimOutcome in
            try shard.claim(
                key, fingerprint: fingerprint, lease: lease, retention: retention, now: now, capacity: capacity)
        }
    }

    /// ``complete(_:token:response:ttl:)`` without suspension.
    ///
    /// - Parameters:
    ///   - key: The scoped key.
    ///   - token: The owner token.
    ///   - response: The response to replay.
    ///   - ttl: The completed record's lifetime; positive.
    /// - Throws: ``IdempotencyError/Code/notOwner``, ``IdempotencyError/Code/alreadyCompleted`` or
    ///   ``IdempotencyError/Code/invalidArgument``.
    package func completeNow(
        _ key: IdempotencyKey, token: OwnerToken, response: StoredResponse, ttl: Duration
    ) throws(IdempotencyError) {
        try IdempotencyRules.checkPositive(ttl, "ttl")
        try IdempotencyRules.checkResponse(response)
        let now = self.now
        let ttl = ttl.clampedNanoseconds
        try shard(for: key).state.withLock { (shard) throws(IdempotencyError) in
            try shard.complete(key, token: token, response: response, ttl: ttl, now: now)
        }
    }

    /// ``release(_:token:)`` without suspension.
    ///
    /// - Parameters:
    ///   - key: The scoped key.
    ///   - token: The owner token.
    /// - Throws: ``IdempotencyError/Code/notOwner`` or ``IdempotencyError/Code/alreadyCompleted``.
    package func releaseNow(_ key: IdempotencyKey, token: OwnerToken) throws(IdempotencyError) {
        let now = self.now
        try shard(for: key).state.withLock { (shard) throws(IdempotencyError) in
            try IdempotencyRules.checkOwner(shard.records[key], token: token, key: key, now: now)
            shard.records[key] = nil
        }
    }

    /// ``extendLease(_:token:lease:)`` without suspension.
    ///
    /// - Parameters:
    ///   - key: The scoped key.
    ///   - token: The owner token.
    ///   - lease: How long from now the lease holds; positive.
    /// - Throws: ``IdempotencyError/Code/notOwner``, ``IdempotencyError/Code/alreadyCompleted`` or
    ///   ``IdempotencyError/Code/invalidArgument``.
    package func extendLeaseNow(_ key: IdempotencyKey, token: OwnerToken, lease: Duration) throws(IdempotencyError) {
        try IdempotencyRules.checkPositive(lease, "lease")
        let now = self.now
        let lease = lease.clampedNanoseconds
        let retention = self.retention
        try shard(for: key).state.withLock { (shard) throws(IdempotencyError) in
            try shard.extend(key, token: token, lease: lease, retention: retention, now: now)
        }
    }

    /// Nanoseconds since the store was created.
    private var now: Int64 { origin.duration(to: clock.now).clampedNanoseconds }

    @inline(__always)
    private func shard(for key: IdempotencyKey) -> InMemoryShard {
        shards[Int(UInt(bitPattern: key.shardHash) % UInt(shards.count))]
    }
}

/// One lock's worth of an ``InMemoryIdempotencyStore``. Not generic, so it is compiled once, here.
final class InMemoryShard: Sendable {
    struct Entry {
        var key: IdempotencyKey
        var stamp: UInt64
    }

    struct State: Sendable {
        var records: [IdempotencyKey: IdempotencyRecord] = [:]
        /// Keys in the order of their last state change; entries whose stamp no longer matches are stale.
        var order = FIFO<Entry>()
        var lastFence: UInt64 = 0
        var lastStamp: UInt64 = 0

        mutating func nextStamp() -> UInt64 {
            lastStamp &+= 1
            return lastStamp
        }

        mutating func claim(
            _ key: IdempotencyKey, fingerprint: Fingerprint, lease: Int64, retention: Int64, now: Int64,
            capacity: Int
        ) throws(IdempotencyError) -> ClaimOutcome {
            if records.count >= capacity, records[key] == nil {
                try evictOne(now: now)
            }
            let stamp = nextStamp()
            var fence = lastFence
            let outcome = IdempotencyRules.claim(
                &records[key], fingerprint: fingerprint, lease: lease, retention: retention, now: now, stamp: stamp,
                nextFence: {
                    fence &+= 1
                    return fence
                })
            if case .acquired = outcome {
                lastFence = fence
                order.append(Entry(key: key, stamp: stamp))
                if order.count > 4 * records.count + 64 { dropStaleEntries() }
            }
            return outcome
        }

        mutating func complete(
            _ key: IdempotencyKey, token: OwnerToken, response: StoredResponse, ttl: Int64, now: Int64
        ) throws(IdempotencyError) {
            try IdempotencyRules.checkOwner(records[key], token: token, key: key, now: now)
            let stamp = nextStamp()
            IdempotencyRules.complete(&records[key]!, response: response, ttl: ttl, now: now, stamp: stamp)
            order.append(Entry(key: key, stamp: stamp))
        }

        mutating func extend(
            _ key: IdempotencyKey, token: OwnerToken, lease: Int64, retention: Int64, now: Int64
        ) throws(IdempotencyError) {
            try IdempotencyRules.checkOwner(records[key], token: token, key: key, now: now)
            let stamp = nextStamp()
            _ = IdempotencyRules.extend(&records[key]!, lease: lease, retention: retention, now: now, stamp: stamp)
            order.append(Entry(key: key, stamp: stamp))
        }

        private mutating func evictOne(now: Int64) throws(IdempotencyError) {
            var budget = order.count
            while budget > 0, let entry = order.popFirst() {
                budget -= 1
                guard let record = records[entry.key], record.stamp == entry.stamp else { continue }
                if record.isEvictable(at: now) {
                    records[entry.key] = nil
                    return
                }
                order.append(entry)
            }
            throw IdempotencyError(
                code: .capacityExceeded,
                message: "a store shard is full of \(records.count) records with live leases; raise the capacity")
        }

        private mutating func dropStaleEntries() {
            let records = self.records
            order.removeAll { entry in records[entry.key]?.stamp != entry.stamp }
        }
    }

    let state = LockedState(State())
}

extension InMemoryIdempotencyStore where C == ContinuousClock {
    /// Creates a store on the continuous clock.
    ///
    /// - Parameter configuration: Capacity, shards and retention.
    /// - Throws: ``IdempotencyError/Code/invalidArgument`` for an invalid configuration.
    public convenience init(configuration: Configuration = .init()) throws(IdempotencyError) {
        try self.init(configuration: configuration, clock: ContinuousClock())
    }
}

import ETRMShared

/// A token bucket per key (client, desk, API key), with bounded memory.
///
/// Each key gets its own bucket with the same ``RateLimiterConfiguration``, created on first use. At most
/// ``maximumPartitions`` buckets are held. When a new key arrives at the limit, every bucket that has refilled
/// to capacity is dropped first: a full bucket is indistinguishable from a new one, so this changes nothing.
/// If none is full, the least recently used bucket is dropped; its key starts again with a full bucket (the
/// bound on memory wins over exactness for that one key, and the event is counted in ``evictions``).
///
/// - Complexity: O(1) per call for an existing key; O(n) when a new key arrives at the limit.
public final class PartitionedRateLimiter<Key: Hashable & Sendable, C: Clock>: Sendable where C.Duration == Duration {
    /// The settings type (``RateLimiterConfiguration``).
    public typealias Configuration = RateLimiterConfiguration

    private struct State {
        var buckets: [Key: TokenBucket<C.Instant>] = [:]
        var evictions = 0
    }

    /// The settings of every partition.
    public let configuration: RateLimiterConfiguration
    /// The most partitions held.
    public let maximumPartitions: Int
    /// The clock.
    public let clock: C
    private let state = LockedState(State())

    /// Creates an empty limiter.
    /// - Parameters:
    ///   - configuration: The settings of each partition.
    ///   - maximumPartitions: The bound on buckets held (at least 1).
    ///   - clock: The clock.
    /// - Throws: ``ResilienceError/Code/invalidConfiguration`` for out-of-range settings.
    public init(
        _ configuration: RateLimiterConfiguration = .init(), maximumPartitions: Int = 10_000, clock: C
    ) throws(ResilienceError) {
        try configuration.validate()
        guard maximumPartitions >= 1 else {
            throw .invalidConfiguration("maximumPartitions must be at least 1 (got \(maximumPartitions))")
        }
        self.configuration = configuration
        self.maximumPartitions = maximumPartitions
        self.clock = clock
    }

    /// Takes `permits` tokens from `key`'s bucket if they are there.
    /// - Parameters:
    ///   - key: The partition (client, desk).
    ///   - permits: The tokens wanted, in `1...capacity`.
    /// - Returns: Acquired, or rejected with the `Retry-After` for this key.
    /// - Throws: ``ResilienceError/Code/invalidArgument`` for permits out of range.
    public func tryAcquire(_ key: Key, permits: Int = 1) throws(ResilienceError) -> RateLimiter<C>.Decision {
        try configuration.checkPermits(permits)
        let now = clock.now
        let wanted = Double(permits)
        let result = state.withLock { state in
            if state.buckets[key] == nil { makeRoom(&state, now: now) }
            return state.buckets[key, default: newBucket(now: now)].tryAcquire(wanted, now: now)
        }
        switch result {
        case .acquired:
            return .acquired
        case .rejected(let retryAfter):
            configuration.observer.emit(
                ResilienceEvent(
                    source: configuration.name, kind: .rejected, rejection: .rateLimited, retryAfter: retryAfter))
            return .rejected(retryAfter: retryAfter)
        }
    }

    private func newBucket(now: C.Instant) -> TokenBucket<C.Instant> {
        TokenBucket(capacity: Double(configuration.capacity), refillPerSecond: configuration.refillPerSecond, now: now)
    }

    private func makeRoom(_ state: inout State, now: C.Instant) {
        guard state.buckets.count >= maximumPartitions else { return }
        state.buckets = state.buckets.filter { !$0.value.isFull(now: now) }
        guard state.buckets.count >= maximumPartitions,
            let oldest = state.buckets.min(by: { $0.value.lastUpdate < $1.value.lastUpdate })
        else { return }
        state.buckets[oldest.key] = nil
        state.evictions += 1
    }

    /// The number of partitions held.
    public var partitionCount: Int { state.withLock { $0.buckets.count } }

    /// How many partitions with unspent history were dropped to stay within ``maximumPartitions``.
    public var evictions: Int { state.withLock { $0.evictions } }
}

extension PartitionedRateLimiter where C == ContinuousClock {
    /// Creates an empty limiter on the continuous clock.
    /// - Parameters:
    ///   - configuration: The settings of each partition.
    ///   - maximumPartitions: The bound on buckets held.
    /// - Throws: ``ResilienceError/Code/invalidConfiguration`` for out-of-range settings.
    public convenience init(
        _ configuration: RateLimiterConfiguration = .init(), maximumPartitions: Int = 10_000
    ) throws(ResilienceError) {
        try self.init(configuration, maximumPartitions: maximumPartitions, clock: ContinuousClock())
    }
}

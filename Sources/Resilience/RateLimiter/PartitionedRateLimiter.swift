import ETRMShared

/// A token bucket per key (client, desk, API key), in a table of bounded size that no key can escape.
///
/// Each key gets its own bucket with the same ``RateLimiterConfiguration``, created on first use. At most
/// ``PartitionedRateLimiterConfiguration/maximumPartitions`` partitions are held:
/// - A partition is *idle* once its bucket has refilled to capacity: it is then indistinguishable from a new
///   one, so dropping it loses nothing.
/// - A new key at a full table takes the place of the partition that has been idle longest (``evictions``).
/// - A partition with spent tokens (*throttled*) is never dropped. When every partition is throttled, a new key
///   is refused (``refusedNewKeys``): ``tryAcquire(_:permits:)`` answers `.rejected` with the time until the
///   first partition is idle again, ``acquire(_:permits:)`` throws ``ResilienceError/Code/rateLimited``.
///   Sending many new names therefore cannot hand an exhausted key a fresh bucket, and the table never grows.
///
/// A partition is throttled for at most one refill time (capacity ÷ refill rate) after its last call, so new
/// keys are refused only while more than `maximumPartitions` keys have been active within that time: size the
/// bound above that. (The settlement gateway's default, 10,000 desks of 200 tokens at 100 a second, refuses a
/// new desk only when more than 10,000 desks called within 2 s.)
///
/// - Complexity: O(1) per call for a key already held. A new key at a full table costs amortised O(log n) in
///   the number of partitions: the partitions are kept in a binary heap by the time their buckets are full
///   again, which a call only moves later, so the heap is corrected lazily when a new key needs room.
public final class PartitionedRateLimiter<Key: Hashable & Sendable, C: Clock>: Sendable where C.Duration == Duration {
    /// The settings type (``PartitionedRateLimiterConfiguration``).
    public typealias Configuration = PartitionedRateLimiterConfiguration

    /// A partition's place in the idle order: a lower bound of when its bucket is full again.
    @usableFromInline
    struct Entry: Sendable {
        @usableFromInline var fullAt: C.Instant
        @usableFromInline var key: Key

        @usableFromInline
        init(fullAt: C.Instant, key: Key) {
            self.fullAt = fullAt
            self.key = key
        }
    }

    @usableFromInline
    enum Outcome {
        case acquired
        case rejected(retryAfter: Duration)
        case tableFull(retryAfter: Duration)
    }

    // Inlinable, like `RateLimiter`'s fast path, so that a caller's concrete key and clock specialise it: generic
    // code would handle each heap entry through metadata (and allocate for it).
    @usableFromInline
    struct State: Sendable {
        @usableFromInline var buckets: [Key: TokenBucket<C.Instant>] = [:]
        /// One entry per partition, a min-heap on `fullAt`.
        @usableFromInline var idleOrder: [Entry] = []
        @usableFromInline var evictions = 0
        @usableFromInline var refusedNewKeys = 0
        /// Heap entries inspected to make room: the work that must stay amortised O(1) per call.
        @usableFromInline var examined = 0

        @usableFromInline
        init() {}

        @inlinable
        mutating func push(_ entry: Entry) {
            idleOrder.append(entry)
            var child = idleOrder.count - 1
            while child > 0 {
                let parent = (child - 1) / 2
                guard idleOrder[child].fullAt < idleOrder[parent].fullAt else { break }
                idleOrder.swapAt(child, parent)
                child = parent
            }
        }

        @inlinable
        mutating func removeFirst() {
            idleOrder.swapAt(0, idleOrder.count - 1)
            idleOrder.removeLast()
            siftDownFirst()
        }

        @inlinable
        mutating func siftDownFirst() {
            var parent = 0
            while true {
                let left = 2 * parent + 1
                guard left < idleOrder.count else { return }
                let right = left + 1
                let child = right < idleOrder.count && idleOrder[right].fullAt < idleOrder[left].fullAt ? right : left
                guard idleOrder[child].fullAt < idleOrder[parent].fullAt else { return }
                idleOrder.swapAt(child, parent)
                parent = child
            }
        }

        /// Drops the partition idle longest, or returns the time until one is idle when none is.
        @inlinable
        mutating func makeRoom(now: C.Instant) -> Duration? {
            while let first = idleOrder.first, let bucket = buckets[first.key] {
                examined += 1
                let fullAt = bucket.fullAt
                if fullAt != first.fullAt {
                    // Used since it was queued: move it to its true place (at most once per call that used it).
                    idleOrder[0].fullAt = fullAt
                    siftDownFirst()
                } else if fullAt <= now {
                    buckets[first.key] = nil
                    removeFirst()
                    evictions += 1
                    return nil
                } else {
                    return now.duration(to: fullAt)
                }
            }
            return nil
        }
    }

    /// The settings: each partition's bucket and the bound on partitions held.
    public let configuration: PartitionedRateLimiterConfiguration
    /// Each partition's settings (``PartitionedRateLimiterConfiguration/partition``), kept apart for the hot path.
    @usableFromInline let partition: RateLimiterConfiguration
    /// The most partitions held (``PartitionedRateLimiterConfiguration/maximumPartitions``).
    @usableFromInline let maximumPartitions: Int
    /// The clock.
    public let clock: C
    @usableFromInline let state = LockedState(State())

    /// Creates an empty limiter.
    /// - Parameters:
    ///   - configuration: The settings of each partition and the bound on partitions held.
    ///   - clock: The clock.
    /// - Throws: ``ResilienceError/Code/invalidConfiguration`` for out-of-range settings.
    public init(_ configuration: PartitionedRateLimiterConfiguration = .init(), clock: C) throws(ResilienceError) {
        try configuration.validate()
        self.configuration = configuration
        self.partition = configuration.partition
        self.maximumPartitions = configuration.maximumPartitions
        self.clock = clock
    }

    /// Takes `permits` tokens from `key`'s bucket if they are there.
    /// - Parameters:
    ///   - key: The partition (client, desk).
    ///   - permits: The tokens wanted, in `1...capacity`.
    /// - Returns: Acquired, or rejected with the `Retry-After` for this key: the time until its bucket holds
    ///   `permits` tokens or, for a new key while every partition is throttled, until one partition is idle.
    /// - Throws: ``ResilienceError/Code/invalidArgument`` for permits out of range.
    @inlinable
    public func tryAcquire(_ key: Key, permits: Int = 1) throws(ResilienceError) -> RateLimiter<C>.Decision {
        switch try decide(key, permits: permits) {
        case .acquired: .acquired
        case .rejected(let retryAfter), .tableFull(let retryAfter): .rejected(retryAfter: retryAfter)
        }
    }

    /// Takes `permits` tokens from `key`'s bucket or throws.
    /// - Parameters:
    ///   - key: The partition (client, desk).
    ///   - permits: The tokens wanted, in `1...capacity`.
    /// - Throws: ``ResilienceError/Code/rateLimited`` with `retryAfter` when `key`'s bucket lacks the tokens or
    ///   `key` is new and every partition is throttled (the message says which);
    ///   ``ResilienceError/Code/invalidArgument`` for permits out of range.
    @inlinable
    public func acquire(_ key: Key, permits: Int = 1) throws(ResilienceError) {
        switch try decide(key, permits: permits) {
        case .acquired:
            return
        case .rejected(let retryAfter):
            throw ResilienceError(
                code: .rateLimited,
                message: "rate limiter '\(partition.name)': partition '\(key)' has fewer than \(permits) tokens",
                retryAfter: retryAfter)
        case .tableFull(let retryAfter):
            throw ResilienceError(
                code: .rateLimited,
                message: "rate limiter '\(partition.name)': all \(maximumPartitions) partitions are throttled "
                    + "(maximumPartitions), so the new key '\(key)' is refused until one has refilled",
                retryAfter: retryAfter)
        }
    }

    @inlinable
    func decide(_ key: Key, permits: Int) throws(ResilienceError) -> Outcome {
        try partition.checkPermits(permits)
        let now = clock.now
        let wanted = Double(permits)
        let outcome: Outcome = state.withLock { state in
            if let index = state.buckets.index(forKey: key) {
                return switch state.buckets.values[index].tryAcquire(wanted, now: now) {
                case .acquired: .acquired
                case .rejected(let retryAfter): .rejected(retryAfter: retryAfter)
                }
            }
            if state.buckets.count >= maximumPartitions, let wait = state.makeRoom(now: now) {
                state.refusedNewKeys += 1
                return .tableFull(retryAfter: wait)
            }
            // A new bucket is full and `permits` is at most its capacity: the call is granted.
            var bucket = TokenBucket(
                capacity: Double(partition.capacity), refillPerSecond: partition.refillPerSecond, now: now)
            _ = bucket.tryAcquire(wanted, now: now)
            state.buckets[key] = bucket
            state.push(Entry(fullAt: bucket.fullAt, key: key))
            return .acquired
        }
        switch outcome {
        case .acquired:
            break
        case .rejected(let retryAfter), .tableFull(let retryAfter):
            partition.observer.emit(
                ResilienceEvent(
                    source: partition.name, kind: .rejected, rejection: .rateLimited, retryAfter: retryAfter))
        }
        return outcome
    }

    /// The number of partitions held.
    public var partitionCount: Int { state.withLock { $0.buckets.count } }

    /// How many idle partitions were dropped to make room for new keys (dropping one loses nothing: its bucket
    /// had refilled).
    public var evictions: Int { state.withLock { $0.evictions } }

    /// How many new keys were refused because every partition was throttled.
    public var refusedNewKeys: Int { state.withLock { $0.refusedNewKeys } }

    /// Heap entries inspected to make room for new keys (for tests of the amortised cost).
    var partitionsExamined: Int { state.withLock { $0.examined } }
}

extension PartitionedRateLimiter where C == ContinuousClock {
    /// Creates an empty limiter on the continuous clock.
    /// - Parameter configuration: The settings of each partition and the bound on partitions held.
    /// - Throws: ``ResilienceError/Code/invalidConfiguration`` for out-of-range settings.
    public convenience init(_ configuration: PartitionedRateLimiterConfiguration = .init()) throws(ResilienceError) {
        try self.init(configuration, clock: ContinuousClock())
    }
}

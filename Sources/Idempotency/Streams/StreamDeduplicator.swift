/// Drops ids already seen within a time window: the trade-feed de-duplicator that replaces a Redis set with
/// a 24-hour TTL.
///
/// ```swift
/// var deduplicator = StreamDeduplicator<String, ContinuousClock>(clock: ContinuousClock())
/// for trade in page where deduplicator.admit(trade.tradeID) { forward(trade) }
/// print(deduplicator.statistics.droppedDuplicates)
/// ```
///
/// Memory is bounded: ids sit in time buckets that rotate on the clock (an id is remembered from its first
/// sighting for at least ``Configuration-swift.struct/window`` and at most one bucket longer), and at most
/// ``Configuration-swift.struct/maximumTrackedIDs`` are held: past that the oldest bucket is forgotten early
/// and counted in ``Statistics-swift.struct/forgottenEarly``. A duplicate does not extend the window, as a
/// `SET NX EX` would not.
///
/// `String` ids compare by their UTF-8 bytes, not by Swift's canonical equivalence: a precomposed `"é"` and
/// an `"e"` with a combining accent are two different ids.
///
/// A value type: one owner calls ``admit(_:)``; wrap it in a `Mutex` or an actor to share it.
public struct StreamDeduplicator<ID: Hashable, C: Clock> where C.Duration == Duration {
    /// Settings for a ``StreamDeduplicator``.
    public struct Configuration: Sendable {
        /// How long an id is remembered; 24 hours by default.
        public var window: Duration
        /// The number of time buckets the window is cut into; 24 by default.
        public var bucketCount: Int
        /// The most ids held at once; 10 million by default.
        public var maximumTrackedIDs: Int

        /// Creates a configuration.
        ///
        /// - Parameters:
        ///   - window: How long an id is remembered.
        ///   - bucketCount: The number of buckets (at least 1).
        ///   - maximumTrackedIDs: The most ids held (at least 1).
        public init(window: Duration = .seconds(86_400), bucketCount: Int = 24, maximumTrackedIDs: Int = 10_000_000) {
            self.window = window
            self.bucketCount = bucketCount
            self.maximumTrackedIDs = maximumTrackedIDs
        }
    }

    /// What the de-duplicator has done so far.
    public struct Statistics: Hashable, Sendable {
        /// Ids admitted (first sighting within the window).
        public var admitted = 0
        /// Ids dropped as duplicates.
        public var droppedDuplicates = 0
        /// Ids forgotten before their window ended because ``Configuration-swift.struct/maximumTrackedIDs``
        /// was reached.
        public var forgottenEarly = 0
    }

    private var memory: ClockedIDMemory<ID, Void, C>
    private var counts = Statistics()

    /// Creates a de-duplicator.
    ///
    /// - Parameters:
    ///   - configuration: Window, buckets and bound.
    ///   - clock: The clock the window rotates on.
    /// - Throws: ``IdempotencyError/Code/invalidArgument`` for a non-positive window, bucket count or bound.
    public init(configuration: Configuration = .init(), clock: C) throws(IdempotencyError) {
        memory = try ClockedIDMemory(
            clock: clock, window: configuration.window, bucketCount: configuration.bucketCount,
            maximumTrackedIDs: configuration.maximumTrackedIDs)
    }

    /// Admits `id` if it was not seen within the window.
    ///
    /// - Parameter id: The trade id.
    /// - Returns: `true` for a first sighting (forward it), `false` for a duplicate (drop it).
    public mutating func admit(_ id: ID) -> Bool {
        if memory.lookUp(id) != nil {
            counts.droppedDuplicates += 1
            return false
        }
        memory.touch(id, value: ())
        counts.admitted += 1
        return true
    }

    /// The elements of `elements` whose ids are first sightings, in order.
    ///
    /// - Parameters:
    ///   - elements: The records.
    ///   - id: The id of a record.
    /// - Returns: The records to forward.
    public mutating func admitted<S: Sequence>(_ elements: S, id: (S.Element) -> ID) -> [S.Element] {
        elements.filter { admit(id($0)) }
    }

    /// The ids currently remembered.
    public var trackedCount: Int { memory.memory.values.count }

    /// What the de-duplicator has done so far.
    public var statistics: Statistics {
        var counts = self.counts
        counts.forgottenEarly = memory.memory.forgottenEarly
        return counts
    }
}

extension StreamDeduplicator: Sendable where ID: Sendable {}

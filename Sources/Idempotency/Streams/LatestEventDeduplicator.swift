/// Keeps only the latest event per id: an amendment (a later event time) passes, a replay or an older
/// version is dropped. The keep-latest variant of ``StreamDeduplicator`` for trade feeds that amend.
///
/// ```swift
/// var latest = LatestEventDeduplicator<String, Int64, ContinuousClock>(clock: ContinuousClock())
/// switch latest.admit("T-1", eventTime: trade.eventTimeNanos) {
/// case .first, .newer: upsert(trade)
/// case .stale: break  // a duplicate or an out-of-order older version
/// }
/// ```
///
/// Memory rotates like ``StreamDeduplicator``'s, except that an id's window restarts at its latest admitted
/// event. For a finished batch, ``keepLatest(_:id:eventTime:)`` needs no clock.
public struct LatestEventDeduplicator<ID: Hashable, EventTime: Comparable, C: Clock> where C.Duration == Duration {
    /// What ``admit(_:eventTime:)`` decided.
    public enum Decision: Hashable, Sendable {
        /// The id was not seen within the window.
        case first
        /// A later event for a known id: an amendment.
        case newer
        /// An event not later than the latest seen for the id: drop it.
        case stale
    }

    /// What the de-duplicator has done so far.
    public struct Statistics: Hashable, Sendable {
        /// First sightings admitted.
        public var first = 0
        /// Amendments admitted.
        public var newer = 0
        /// Duplicates and older versions dropped.
        public var droppedStale = 0
        /// Ids forgotten before their window ended because the bound was reached.
        public var forgottenEarly = 0
    }

    private let clock: C
    private let origin: C.Instant
    private var memory: WindowedIDMemory<ID, EventTime>
    private var counts = Statistics()

    /// Creates a de-duplicator.
    ///
    /// - Parameters:
    ///   - clock: The clock the window rotates on.
    ///   - configuration: Window, buckets and bound (shared with ``StreamDeduplicator``).
    /// - Throws: ``IdempotencyError/Code/invalidArgument`` for a non-positive window, bucket count or bound.
    public init(
        clock: C, configuration: StreamDeduplicator<ID, C>.Configuration = .init()
    ) throws(IdempotencyError) {
        try IdempotencyRules.checkPositive(configuration.window, "window")
        guard configuration.bucketCount >= 1, configuration.maximumTrackedIDs >= 1 else {
            throw IdempotencyError(
                code: .invalidArgument, message: "bucketCount and maximumTrackedIDs must be at least 1")
        }
        self.clock = clock
        origin = clock.now
        memory = WindowedIDMemory(
            window: configuration.window, bucketCount: configuration.bucketCount,
            maximumCount: configuration.maximumTrackedIDs, originNanoseconds: 0)
    }

    /// Decides whether the event for `id` at `eventTime` is new, an amendment or stale.
    ///
    /// - Parameters:
    ///   - id: The trade id.
    ///   - eventTime: The event's time (or version).
    /// - Returns: The decision; only ``Decision/stale`` events should be dropped.
    public mutating func admit(_ id: ID, eventTime: EventTime) -> Decision {
        memory.rotate(to: origin.duration(to: clock.now).clampedNanoseconds)
        guard let latest = memory.value(for: id) else {
            memory.touch(id, value: eventTime)
            counts.first += 1
            return .first
        }
        guard eventTime > latest else {
            counts.droppedStale += 1
            return .stale
        }
        memory.touch(id, value: eventTime)
        counts.newer += 1
        return .newer
    }

    /// What the de-duplicator has done so far.
    public var statistics: Statistics {
        var counts = self.counts
        counts.forgottenEarly = memory.forgottenEarly
        return counts
    }

    /// Keeps the latest event per id of a finished batch, in the order the kept records appeared. Of events
    /// with equal latest times the first is kept.
    ///
    /// - Parameters:
    ///   - records: The batch.
    ///   - id: The id of a record.
    ///   - eventTime: The event time of a record.
    /// - Returns: The kept records and how many were dropped.
    public static func keepLatest<S: Sequence>(
        _ records: S, id: (S.Element) -> ID, eventTime: (S.Element) -> EventTime
    ) -> (kept: [S.Element], dropped: Int) {
        let all = Array(records)
        var winner: [ID: Int] = [:]
        for (index, record) in all.enumerated() {
            let key = id(record)
            if let current = winner[key], eventTime(all[current]) >= eventTime(record) { continue }
            winner[key] = index
        }
        let keep = Set(winner.values)
        let kept = all.indices.filter { keep.contains($0) }.map { all[$0] }
        return (kept, all.count - kept.count)
    }
}

extension LatestEventDeduplicator: Sendable where ID: Sendable, EventTime: Sendable {}

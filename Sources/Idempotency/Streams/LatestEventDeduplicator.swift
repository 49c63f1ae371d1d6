/// Keeps only the latest event per id: an amendment (a later event time) passes, an older version is
/// dropped. The keep-latest variant of ``StreamDeduplicator`` for trade feeds that amend.
///
/// Ties go to the later arrival, as in TradeFrame's keep-latest: an event whose time equals the latest seen
/// for its id passes as ``Decision/newer`` and replaces it (upserting a replay of the same event changes
/// nothing). `String` ids compare by their UTF-8 bytes, not by Swift's canonical equivalence: a precomposed
/// `"é"` and an `"e"` with a combining accent are two different ids.
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
        /// An event for a known id at or after the latest seen for it: an amendment (on equal times, the later
        /// arrival wins).
        case newer
        /// An event earlier than the latest seen for the id: drop it.
        case stale
    }

    /// What the de-duplicator has done so far.
    public struct Statistics: Hashable, Sendable {
        /// First sightings admitted.
        public var first = 0
        /// Amendments admitted.
        public var newer = 0
        /// Older versions dropped.
        public var droppedStale = 0
        /// Ids forgotten before their window ended because the bound was reached.
        public var forgottenEarly = 0
    }

    private var memory: ClockedIDMemory<ID, EventTime, C>
    private var counts = Statistics()

    /// Creates a de-duplicator.
    ///
    /// - Parameters:
    ///   - configuration: Window, buckets and bound (shared with ``StreamDeduplicator``).
    ///   - clock: The clock the window rotates on.
    /// - Throws: ``IdempotencyError/Code/invalidArgument`` for a non-positive window, bucket count or bound.
    public init(
        configuration: StreamDeduplicator<ID, C>.Configuration = .init(), clock: C
    ) throws(IdempotencyError) {
        memory = try ClockedIDMemory(
            clock: clock, window: configuration.window, bucketCount: configuration.bucketCount,
            maximumTrackedIDs: configuration.maximumTrackedIDs)
    }

    /// Decides whether the event for `id` at `eventTime` is new, an amendment or stale.
    ///
    /// - Parameters:
    ///   - id: The trade id.
    ///   - eventTime: The event's time (or version).
    /// - Returns: The decision; only ``Decision/stale`` events should be dropped.
    public mutating func admit(_ id: ID, eventTime: EventTime) -> Decision {
        guard let latest = memory.lookUp(id) else {
            memory.touch(id, value: eventTime)
            counts.first += 1
            return .first
        }
        guard eventTime >= latest else {
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
        counts.forgottenEarly = memory.memory.forgottenEarly
        return counts
    }

    /// Keeps the latest event per id of a finished batch, in the order the kept records appeared. Of events
    /// with equal latest times the later one in the batch is kept; ids compare as ``admit(_:eventTime:)``'s do.
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
        var winner: [ExactID<ID>: Int] = [:]
        for (index, record) in all.enumerated() {
            let key = ExactID(id(record))
            if let current = winner[key], eventTime(all[current]) > eventTime(record) { continue }
            winner[key] = index
        }
        let keep = Set(winner.values)
        let kept = all.indices.filter { keep.contains($0) }.map { all[$0] }
        return (kept, all.count - kept.count)
    }
}

extension LatestEventDeduplicator: Sendable where ID: Sendable, EventTime: Sendable {}

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Instants that keep their meaning across process restarts, as a ``JournalIdempotencyStore`` needs: it
/// writes lease ends and TTL ends to disk and reads them back after a restart.
public protocol JournalTimestamp: InstantProtocol where Duration == Swift.Duration {
    /// The instant as nanoseconds on a time line that survives restarts (Unix time for ``WallClock``).
    var journalNanoseconds: Int64 { get }
    /// Rebuilds an instant from ``journalNanoseconds``.
    ///
    /// - Parameter journalNanoseconds: The stored nanoseconds.
    init(journalNanoseconds: Int64)
}

/// The system's real-time clock (`CLOCK_REALTIME`): the default clock of a ``JournalIdempotencyStore``,
/// because its instants mean the same after a restart.
///
/// Wall time can be stepped by NTP or an operator; a step moves every lease and TTL end with it, which is the
/// same exposure a Redis `EXPIRE` has.
public struct WallClock: Clock, Sendable {
    /// A moment as nanoseconds since 1970-01-01T00:00:00Z.
    public struct Instant: JournalTimestamp, Hashable, Sendable {
        /// Nanoseconds since the Unix epoch.
        public var nanosecondsSinceEpoch: Int64

        /// Creates an instant.
        ///
        /// - Parameter nanosecondsSinceEpoch: Nanoseconds since the Unix epoch.
        public init(nanosecondsSinceEpoch: Int64) { self.nanosecondsSinceEpoch = nanosecondsSinceEpoch }

        public init(journalNanoseconds: Int64) { nanosecondsSinceEpoch = journalNanoseconds }

        public var journalNanoseconds: Int64 { nanosecondsSinceEpoch }

        public func advanced(by duration: Duration) -> Instant {
            Instant(nanosecondsSinceEpoch: nanosecondsSinceEpoch.addingClamped(duration.clampedNanoseconds))
        }

        public func duration(to other: Instant) -> Duration {
            .nanoseconds(other.nanosecondsSinceEpoch.subtractingClamped(nanosecondsSinceEpoch))
        }

        public static func < (lhs: Instant, rhs: Instant) -> Bool {
            lhs.nanosecondsSinceEpoch < rhs.nanosecondsSinceEpoch
        }
    }

    /// Creates the clock.
    public init() {}

    public var now: Instant {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Instant(nanosecondsSinceEpoch: Int64(spec.tv_sec) * 1_000_000_000 + Int64(spec.tv_nsec))
    }

    public var minimumResolution: Duration { .nanoseconds(1) }

    public func sleep(until deadline: Instant, tolerance: Duration? = nil) async throws {
        let remaining = now.duration(to: deadline)
        if remaining > .zero { try await ContinuousClock().sleep(for: remaining, tolerance: tolerance) }
    }
}

extension Duration {
    /// The duration in whole nanoseconds, clamped to the `Int64` range.
    var clampedNanoseconds: Int64 {
        let (seconds, attoseconds) = components
        let (scaled, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        if overflow { return seconds < 0 ? .min : .max }
        return scaled.addingClamped(attoseconds / 1_000_000_000)
    }
}

extension Int64 {
    func subtractingClamped(_ other: Int64) -> Int64 {
        let (difference, overflow) = subtractingReportingOverflow(other)
        if overflow { return other < 0 ? .max : .min }
        return difference
    }

    func addingClamped(_ other: Int64) -> Int64 {
        let (sum, overflow) = addingReportingOverflow(other)
        if overflow { return other < 0 ? .min : .max }
        return sum
    }
}

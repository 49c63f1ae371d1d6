import Synchronization

/// Counters of a ``Retry``, shared by every call through it; set ``RetryConfiguration/metrics`` to collect
/// them (a retry without counters pays nothing for them).
///
/// ```swift
/// let counters = RetryMetrics()
/// let retry = try Retry(.init(maxAttempts: 4, metrics: counters))
/// // … later, for a health endpoint or a metrics scrape:
/// let snapshot = counters.snapshot   // calls 1200, retries 31, gave up 2
/// ```
public final class RetryMetrics: Sendable {
    /// The counters at one moment.
    public struct Snapshot: Sendable, Equatable {
        /// Calls started.
        public var calls: Int
        /// Retries scheduled (attempts after the first).
        public var retries: Int
        /// Calls that ended because the retry gave up (the last error was thrown, or the last result returned).
        public var gaveUp: Int

        /// Creates a snapshot.
        /// - Parameters:
        ///   - calls: Calls started.
        ///   - retries: Retries scheduled.
        ///   - gaveUp: Calls the retry gave up on.
        public init(calls: Int, retries: Int, gaveUp: Int) {
            self.calls = calls
            self.retries = retries
            self.gaveUp = gaveUp
        }
    }

    private let calls = Atomic<Int>(0)
    private let retries = Atomic<Int>(0)
    private let gaveUp = Atomic<Int>(0)

    /// Creates zeroed counters.
    public init() {}

    @usableFromInline func recordCall() { calls.wrappingAdd(1, ordering: .relaxed) }
    @usableFromInline func recordRetry() { retries.wrappingAdd(1, ordering: .relaxed) }
    @usableFromInline func recordGiveUp() { gaveUp.wrappingAdd(1, ordering: .relaxed) }

    /// The counters now (each read atomically; the three are not one transaction).
    public var snapshot: Snapshot {
        Snapshot(
            calls: calls.load(ordering: .relaxed), retries: retries.load(ordering: .relaxed),
            gaveUp: gaveUp.load(ordering: .relaxed))
    }
}

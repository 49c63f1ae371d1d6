/// The settings of a ``CircuitBreaker``.
///
/// The defaults are the seeds' breaker (open after 5 consecutive failures, stay open 300 s) with one
/// half-open probe leased for 30 s.
public struct CircuitBreakerConfiguration: Sendable {
    /// How failures are counted.
    public struct Mode: Sendable, Equatable {
        enum Kind: Sendable, Equatable {
            case consecutiveFailures(Int)
            case countWindow(size: Int)
            case timeWindow(duration: Duration, buckets: Int)
        }
        let kind: Kind

        /// Open after `threshold` failures in a row (a success resets the count). Rate thresholds and
        /// ``CircuitBreakerConfiguration/minimumCalls`` do not apply.
        /// - Parameter threshold: The failures in a row that open the breaker, at least 1.
        /// - Returns: The mode.
        public static func consecutiveFailures(_ threshold: Int) -> Mode { Mode(kind: .consecutiveFailures(threshold)) }

        /// Open when, over the last `size` calls, the failure rate or slow-call rate reaches its threshold
        /// (once at least ``CircuitBreakerConfiguration/minimumCalls`` calls, or `size` if that is fewer, are in
        /// the window).
        /// - Parameter size: The number of calls in the window, at least 1.
        /// - Returns: The mode.
        public static func countWindow(size: Int) -> Mode { Mode(kind: .countWindow(size: size)) }

        /// Open when, over the last `duration`, the failure rate or slow-call rate reaches its threshold (once
        /// at least ``CircuitBreakerConfiguration/minimumCalls`` calls are in the window, which at low traffic may
        /// never happen). The window slides in `buckets` steps: memory is `buckets` counters whatever the traffic.
        /// - Parameters:
        ///   - duration: The window's length.
        ///   - buckets: The number of steps it slides in (1...3600).
        /// - Returns: The mode.
        public static func timeWindow(_ duration: Duration, buckets: Int = 10) -> Mode {
            Mode(kind: .timeWindow(duration: duration, buckets: buckets))
        }
    }

    /// The name in this breaker's events.
    public var name: String
    /// How failures are counted. Default five consecutive failures.
    public var mode: Mode
    /// In a window mode, the failure rate (0...1) at or above which the breaker opens. Default 0.5.
    public var failureRateThreshold: Double
    /// In a window mode, the slow-call rate (0...1) at or above which the breaker opens. Default 1 (every call
    /// slow). Only used when ``slowCallDuration`` is set.
    public var slowCallRateThreshold: Double
    /// A call that takes at least this long is slow. `nil` (the default) disables slow-call tracking and the
    /// clock reads it needs.
    public var slowCallDuration: Duration?
    /// In a window mode, the fewest calls in the window before any rate is evaluated. Default 20.
    ///
    /// A count window smaller than this uses its size instead (``effectiveMinimumCalls``): `countWindow(size:
    /// 10)` opens once its 10 calls reach the thresholds. A time window holds as many calls as the traffic
    /// brings, so no check can tell whether it will reach the minimum: at fewer calls per window than this,
    /// the breaker never opens. Keep it below the calls the window sees at the quietest time it must protect.
    public var minimumCalls: Int
    /// How long the breaker stays open before admitting probes. Default 300 s.
    public var openDuration: Duration
    /// How many probes the half-open state admits at once, and how many must succeed to close. Default 1.
    public var halfOpenProbes: Int
    /// The longest a probe's permit is held. A probe that has not reported by then loses its permit, which
    /// goes to the next caller, so a hung probe cannot wedge the breaker. Default 30 s.
    public var probeLease: Duration
    /// Classifies a thrown error. The default ignores `CancellationError` and counts every other error as a
    /// failure.
    public var classifyError: @Sendable (any Error) -> CircuitBreakerOutcome
    /// Receives this breaker's events. Default none.
    public var observer: (any ResilienceObserver)?

    /// Creates a configuration; every argument has a default.
    /// - Parameters:
    ///   - name: The name in events.
    ///   - mode: How failures are counted.
    ///   - failureRateThreshold: The failure rate that opens (window modes).
    ///   - slowCallRateThreshold: The slow-call rate that opens (window modes).
    ///   - slowCallDuration: The duration from which a call is slow, if tracked.
    ///   - minimumCalls: The calls needed before rates count (window modes).
    ///   - openDuration: The time spent open.
    ///   - halfOpenProbes: The probes admitted when half-open.
    ///   - probeLease: The longest a probe's permit is held.
    ///   - observer: The event observer.
    ///   - classifyError: The error classifier.
    public init(
        name: String = "circuit-breaker",
        mode: Mode = .consecutiveFailures(5),
        failureRateThreshold: Double = 0.5,
        slowCallRateThreshold: Double = 1,
        slowCallDuration: Duration? = nil,
        minimumCalls: Int = 20,
        openDuration: Duration = .seconds(300),
        halfOpenProbes: Int = 1,
        probeLease: Duration = .seconds(30),
        observer: (any ResilienceObserver)? = nil,
        classifyError: @escaping @Sendable (any Error) -> CircuitBreakerOutcome = CircuitBreakerConfiguration
            .defaultClassification
    ) {
        self.name = name
        self.mode = mode
        self.failureRateThreshold = failureRateThreshold
        self.slowCallRateThreshold = slowCallRateThreshold
        self.slowCallDuration = slowCallDuration
        self.minimumCalls = minimumCalls
        self.openDuration = openDuration
        self.halfOpenProbes = halfOpenProbes
        self.probeLease = probeLease
        self.observer = observer
        self.classifyError = classifyError
    }

    /// The default classifier: `CancellationError` is ignored, every other error is a failure.
    /// - Parameter error: The thrown error.
    /// - Returns: ``CircuitBreakerOutcome/ignored`` or ``CircuitBreakerOutcome/failure``.
    @Sendable public static func defaultClassification(_ error: any Error) -> CircuitBreakerOutcome {
        error is CancellationError ? .ignored : .failure
    }

    /// The fewest calls the breaker waits for before it evaluates a window's rates: ``minimumCalls``, capped at a
    /// count window's size. A count window never holds more calls than its size, so a larger minimum would keep
    /// the breaker closed through any number of failures; resilience4j caps it the same way. A time window's
    /// minimum stands as configured (see ``minimumCalls``).
    public var effectiveMinimumCalls: Int {
        if case .countWindow(let size) = mode.kind { return min(minimumCalls, size) }
        return minimumCalls
    }

    func validate() throws(ResilienceError) {
        switch mode.kind {
        case .consecutiveFailures(let threshold):
            guard threshold >= 1 else {
                throw .invalidConfiguration("consecutive-failure threshold must be at least 1 (got \(threshold))")
            }
        case .countWindow(let size):
            guard (1...1_000_000).contains(size) else {
                throw .invalidConfiguration("count window size must be in 1...1000000 (got \(size))")
            }
        case .timeWindow(let duration, let buckets):
            guard duration > .zero else {
                throw .invalidConfiguration("time window duration must be positive (got \(duration))")
            }
            guard (1...3600).contains(buckets) else {
                throw .invalidConfiguration("time window buckets must be in 1...3600 (got \(buckets))")
            }
        }
        for (field, value) in [
            ("failureRateThreshold", failureRateThreshold), ("slowCallRateThreshold", slowCallRateThreshold),
        ] {
            guard value.isFinite, (0...1).contains(value) else {
                throw .invalidConfiguration("circuit breaker \(field) must be in 0...1 (got \(value))")
            }
        }
        if let slowCallDuration, slowCallDuration <= .zero {
            throw .invalidConfiguration("slowCallDuration must be positive (got \(slowCallDuration))")
        }
        guard minimumCalls >= 1 else {
            throw .invalidConfiguration("minimumCalls must be at least 1 (got \(minimumCalls))")
        }
        guard openDuration >= .zero else {
            throw .invalidConfiguration("openDuration must not be negative (got \(openDuration))")
        }
        guard halfOpenProbes >= 1 else {
            throw .invalidConfiguration("halfOpenProbes must be at least 1 (got \(halfOpenProbes))")
        }
        guard probeLease > .zero else {
            throw .invalidConfiguration("probeLease must be positive (got \(probeLease))")
        }
    }
}

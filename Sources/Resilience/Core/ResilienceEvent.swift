/// Something a strategy did, reported to a ``ResilienceObserver``.
///
/// Events carry the ``source`` (the strategy's configured name, for example `"etrm.trades.retry"`) so one
/// observer can serve many strategies, and a ``kind``, whose ``Kind/rawValue`` (``name``) is a stable,
/// low-cardinality string suitable as a metric label. The details of the event are in the fields its kind
/// documents; the other fields are `nil`.
///
/// ```swift
/// ClosureObserver { event in
///     if event.kind == .retryScheduled, let delay = event.delay { logger.info("retry in \(delay)") }
/// }
/// ```
public struct ResilienceEvent: Sendable, CustomStringConvertible {
    /// What happened: an open set of stable names.
    ///
    /// Kinds are static members rather than enum cases, so a new kind in a later release does not break a
    /// `switch` over them (which needs a `default:`). A service may define kinds of its own with ``init(_:)``.
    public struct Kind: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        /// The kind as it appears in logs and metric labels, in `snake_case`.
        public let rawValue: String

        /// Creates a kind from its name.
        /// - Parameter rawValue: The name, in `snake_case`.
        public init(rawValue: String) { self.rawValue = rawValue }

        /// Creates a kind from its name.
        /// - Parameter rawValue: The name, in `snake_case`.
        public init(_ rawValue: String) { self.rawValue = rawValue }

        public var description: String { rawValue }

        /// ``Retry`` started attempt ``ResilienceEvent/attempt`` (1 for the first call).
        public static let attemptStarted = Kind("attempt_started")
        /// Attempt ``ResilienceEvent/attempt`` failed with ``ResilienceEvent/error`` (`nil` when the attempt
        /// returned a result the retry treats as a failure).
        public static let attemptFailed = Kind("attempt_failed")
        /// ``Retry`` will start attempt ``ResilienceEvent/attempt`` + 1 after ``ResilienceEvent/delay``;
        /// ``ResilienceEvent/fromServerHint`` is true when the delay came from a `Retry-After` style hint rather
        /// than the backoff.
        public static let retryScheduled = Kind("retry_scheduled")
        /// ``Retry`` stopped after ``ResilienceEvent/attempt`` attempts for ``ResilienceEvent/giveUpReason``.
        public static let retryGaveUp = Kind("retry_gave_up")
        /// A ``CircuitBreaker`` changed state from ``ResilienceEvent/previousState`` to
        /// ``ResilienceEvent/state``.
        public static let circuitStateChanged = Kind("circuit_state_changed")
        /// A strategy refused a call without running it; ``ResilienceEvent/rejection`` says which refusal and
        /// ``ResilienceEvent/retryAfter`` when to try again, if known.
        public static let rejected = Kind("rejected")
        /// A ``RateLimiter`` made a call wait ``ResilienceEvent/delay`` for tokens.
        public static let rateLimiterWaited = Kind("rate_limiter_waited")
        /// A ``Bulkhead`` queued a call at position ``ResilienceEvent/queueLength`` because all its permits were
        /// in use.
        public static let bulkheadQueued = Kind("bulkhead_queued")
        /// A ``Timeout`` cancelled an operation that ran longer than ``ResilienceEvent/timeout``, or a
        /// ``Deadline`` of ``ResilienceEvent/timeout`` refused a call that started after the deadline.
        public static let timedOut = Kind("timed_out")
        /// A ``Fallback`` replaced the error ``ResilienceEvent/error`` with its fallback value.
        public static let fallbackUsed = Kind("fallback_used")
    }

    /// The configured name of the strategy that emitted the event.
    public var source: String
    /// What happened.
    public var kind: Kind
    /// The attempt number (`attempt_started`, `attempt_failed`, `retry_scheduled`), or the attempts made
    /// (`retry_gave_up`).
    public var attempt: Int?
    /// The error of a failed attempt (`attempt_failed`) or the error a fallback replaced (`fallback_used`).
    public var error: (any Error)?
    /// How long the call waits: the delay before the next attempt (`retry_scheduled`) or the wait for tokens
    /// (`rate_limiter_waited`).
    public var delay: Duration?
    /// Whether ``delay`` came from a server's `Retry-After` style hint (`retry_scheduled`).
    public var fromServerHint: Bool
    /// Why the retry stopped (`retry_gave_up`).
    public var giveUpReason: RetryGiveUpReason?
    /// The circuit's state before the change (`circuit_state_changed`).
    public var previousState: CircuitBreakerState?
    /// The circuit's state after the change (`circuit_state_changed`).
    public var state: CircuitBreakerState?
    /// Which refusal (`rejected`): ``ResilienceError/Code/circuitOpen``, ``ResilienceError/Code/rateLimited``, …
    public var rejection: ResilienceError.Code?
    /// When a rejected call may be tried again, if the strategy knows (`rejected`).
    public var retryAfter: Duration?
    /// The queued call's position (`bulkhead_queued`).
    public var queueLength: Int?
    /// The limit that was exceeded (`timed_out`).
    public var timeout: Duration?

    /// Creates an event; give the fields the kind documents and leave the others out.
    /// - Parameters:
    ///   - source: The emitting strategy's name.
    ///   - kind: What happened.
    ///   - attempt: The attempt number, or the attempts made.
    ///   - error: The error of a failed attempt or the error a fallback replaced.
    ///   - delay: How long the call waits.
    ///   - fromServerHint: Whether `delay` came from a server's hint.
    ///   - giveUpReason: Why a retry stopped.
    ///   - previousState: A circuit's state before a change.
    ///   - state: A circuit's state after a change.
    ///   - rejection: Which refusal.
    ///   - retryAfter: When a rejected call may be tried again.
    ///   - queueLength: A queued call's position.
    ///   - timeout: The limit that was exceeded.
    public init(
        source: String, kind: Kind, attempt: Int? = nil, error: (any Error)? = nil, delay: Duration? = nil,
        fromServerHint: Bool = false, giveUpReason: RetryGiveUpReason? = nil,
        previousState: CircuitBreakerState? = nil, state: CircuitBreakerState? = nil,
        rejection: ResilienceError.Code? = nil, retryAfter: Duration? = nil, queueLength: Int? = nil,
        timeout: Duration? = nil
    ) {
        self.source = source
        self.kind = kind
        self.attempt = attempt
        self.error = error
        self.delay = delay
        self.fromServerHint = fromServerHint
        self.giveUpReason = giveUpReason
        self.previousState = previousState
        self.state = state
        self.rejection = rejection
        self.retryAfter = retryAfter
        self.queueLength = queueLength
        self.timeout = timeout
    }

    /// A stable event name (`"retry_scheduled"`, `"circuit_state_changed"`, …) for logs and metric labels: the
    /// kind's ``Kind/rawValue``.
    public var name: String { kind.rawValue }

    public var description: String {
        var details: [String] = []
        if let attempt { details.append("attempt: \(attempt)") }
        if let error { details.append("error: \(error)") }
        if let delay { details.append("delay: \(delay)") }
        if fromServerHint { details.append("fromServerHint: true") }
        if let giveUpReason { details.append("giveUpReason: \(giveUpReason)") }
        if let previousState { details.append("previousState: \(previousState)") }
        if let state { details.append("state: \(state)") }
        if let rejection { details.append("rejection: \(rejection)") }
        if let retryAfter { details.append("retryAfter: \(retryAfter)") }
        if let queueLength { details.append("queueLength: \(queueLength)") }
        if let timeout { details.append("timeout: \(timeout)") }
        return details.isEmpty ? "\(source): \(kind)" : "\(source): \(kind)(\(details.joined(separator: ", ")))"
    }
}

/// Receives the events of the strategies it is given to. A service bridges them to its logger and metrics.
///
/// `observe` is called synchronously on the calling task, outside every strategy's lock: keep it cheap (count,
/// log, or hand the event to a stream). Strategies configured without an observer build no events at all.
public protocol ResilienceObserver: Sendable {
    /// Handles one event.
    /// - Parameter event: What happened.
    func observe(_ event: ResilienceEvent)
}

/// An observer that forwards each event to a closure.
public struct ClosureObserver: ResilienceObserver {
    private let handler: @Sendable (ResilienceEvent) -> Void

    /// Creates an observer.
    /// - Parameter handler: Called with every event.
    public init(_ handler: @escaping @Sendable (ResilienceEvent) -> Void) { self.handler = handler }

    /// Forwards `event` to the closure.
    /// - Parameter event: What happened.
    public func observe(_ event: ResilienceEvent) { handler(event) }
}

extension Optional where Wrapped == any ResilienceObserver {
    /// Builds and delivers the event only when an observer is set.
    @inlinable
    func emit(_ event: @autoclosure () -> ResilienceEvent) {
        if let observer = self { observer.observe(event()) }
    }
}

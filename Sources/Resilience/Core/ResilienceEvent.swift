/// Something a strategy did, reported to a ``ResilienceObserver``.
///
/// Events carry the ``source`` (the strategy's configured name, for example `"etrm.trades.retry"`) so one
/// observer can serve many strategies. ``name`` is a stable, low-cardinality string suitable as a metric label.
public struct ResilienceEvent: Sendable, CustomStringConvertible {
    /// What happened.
    public enum Kind: Sendable {
        /// ``Retry`` started attempt `attempt` (1 for the first call).
        case attemptStarted(attempt: Int)
        /// Attempt `attempt` failed with `error` (or returned a result the retry treats as a failure: `error`
        /// is then `nil`).
        case attemptFailed(attempt: Int, error: (any Error)?)
        /// ``Retry`` will start attempt `attempt + 1` after `delay`; `fromServerHint` is true when the delay came
        /// from a `Retry-After` style hint rather than the backoff.
        case retryScheduled(attempt: Int, delay: Duration, fromServerHint: Bool)
        /// ``Retry`` stopped after `attempts` attempts for `reason`.
        case retryGaveUp(attempts: Int, reason: RetryStateMachine.GiveUpReason)
        /// A ``CircuitBreaker`` changed state.
        case circuitStateChanged(from: CircuitBreakerState, to: CircuitBreakerState)
        /// A strategy refused a call without running it; `code` says which refusal (``ResilienceError/Code``).
        case rejected(code: ResilienceError.Code, retryAfter: Duration?)
        /// A ``RateLimiter`` made a call wait `duration` for tokens.
        case rateLimiterWaited(duration: Duration)
        /// A ``Bulkhead`` queued a call because all its permits were in use.
        case bulkheadQueued(queueLength: Int)
        /// A ``Timeout`` cancelled an operation that ran longer than `timeout`.
        case timedOut(timeout: Duration)
        /// A ``Fallback`` replaced the error `error` with its fallback value.
        case fallbackUsed(error: any Error)
    }

    /// The configured name of the strategy that emitted the event.
    public var source: String
    /// What happened.
    public var kind: Kind

    /// Creates an event.
    /// - Parameters:
    ///   - source: The emitting strategy's name.
    ///   - kind: What happened.
    public init(source: String, kind: Kind) {
        self.source = source
        self.kind = kind
    }

    /// A stable event name (`"retry_scheduled"`, `"circuit_state_changed"`, …) for logs and metric labels.
    public var name: String {
        switch kind {
        case .attemptStarted: "attempt_started"
        case .attemptFailed: "attempt_failed"
        case .retryScheduled: "retry_scheduled"
        case .retryGaveUp: "retry_gave_up"
        case .circuitStateChanged: "circuit_state_changed"
        case .rejected: "rejected"
        case .rateLimiterWaited: "rate_limiter_waited"
        case .bulkheadQueued: "bulkhead_queued"
        case .timedOut: "timed_out"
        case .fallbackUsed: "fallback_used"
        }
    }

    public var description: String { "\(source): \(kind)" }
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
    func emit(_ source: String, _ kind: @autoclosure () -> ResilienceEvent.Kind) {
        if let observer = self { observer.observe(ResilienceEvent(source: source, kind: kind())) }
    }
}

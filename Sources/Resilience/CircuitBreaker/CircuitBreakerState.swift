/// The state of a ``CircuitBreaker``.
public enum CircuitBreakerState: Sendable, Hashable, CustomStringConvertible {
    /// Calls run and their outcomes are recorded; too many failures open the breaker.
    case closed
    /// Calls are rejected until the open duration ends.
    case open
    /// A limited number of probe calls run; their outcomes close or reopen the breaker.
    case halfOpen
    /// Set by hand: every call is rejected until the breaker is reset.
    case forcedOpen
    /// Set by hand: every call runs and nothing is recorded.
    case disabled
    /// Set by hand: every call runs, outcomes are recorded in the metrics, the breaker never opens.
    case metricsOnly

    public var description: String {
        switch self {
        case .closed: "closed"
        case .open: "open"
        case .halfOpen: "half-open"
        case .forcedOpen: "forced-open"
        case .disabled: "disabled"
        case .metricsOnly: "metrics-only"
        }
    }
}

/// How a call's outcome counts for a ``CircuitBreaker``.
public enum CircuitBreakerOutcome: Sendable, Hashable {
    /// The call succeeded.
    case success
    /// The call failed and counts towards opening the breaker.
    case failure
    /// The call's outcome says nothing about the upstream's health (a validation error, a cancellation):
    /// it is not recorded, and a half-open probe's permit is returned.
    case ignored
}

/// The error every Resilience strategy throws when it, rather than the protected operation, ends a call.
///
/// Errors of the protected operation pass through unchanged; a `ResilienceError` means the strategy decided
/// (the breaker is open, the limiter has no tokens, the bulkhead is full, the time ran out) or the
/// configuration was invalid. Match on ``code``:
///
/// ```swift
/// catch let error as ResilienceError where error.code == .circuitOpen {
///     respond(503, retryAfter: error.retryAfter)
/// }
/// ```
public struct ResilienceError: Error, Sendable, CustomStringConvertible, RetryAfterProviding {
    /// What went wrong. New codes may be added in minor releases; match with `==`, not an exhaustive switch.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Value: Hashable, Sendable, CaseIterable {
            case invalidConfiguration, circuitOpen, rateLimited, quotaExhausted, bulkheadFull
            case bulkheadQueueTimeout, timedOut, registryFull, invalidArgument, invalidRetryAfter
        }
        private let value: Value
        private init(_ value: Value) { self.value = value }

        /// Every code this release declares, for tests and documentation.
        package static let all = Value.allCases.map(Code.init)

        /// A configuration value is out of range; the message names the field.
        public static let invalidConfiguration = Code(.invalidConfiguration)
        /// The circuit breaker rejected the call without running it (open, forced open, or all half-open probes
        /// in use); ``ResilienceError/retryAfter`` is the time until it next admits a probe, when known.
        public static let circuitOpen = Code(.circuitOpen)
        /// The rate limiter has too few tokens (or the wait would exceed the maximum);
        /// ``ResilienceError/retryAfter`` is the wait a 429 response should advertise.
        public static let rateLimited = Code(.rateLimited)
        /// The fixed-window quota is used up; ``ResilienceError/retryAfter`` is the time until the window resets.
        public static let quotaExhausted = Code(.quotaExhausted)
        /// The bulkhead's executions and its queue are all full.
        public static let bulkheadFull = Code(.bulkheadFull)
        /// The call waited in the bulkhead's queue for the maximum queue wait without getting a permit.
        public static let bulkheadQueueTimeout = Code(.bulkheadQueueTimeout)
        /// The operation ran longer than the timeout and was cancelled.
        public static let timedOut = Code(.timedOut)
        /// A bounded registry is full and nothing in it may be evicted.
        public static let registryFull = Code(.registryFull)
        /// An argument of a call is out of range (for example more permits than a limiter's capacity).
        public static let invalidArgument = Code(.invalidArgument)
        /// A `Retry-After` header value is neither delta-seconds nor an IMF-fixdate.
        public static let invalidRetryAfter = Code(.invalidRetryAfter)

        public var description: String { "\(value)" }
    }

    /// What went wrong.
    public var code: Code
    /// A human-readable explanation.
    public var message: String
    /// How long the caller should wait before trying again, when the strategy knows (an open breaker's time to
    /// its next probe, a limiter's refill time, a quota's reset).
    public var retryAfter: Duration?
    /// The error that caused this one, if any.
    public var cause: (any Error)?

    /// Creates an error.
    /// - Parameters:
    ///   - code: What went wrong.
    ///   - message: A human-readable explanation.
    ///   - retryAfter: When the caller may try again, if known.
    ///   - cause: The underlying error, if any.
    public init(code: Code, message: String, retryAfter: Duration? = nil, cause: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.retryAfter = retryAfter
        self.cause = cause
    }

    public var description: String {
        var text = "ResilienceError(\(code)): \(message)"
        if let retryAfter { text += " (retry after \(retryAfter))" }
        if let cause { text += " (cause: \(cause))" }
        return text
    }

    static func invalidConfiguration(_ message: String) -> ResilienceError {
        ResilienceError(code: .invalidConfiguration, message: message)
    }
}

/// An error or result that carries a server's hint of when to try again (an HTTP `Retry-After`, an open
/// breaker's remaining time). ``Retry`` honours the hint (capped by its configured maximum) instead of its own
/// backoff.
public protocol RetryAfterProviding {
    /// The delay the server asked for, or `nil` when it gave none.
    var retryAfter: Duration? { get }
}

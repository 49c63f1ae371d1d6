/// The settings of a ``Retry``.
///
/// ```swift
/// var configuration = RetryConfiguration(maxAttempts: 4, backoff: .exponential(initial: .milliseconds(200)))
/// configuration.retryResult(HTTPResponse.self) { $0.status == 503 ? .retry : .doNotRetry }
/// ```
public struct RetryConfiguration: Sendable {
    /// The name in this retry's events.
    public var name: String
    /// The most attempts made, counting the first call (1 disables retrying). Default 3.
    public var maxAttempts: Int
    /// The delay before each retry, before jitter. Default exponential from 200 ms, doubling, capped at 30 s.
    public var backoff: Backoff
    /// The randomisation of each delay. Default ``Jitter/full``.
    public var jitter: Jitter
    /// The time from the start of the first attempt after which no retry starts: a retry whose wait would end
    /// after it is not attempted, and the last error is thrown at once. `nil` (the default) means no deadline of
    /// the retry's own; the task's ``TaskDeadline`` (from an enclosing ``Deadline`` or ``Timeout``) is honoured
    /// either way.
    public var overallTimeout: Duration?
    /// The longest server hint (`Retry-After`) honoured. A longer hint is capped to this value, or ends the
    /// retry when ``giveUpWhenServerDelayExceedsMaximum`` is set. Default 60 s.
    public var maximumServerDelay: Duration
    /// Whether a server hint above ``maximumServerDelay`` ends the retry instead of being capped. Default false.
    public var giveUpWhenServerDelayExceedsMaximum: Bool
    /// Decides whether an error is retried. The default, ``defaultErrorDecision(_:)``, retries every error
    /// except `CancellationError` (never retried, whatever this returns) and an open circuit breaker's
    /// ``ResilienceError/Code/circuitOpen``, and honours ``RetryAfterProviding/retryAfter`` when the error
    /// carries one.
    public var shouldRetryError: @Sendable (any Error) -> RetryDecision
    /// Decides whether a successful result is retried (for example an HTTP 503 response). `nil`, the default,
    /// accepts every result at no cost. Set it with ``retryResult(_:_:)``.
    public private(set) var shouldRetryResult: (@Sendable (any Sendable) -> RetryDecision)?
    /// The budget this retry draws from, shared with other callers of the same upstream. Default none.
    public var budget: RetryBudget?
    /// The random numbers behind jitter. Default ``RandomSource/system``; seed it in tests.
    public var random: RandomSource
    /// Receives this retry's events. Default none (no event is built).
    public var observer: (any ResilienceObserver)?
    /// Counters shared by every call through this retry. Default none.
    public var metrics: RetryMetrics?

    /// Creates a configuration; every argument has a default.
    /// - Parameters:
    ///   - name: The name in events.
    ///   - maxAttempts: The most attempts, counting the first.
    ///   - backoff: The delay shape.
    ///   - jitter: The randomisation.
    ///   - overallTimeout: The deadline from the first attempt, if any.
    ///   - maximumServerDelay: The cap on server hints.
    ///   - budget: A shared retry budget, if any.
    ///   - random: The random source for jitter.
    ///   - observer: The event observer, if any.
    ///   - metrics: Counters to update, if any.
    ///   - shouldRetryError: The error predicate.
    public init(
        name: String = "retry",
        maxAttempts: Int = 3,
        backoff: Backoff = .exponential(),
        jitter: Jitter = .full,
        overallTimeout: Duration? = nil,
        maximumServerDelay: Duration = .seconds(60),
        budget: RetryBudget? = nil,
        random: RandomSource = .system,
        observer: (any ResilienceObserver)? = nil,
        metrics: RetryMetrics? = nil,
        shouldRetryError: @escaping @Sendable (any Error) -> RetryDecision = RetryConfiguration.defaultErrorDecision
    ) {
        self.name = name
        self.maxAttempts = maxAttempts
        self.backoff = backoff
        self.jitter = jitter
        self.overallTimeout = overallTimeout
        self.maximumServerDelay = maximumServerDelay
        self.giveUpWhenServerDelayExceedsMaximum = false
        self.budget = budget
        self.random = random
        self.observer = observer
        self.metrics = metrics
        self.shouldRetryError = shouldRetryError
        self.shouldRetryResult = nil
    }

    /// The default error predicate: retry, after the error's own hint when it is ``RetryAfterProviding``, except
    /// a rejection by an open ``CircuitBreaker``.
    ///
    /// ``ResilienceError/Code/circuitOpen`` is final by default (resilience4j and Polly retry it unless told
    /// not to; this package does not). The breaker is open because the upstream is failing, and it exists to
    /// make callers fail fast: a retry on the backoff schedule would spend its attempts on refusals in
    /// milliseconds, and a retry on the error's hint would hold the caller for the open duration (minutes for
    /// a 300 s breaker; capped at ``maximumServerDelay``, it wakes while the breaker is still open and is
    /// refused again). The hint is also only when the breaker admits its few half-open probes, so every
    /// waiting caller retrying then is a thundering herd that the breaker mostly refuses. To wait for the probe
    /// anyway (a retry inside a breaker that opens for a second or two), wrap this predicate:
    ///
    /// ```swift
    /// configuration.shouldRetryError = { error in
    ///     if let open = error as? ResilienceError, open.code == .circuitOpen, let wait = open.retryAfter {
    ///         return .retryAfter(wait)
    ///     }
    ///     return RetryConfiguration.defaultErrorDecision(error)
    /// }
    /// ```
    /// - Parameter error: The failed attempt's error.
    /// - Returns: ``RetryDecision/doNotRetry`` for ``ResilienceError/Code/circuitOpen``,
    ///   ``RetryDecision/retryAfter(_:)`` for another error with a hint, ``RetryDecision/retry`` otherwise.
    @Sendable public static func defaultErrorDecision(_ error: any Error) -> RetryDecision {
        if let error = error as? ResilienceError, error.code == .circuitOpen { return .doNotRetry }
        if let hinted = error as? any RetryAfterProviding, let delay = hinted.retryAfter { return .retryAfter(delay) }
        return .retry
    }

    /// Retries results of type `Result` that `decide` rejects (results of other types are accepted).
    /// - Parameters:
    ///   - type: The result type the predicate reads.
    ///   - decide: Returns ``RetryDecision/retry`` or ``RetryDecision/retryAfter(_:)`` for a result to retry
    ///     (an HTTP 503, a 429 with its `Retry-After`), ``RetryDecision/doNotRetry`` to accept it.
    public mutating func retryResult<Result: Sendable>(
        _ type: Result.Type, _ decide: @escaping @Sendable (Result) -> RetryDecision
    ) {
        shouldRetryResult = { value in
            guard let result = value as? Result else { return .doNotRetry }
            return decide(result)
        }
    }

    func validate() throws(ResilienceError) {
        guard maxAttempts >= 1 else {
            throw .invalidConfiguration("retry maxAttempts must be at least 1 (got \(maxAttempts))")
        }
        try backoff.validate()
        guard maximumServerDelay >= .zero else {
            throw .invalidConfiguration("retry maximumServerDelay must not be negative (got \(maximumServerDelay))")
        }
        if let overallTimeout, overallTimeout <= .zero {
            throw .invalidConfiguration("retry overallTimeout must be positive (got \(overallTimeout))")
        }
    }
}

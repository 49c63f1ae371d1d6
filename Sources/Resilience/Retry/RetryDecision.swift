/// What ``Retry`` should do with a failed attempt, as decided by the configured predicates.
public enum RetryDecision: Sendable, Equatable {
    /// Retry after the backoff's (jittered) delay.
    case retry
    /// Retry after the server's hint (for example an HTTP `Retry-After`), capped by
    /// ``RetryConfiguration/maximumServerDelay``.
    case retryAfter(Duration)
    /// Do not retry: the error (or result) is final.
    case doNotRetry
}

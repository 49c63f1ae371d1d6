/// Why a retry stopped (``Retry/GiveUpReason``), reported in ``ResilienceEvent/giveUpReason``.
public enum RetryGiveUpReason: Sendable, Equatable {
    /// The predicate said the error or result is final.
    case notRetryable
    /// ``RetryConfiguration/maxAttempts`` attempts were made.
    case attemptsExhausted
    /// The next wait would end after ``RetryConfiguration/overallTimeout``.
    case deadlineWouldBeExceeded
    /// The server asked for a longer wait than ``RetryConfiguration/maximumServerDelay`` and the
    /// configuration gives up in that case.
    case serverDelayTooLong(Duration)
    /// The shared ``RetryBudget`` had no retry left.
    case budgetExhausted
}

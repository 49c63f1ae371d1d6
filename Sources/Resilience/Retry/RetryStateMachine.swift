/// The decisions of one retried call, free of clocks and tasks so they can be tested directly.
///
/// ``Retry`` creates one per call, reports each failed attempt with ``attemptFailed(_:elapsed:using:)``, and
/// sleeps for the returned delay or gives up.
@usableFromInline
package struct RetryStateMachine: Sendable {
    /// What to do after a failed attempt.
    @usableFromInline
    package enum Action: Sendable, Equatable {
        /// Sleep `delay`, then start the next attempt.
        case retry(after: Duration, fromServerHint: Bool)
        /// Stop and surface the last error or result.
        case giveUp(RetryGiveUpReason)
    }

    private let maxAttempts: Int
    private let backoff: Backoff
    private let jitter: Jitter
    private let overallTimeout: Duration?
    private let maximumServerDelay: Duration
    private let giveUpOnLongServerDelay: Bool
    /// The number of attempts started so far (1 during the first attempt).
    @usableFromInline package private(set) var attempts: Int = 1
    private var previousDelay: Duration

    /// Creates the state of a call whose first attempt is starting.
    /// - Parameter configuration: The retry settings.
    @usableFromInline package init(configuration: RetryConfiguration) {
        maxAttempts = configuration.maxAttempts
        backoff = configuration.backoff
        jitter = configuration.jitter
        overallTimeout = configuration.overallTimeout
        maximumServerDelay = configuration.maximumServerDelay
        giveUpOnLongServerDelay = configuration.giveUpWhenServerDelayExceedsMaximum
        previousDelay = configuration.backoff.initial
    }

    /// Decides what follows a failed attempt; on ``Action/retry(after:fromServerHint:)`` the next attempt is
    /// counted as started.
    /// - Parameters:
    ///   - decision: The predicate's verdict on the attempt's error or result.
    ///   - elapsed: The time since the first attempt started.
    ///   - generator: The random source for jitter.
    /// - Returns: Retry after a delay, or give up with a reason.
    @usableFromInline package mutating func attemptFailed(
        _ decision: RetryDecision, elapsed: Duration, using generator: inout some RandomNumberGenerator
    ) -> Action {
        let delay: Duration
        let fromHint: Bool
        switch decision {
        case .doNotRetry:
            return .giveUp(.notRetryable)
        case .retry:
            guard attempts < maxAttempts else { return .giveUp(.attemptsExhausted) }
            let nominal = backoff.delay(beforeRetry: attempts)
            delay = jitter.apply(
                nominal: nominal, base: backoff.initial, cap: backoff.maximum, previous: previousDelay,
                using: &generator)
            fromHint = false
        case .retryAfter(let hint):
            guard attempts < maxAttempts else { return .giveUp(.attemptsExhausted) }
            if hint > maximumServerDelay {
                if giveUpOnLongServerDelay { return .giveUp(.serverDelayTooLong(hint)) }
                delay = maximumServerDelay
            } else {
                delay = Swift.max(hint, .zero)
            }
            fromHint = true
        }
        if let overallTimeout, elapsed + delay > overallTimeout {
            return .giveUp(.deadlineWouldBeExceeded)
        }
        previousDelay = delay
        attempts += 1
        return .retry(after: delay, fromServerHint: fromHint)
    }
}

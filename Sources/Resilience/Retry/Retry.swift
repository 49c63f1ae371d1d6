/// Runs an operation again when it fails, with backoff, jitter, server hints, a deadline and a shared budget.
///
/// ```swift
/// let retry = try Retry(.init(maxAttempts: 4, backoff: .exponential(initial: .milliseconds(200)),
///                             overallTimeout: .seconds(20)))
/// let page = try await retry.execute { try await client.fetchPage(7) }
/// ```
///
/// Behaviour, per call:
/// - Attempt 1 runs at once. After a failure the error predicate (``RetryConfiguration/shouldRetryError``)
///   decides; after a success the result predicate, if set, may still ask for a retry (an HTTP 503).
/// - `CancellationError`, or any error while the task is cancelled, is thrown at once and never retried; a
///   cancelled task's wait ends at once with `CancellationError`.
/// - The wait is the backoff's delay with jitter, or the server's hint capped by
///   ``RetryConfiguration/maximumServerDelay``.
/// - A wait that would end after ``RetryConfiguration/overallTimeout`` (counted from the first attempt), or at
///   or after the task's ``TaskDeadline`` (set by an enclosing ``Deadline`` or ``Timeout``), is not taken: the
///   last error is thrown at once, so the deadline is never slept past.
/// - With a ``RetryBudget``, each call deposits and each retry withdraws; an empty budget ends the retry.
/// - When the retry gives up it throws the last attempt's error, or returns the last result when it was the
///   result predicate that asked for the retry.
///
/// A `Retry` is an immutable value: share one across tasks freely. On the success path it reads no clock
/// (unless an overall timeout is set), takes no lock (unless a budget is set) and allocates nothing.
public struct Retry<C: Clock>: ResilienceStrategy where C.Duration == Duration {
    /// The settings type (``RetryConfiguration``).
    public typealias Configuration = RetryConfiguration
    /// Why a retry stopped (``RetryGiveUpReason``), as events report it.
    public typealias GiveUpReason = RetryGiveUpReason

    /// The settings.
    public let configuration: RetryConfiguration
    /// The clock the waits run on.
    public let clock: C
    /// True when the first attempt needs no deadline, budget, observer, counters or result predicate.
    @usableFromInline let isPlain: Bool

    /// Creates a retry on `clock`.
    /// - Parameters:
    ///   - configuration: The settings.
    ///   - clock: The clock for waits and the deadline.
    /// - Throws: ``ResilienceError/Code/invalidConfiguration`` for out-of-range settings.
    public init(_ configuration: RetryConfiguration = .init(), clock: C) throws(ResilienceError) {
        try configuration.validate()
        self.configuration = configuration
        self.clock = clock
        self.isPlain =
            configuration.overallTimeout == nil && configuration.budget == nil && configuration.observer == nil
            && configuration.shouldRetryResult == nil && configuration.metrics == nil
    }

    /// Runs `operation`, retrying as configured.
    /// - Parameter operation: The work; it runs up to ``RetryConfiguration/maxAttempts`` times.
    /// - Returns: The first accepted result (or the last result when retries of results ran out).
    /// - Throws: The last attempt's error when the retry gives up, or `CancellationError`.
    @inlinable
    nonisolated(nonsending) public func execute<Output: Sendable>(
        _ operation: nonisolated(nonsending) @Sendable () async throws -> Output
    ) async throws -> Output {
        guard isPlain else { return try await retrying(operation, firstError: nil) }
        // No deadline, budget, observer or result predicate: the first attempt needs nothing else.
        do {
            return try await operation()
        } catch {
            if error is CancellationError || Task.isCancelled { throw error }
            return try await retrying(operation, firstError: error)
        }
    }

    /// The retry loop; `firstError` is the error of a first attempt already made by the fast path.
    @inlinable
    nonisolated(nonsending) func retrying<Output: Sendable>(
        _ operation: nonisolated(nonsending) @Sendable () async throws -> Output, firstError: (any Error)?
    ) async throws -> Output {
        let configuration = self.configuration
        let start: C.Instant? = configuration.overallTimeout == nil ? nil : clock.now
        if firstError == nil { configuration.budget?.deposit() }
        configuration.metrics?.recordCall()
        var pendingError = firstError
        var machine: RetryStateMachine?
        var attempt = 1
        while true {
            let decision: RetryDecision
            let last: Result<Output, any Error>
            if let error = pendingError {
                pendingError = nil
                decision = configuration.shouldRetryError(error)
                last = .failure(error)
            } else {
                configuration.observer.emit(
                    ResilienceEvent(source: configuration.name, kind: .attemptStarted, attempt: attempt))
                (decision, last) = try await attemptOnce(operation)
                if decision == .doNotRetry, case .success(let result) = last { return result }
            }
            if configuration.observer != nil {
                let error: (any Error)? = if case .failure(let error) = last { error } else { nil }
                configuration.observer.emit(
                    ResilienceEvent(source: configuration.name, kind: .attemptFailed, attempt: attempt, error: error))
            }

            var state = machine ?? RetryStateMachine(configuration: configuration)
            let elapsed = start.map { $0.duration(to: clock.now) } ?? .zero
            var random = configuration.random
            var action = state.attemptFailed(decision, elapsed: elapsed, using: &random)
            if case .retry(let delay, _) = action, let deadline = TaskDeadline.current(on: clock),
                clock.now.advanced(by: delay) >= deadline
            {
                // The next attempt would start at or after the task's deadline, with no time to run.
                action = .giveUp(.deadlineWouldBeExceeded)
            }
            if case .retry = action, let budget = configuration.budget, !budget.tryWithdraw() {
                action = .giveUp(.budgetExhausted)
            }
            machine = state
            switch action {
            case .giveUp(let reason):
                configuration.metrics?.recordGiveUp()
                configuration.observer.emit(
                    ResilienceEvent(
                        source: configuration.name, kind: .retryGaveUp, attempt: attempt, giveUpReason: reason))
                return try last.get()
            case .retry(let delay, let fromHint):
                configuration.metrics?.recordRetry()
                let wakeAt = clock.now.advanced(by: delay)
                configuration.observer.emit(
                    ResilienceEvent(
                        source: configuration.name, kind: .retryScheduled, attempt: attempt, delay: delay,
                        fromServerHint: fromHint))
                try await clock.sleep(until: wakeAt, tolerance: nil)
                attempt += 1
            }
        }
    }

    /// Runs one attempt and classifies its outcome.
    @inlinable
    nonisolated(nonsending) func attemptOnce<Output: Sendable>(
        _ operation: nonisolated(nonsending) @Sendable () async throws -> Output
    ) async throws -> (RetryDecision, Result<Output, any Error>) {
        do {
            let result = try await operation()
            guard let shouldRetryResult = configuration.shouldRetryResult else {
                return (.doNotRetry, .success(result))
            }
            return (shouldRetryResult(result), .success(result))
        } catch {
            if error is CancellationError || Task.isCancelled { throw error }
            return (configuration.shouldRetryError(error), .failure(error))
        }
    }
}

extension Retry where C == ContinuousClock {
    /// Creates a retry on the continuous clock.
    /// - Parameter configuration: The settings.
    /// - Throws: ``ResilienceError/Code/invalidConfiguration`` for out-of-range settings.
    public init(_ configuration: RetryConfiguration = .init()) throws(ResilienceError) {
        try self.init(configuration, clock: ContinuousClock())
    }
}

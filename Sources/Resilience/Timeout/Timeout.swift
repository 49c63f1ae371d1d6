/// Cancels an operation that runs longer than a duration and throws ``ResilienceError/Code/timedOut``.
///
/// The operation runs in a child task, started immediately on the caller's thread (a cancelled caller cancels
/// it, and the timeout never cancels the caller). One timer per ``Timeout`` value (shared by its copies) holds the deadlines of all its
/// calls and sleeps on the clock until the earliest: when a deadline passes, it cancels that call's task, and
/// the timeout waits for the work to finish before throwing, so no work outlives the call. Cancellation is
/// cooperative: work that ignores it delays the throw until it returns (its result is then discarded). A
/// cancelled caller gets `CancellationError`, not a timeout.
///
/// Cost: work that finishes in time costs the child task (about 2 µs and 6 allocations measured on the
/// benchmark host) and two uncontended lock sections; no sleep and no timer task per call. The timer task is started on the first call and sleeps until the oldest pending
/// deadline, so it wakes at most once per ``duration`` while calls keep coming, and parks when none are
/// pending. Create a timeout once and reuse it: each value has its own timer.
public struct Timeout<C: Clock>: ResilienceStrategy where C.Duration == Duration {
    /// The longest the operation may run.
    public let duration: Duration
    /// The clock of the timer.
    public let clock: C
    /// The name in events.
    public let name: String
    /// Receives the timeout's events.
    public let observer: (any ResilienceObserver)?
    /// The deadline queue and timer task shared by the copies of this timeout.
    @usableFromInline let scheduler: TimeoutScheduler<C>

    /// Creates a timeout.
    /// - Parameters:
    ///   - duration: The longest the operation may run (positive).
    ///   - clock: The clock of the timer.
    ///   - name: The name in events.
    ///   - observer: The event observer.
    /// - Throws: ``ResilienceError/Code/invalidConfiguration`` for a duration that is not positive.
    public init(
        _ duration: Duration, clock: C, name: String = "timeout", observer: (any ResilienceObserver)? = nil
    ) throws(ResilienceError) {
        guard duration > .zero else { throw .invalidConfiguration("timeout must be positive (got \(duration))") }
        self.duration = duration
        self.clock = clock
        self.name = name
        self.observer = observer
        self.scheduler = TimeoutScheduler(duration: duration, clock: clock)
    }

    /// Runs `operation`, cancelling it after ``duration``.
    /// - Parameter operation: The work.
    /// - Returns: The operation's result.
    /// - Throws: ``ResilienceError/Code/timedOut``, `CancellationError`, or the operation's error.
    @inlinable
    public func execute<Output: Sendable>(_ operation: @Sendable () async throws -> Output) async throws -> Output {
        let scheduler = self.scheduler
        let outcome: Output? = try await withoutActuallyEscaping(operation) { operation in
            // The work runs in a child task so that the timer can cancel it without cancelling the caller. The
            // child starts immediately on the caller's thread, so work that finishes without suspending never
            // waits for an executor thread.
            try await withThrowingTaskGroup(of: Output?.self) { group in
                group.addImmediateTask { try await scheduler.run(operation) }
                // One child was added, so `next()` returns its outcome (`nil`: the deadline passed first).
                return try await group.next() ?? nil
            }
        }
        if let outcome { return outcome }
        if Task.isCancelled { throw CancellationError() }
        observer.emit(ResilienceEvent(source: name, kind: .timedOut, timeout: duration))
        throw ResilienceError(code: .timedOut, message: "'\(name)' timed out after \(duration)")
    }
}

extension Timeout where C == ContinuousClock {
    /// Creates a timeout on the continuous clock.
    /// - Parameters:
    ///   - duration: The longest the operation may run.
    ///   - name: The name in events.
    ///   - observer: The event observer.
    /// - Throws: ``ResilienceError/Code/invalidConfiguration`` for a duration that is not positive.
    public init(
        _ duration: Duration, name: String = "timeout", observer: (any ResilienceObserver)? = nil
    )
        throws(ResilienceError)
    {
        try self.init(duration, clock: ContinuousClock(), name: name, observer: observer)
    }
}

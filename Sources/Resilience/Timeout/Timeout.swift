/// Cancels an operation that runs longer than a duration and throws ``ResilienceError/Code/timedOut``.
///
/// The operation runs in a child task (`async let`: a cancelled caller cancels it, and the timeout never
/// cancels the caller). One timer per ``Timeout`` value (shared by its copies) keeps the deadlines of all its
/// pending calls and sleeps on the clock until the earliest: when a deadline passes, it cancels that call's
/// child task, and the timeout waits for the work to finish before throwing, so no work outlives the call.
/// Cancellation is cooperative: work that ignores it delays the throw until it returns (its result is then
/// discarded). For such work (a blocking SDK, a callback client) use ``execute(_:lateOutcome:)``, which
/// returns at the deadline whatever the work does and hands its late result to a handler. A cancelled caller
/// gets `CancellationError`, not a timeout.
///
/// The timer behaves the same on every clock. A call that finds it idle sets it asleep until that call's
/// deadline (the first call starts its task); finished calls leave it alone; when it wakes with nothing
/// pending it parks, with no sleep on the clock, until the next call. So calls that keep coming never start a
/// task or a sleep each, and the timer ends when the last copy of the timeout goes. On a test clock (the
/// `ResilienceTesting` manual or simulation clock) a call that finished early therefore leaves the timer's
/// sleep on the clock until time reaches that call's deadline.
///
/// Cost: work that finishes in time costs the `async let` child task and two uncontended lock sections; no
/// sleep and no task per call. Create a timeout once and reuse it: each value has its own timer.
///
/// The child is an `async let`, not an immediate child task (SE-0472): inside this timeout an immediate child
/// saved no CPU and doubled the allocations (figures in `BENCHMARKS.md`). The `async let` child inherits the
/// caller's task-local values and priority, as an immediate child would.
public struct Timeout<C: Clock>: ResilienceStrategy where C.Duration == Duration {
    /// The longest the operation may run.
    public let duration: Duration
    /// The clock of the timer.
    public let clock: C
    /// The name in events.
    public let name: String
    /// Receives the timeout's events.
    public let observer: (any ResilienceObserver)?
    /// The deadline heap and timer task shared by the copies of this timeout.
    @usableFromInline package let scheduler: TimeoutScheduler<C>

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
        self.scheduler = TimeoutScheduler(clock: clock)
    }

    /// Runs `operation`, cancelling it after ``duration``.
    /// - Parameter operation: The work.
    /// - Returns: The operation's result.
    /// - Throws: ``ResilienceError/Code/timedOut``, `CancellationError`, or the operation's error.
    @inlinable
    nonisolated(nonsending) public func execute<Output: Sendable>(
        _ operation: nonisolated(nonsending) @Sendable () async throws -> Output
    ) async throws -> Output {
        try await run(limit: duration, operation)
    }

    /// Runs `operation`, cancelling it after `limit` instead of ``duration`` (for a limit that varies per call,
    /// such as what is left of an overall deadline).
    /// - Parameters:
    ///   - limit: The longest this call may run (positive).
    ///   - operation: The work.
    /// - Returns: The operation's result.
    /// - Throws: ``ResilienceError/Code/invalidConfiguration`` for a limit that is not positive,
    ///   ``ResilienceError/Code/timedOut``, `CancellationError`, or the operation's error.
    @inlinable
    nonisolated(nonsending) public func execute<Output: Sendable>(
        within limit: Duration, _ operation: nonisolated(nonsending) @Sendable () async throws -> Output
    ) async throws -> Output {
        guard limit > .zero else {
            throw ResilienceError(code: .invalidConfiguration, message: "timeout must be positive (got \(limit))")
        }
        return try await run(limit: limit, operation)
    }

    @inlinable
    nonisolated(nonsending) func run<Output: Sendable>(
        limit: Duration, _ operation: nonisolated(nonsending) @Sendable () async throws -> Output
    ) async throws
        -> Output
    {
        let deadline = clock.now.advanced(by: limit)
        let scheduler = self.scheduler
        // The work and the strategies inside see the deadline (``TaskDeadline``), so they can stop waiting or
        // pass it on before the timer has to cancel anything. It is set here, in the caller's task, whose
        // allocator has room for it; the child inherits it.
        let outcome: Output? = try await TaskDeadline.withDeadline(deadline, on: clock) {
            try await withoutActuallyEscaping(operation) { operation in
                // The work runs in a child task so that the timer can cancel it without cancelling the caller.
                async let work = scheduler.run(until: deadline, operation)
                return try await work
            }
        }
        if let outcome { return outcome }
        if Task.isCancelled { throw CancellationError() }
        observer.emit(ResilienceEvent(source: name, kind: .timedOut, timeout: limit))
        throw ResilienceError(code: .timedOut, message: "'\(name)' timed out after \(limit)")
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

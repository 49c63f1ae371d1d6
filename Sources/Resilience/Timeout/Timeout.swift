/// Cancels an operation that runs longer than a duration and throws ``ResilienceError/Code/timedOut``.
///
/// The operation runs in a child task racing a sleep on the clock (structured concurrency): when the sleep
/// wins, the operation's task is cancelled and the timeout waits for it to finish before throwing, so no work
/// outlives the call. Cancellation is cooperative: work that ignores it delays the throw until it returns
/// (its result is then discarded). A cancelled caller gets `CancellationError`, not a timeout.
///
/// Cost: two child tasks per call (the work and the timer); they are the only allocations.
public struct Timeout<C: Clock>: ResilienceStrategy where C.Duration == Duration {
    /// The longest the operation may run.
    public let duration: Duration
    /// The clock of the timer.
    public let clock: C
    /// The name in events.
    public let name: String
    /// Receives the timeout's events.
    public let observer: (any ResilienceObserver)?

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
    }

    /// Runs `operation`, cancelling it after ``duration``.
    /// - Parameter operation: The work.
    /// - Returns: The operation's result.
    /// - Throws: ``ResilienceError/Code/timedOut``, `CancellationError`, or the operation's error.
    @inlinable
    public func execute<Output: Sendable>(_ operation: @Sendable () async throws -> Output) async throws -> Output {
        let deadline = clock.now.advanced(by: duration)
        let clock = self.clock
        let outcome: Output? = try await withoutActuallyEscaping(operation) { operation in
            try await withThrowingTaskGroup(of: Output?.self) { group in
                group.addTask { try await operation() }
                group.addTask {
                    try await clock.sleep(until: deadline, tolerance: nil)
                    return nil
                }
                defer { group.cancelAll() }
                // The first child to finish decides; `nil` is the timer.
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

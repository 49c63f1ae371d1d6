import ETRMShared

extension Timeout {
    /// Runs `operation` and returns at ``duration`` whether or not the work has finished: work that ignores
    /// cancellation (a blocking SDK, a callback client) is left to finish in the background, and its late
    /// result goes to `lateOutcome`.
    ///
    /// At the deadline the work's task is cancelled, as by ``execute(_:)``, and this throws
    /// ``ResilienceError/Code/timedOut`` at once instead of waiting for the work to return. When the caller is
    /// cancelled it throws `CancellationError` at once, and the work is cancelled too. In both cases, and only
    /// then, `lateOutcome` is called with the work's result when the work ends; so every run's result is seen
    /// exactly once, either by the caller or by `lateOutcome`. `lateOutcome` runs on the work's task, which
    /// ends when it returns: it may record the result somewhere asynchronously (a store, a queue).
    ///
    /// The work runs in an unstructured task (`Task {}`, inheriting task-local values, priority and
    /// ``TaskDeadline``), which costs an allocation or two per call more than ``execute(_:)``'s child task;
    /// use ``execute(_:)`` for work that honours cancellation.
    ///
    /// - Parameters:
    ///   - operation: The work.
    ///   - lateOutcome: Receives the work's result when the caller stopped waiting before it.
    /// - Returns: The operation's result, when it finished before the deadline.
    /// - Throws: ``ResilienceError/Code/timedOut``, `CancellationError`, or the operation's error.
    public func execute<Output: Sendable>(
        _ operation: @escaping @Sendable () async throws -> Output,
        lateOutcome: @escaping @Sendable (Result<Output, any Error>) async -> Void
    ) async throws -> Output {
        let deadline = clock.now.advanced(by: duration)
        let race = TimeoutRace<Output>()
        let scheduler = self.scheduler
        let clock = self.clock
        let work = Task {
            let result = await TaskDeadline.withDeadline(deadline, on: clock) {
                // The timer cancels this task at the deadline; the cancellation handler frees the caller.
                await withTaskCancellationHandler {
                    var result: Result<Output, any Error> = .failure(CancellationError())
                    _ = try? await scheduler.run(until: deadline) {
                        do {
                            result = .success(try await operation())
                        } catch {
                            result = .failure(error)
                        }
                    }
                    return result
                } onCancel: {
                    race.settle(.expired)
                }
            }
            if !race.settle(.finished(result)) { await lateOutcome(result) }
        }
        let outcome = await withTaskCancellationHandler {
            await withUnsafeContinuation { race.wait($0) }
        } onCancel: {
            race.settle(.cancelled)
            work.cancel()
        }
        switch outcome {
        case .finished(let result):
            return try result.get()
        case .cancelled:
            throw CancellationError()
        case .expired:
            if Task.isCancelled { throw CancellationError() }
            observer.emit(ResilienceEvent(source: name, kind: .timedOut, timeout: duration))
            throw ResilienceError(code: .timedOut, message: "'\(name)' timed out after \(duration)")
        }
    }
}

/// Who gives the caller of ``Timeout/execute(_:lateOutcome:)`` its answer: the work's result, the deadline or
/// the caller's cancellation, whichever comes first.
final class TimeoutRace<Output: Sendable>: Sendable {
    enum Outcome: Sendable {
        case finished(Result<Output, any Error>)
        case expired
        case cancelled
    }

    private let state = LockedState<(outcome: Outcome?, waiter: UnsafeContinuation<Outcome, Never>?)>((nil, nil))

    /// Settles the race with `outcome` unless it is settled already; returns whether it was this call.
    @discardableResult
    func settle(_ outcome: Outcome) -> Bool {
        let (settled, waiter) = state.withLock { state -> (Bool, UnsafeContinuation<Outcome, Never>?) in
            guard state.outcome == nil else { return (false, nil) }
            state.outcome = outcome
            defer { state.waiter = nil }
            return (true, state.waiter)
        }
        waiter?.resume(returning: outcome)
        return settled
    }

    /// Resumes `waiter` with the outcome, at once if the race is settled.
    func wait(_ waiter: UnsafeContinuation<Outcome, Never>) {
        let settled = state.withLock { state -> Outcome? in
            if let outcome = state.outcome { return outcome }
            state.waiter = waiter
            return nil
        }
        if let settled { waiter.resume(returning: settled) }
    }
}

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
            await race.outcome()
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
///
/// The waiter's continuation carries no value and is resumed under the lock, which the waiter takes again to read
/// the outcome. The runtime does not tell the thread sanitizer that a resume which comes before the task has
/// suspended happens before the task goes on (swiftlang/swift#57803); the lock does.
final class TimeoutRace<Output: Sendable>: Sendable {
    enum Outcome: Sendable {
        case finished(Result<Output, any Error>)
        case expired
        case cancelled
    }

    private let state = LockedState<(outcome: Outcome?, waiter: UnsafeContinuation<Void, Never>?)>((nil, nil))

    /// Settles the race with `outcome` unless it is settled already; returns whether it was this call.
    @discardableResult
    func settle(_ outcome: Outcome) -> Bool {
        state.withLock { state in
            guard state.outcome == nil else { return false }
            state.outcome = outcome
            state.waiter?.resume()
            state.waiter = nil
            return true
        }
    }

    /// Waits until the race is settled; returns how.
    func outcome() async -> Outcome {
        await withUnsafeContinuation { (waiter: UnsafeContinuation<Void, Never>) in
            let settled = state.withLock { state in
                guard state.outcome == nil else { return true }
                state.waiter = waiter
                return false
            }
            if settled { waiter.resume() }
        }
        guard let outcome = state.withLock({ $0.outcome }) else {
            preconditionFailure("a timeout's race is settled before its waiter is resumed")
        }
        return outcome
    }
}

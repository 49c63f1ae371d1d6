import ETRMShared

/// A `Clock` whose time moves only when a test calls ``advance(by:)`` or ``advance(to:)``.
///
/// Code under test takes a generic `some Clock` (or `C: Clock`); the test passes a `ManualClock`, starts the
/// work, waits until the work is suspended in ``sleep(until:tolerance:)`` with ``waitForSleepers(count:)``, and
/// then moves time deterministically. Nothing ever sleeps for real.
///
/// ```swift
/// let clock = ManualClock()
/// let task = Task { try await clock.sleep(for: .seconds(5)) }
/// await clock.waitForSleepers(count: 1)
/// clock.advance(by: .seconds(5))      // the sleeper resumes
/// try await task.value
/// ```
///
/// Semantics:
/// - A sleep whose deadline is at or before ``now`` returns at once, without suspending.
/// - A sleeping task that is cancelled throws `CancellationError` at once (time does not need to move), and a
///   task that is already cancelled when it calls `sleep` throws before suspending.
/// - ``advance(to:)`` sets ``now`` to the target first and then resumes every sleeper whose deadline is at or
///   before it, in deadline order (ties in the order they went to sleep). A resumed task that sleeps again
///   measures its new deadline from the new ``now``; to run a chain of sleeps, wait for the next sleeper and
///   advance again.
/// - Time never moves backwards: advancing to an instant before ``now`` does nothing.
///
/// The state is protected by a lock; every method may be called from any task or thread.
public final class ManualClock: Clock, Sendable {
    /// A point on a ``ManualClock``'s time line: a `Duration` since the clock's origin.
    public struct Instant: InstantProtocol, Sendable, Hashable, Comparable, CustomStringConvertible {
        /// The time since the clock's origin.
        public var offset: Duration

        /// Creates an instant at `offset` from the clock's origin.
        /// - Parameter offset: The time since the origin.
        public init(offset: Duration) { self.offset = offset }

        /// Returns the instant `duration` after this one.
        /// - Parameter duration: The time to add (may be negative).
        /// - Returns: The moved instant.
        public func advanced(by duration: Duration) -> Instant { Instant(offset: offset + duration) }

        /// Returns the time from this instant to `other` (negative when `other` is earlier).
        /// - Parameter other: The later instant.
        /// - Returns: `other - self`.
        public func duration(to other: Instant) -> Duration { other.offset - offset }

        public static func < (lhs: Instant, rhs: Instant) -> Bool { lhs.offset < rhs.offset }

        public var description: String { "ManualClock.Instant(\(offset))" }
    }

    private struct Sleeper {
        var deadline: Instant
        var continuation: CheckedContinuation<Void, any Error>
    }

    private struct SleeperWaiter {
        var count: Int
        var continuation: CheckedContinuation<Void, Never>
    }

    private struct State {
        var now: Instant
        var nextID: UInt64 = 0
        var sleepers: [UInt64: Sleeper] = [:]
        /// Ids handed out but not yet registered as a sleeper or waiter. A cancellation handler that runs
        /// before registration removes the id, and registration then sees the task was cancelled.
        var pending: Set<UInt64> = []
        var waiters: [UInt64: SleeperWaiter] = [:]

        mutating func makeID() -> UInt64 {
            defer { nextID &+= 1 }
            pending.insert(nextID)
            return nextID
        }

        /// Removes and returns the waiters satisfied by the current number of sleepers.
        mutating func takeSatisfiedWaiters() -> [CheckedContinuation<Void, Never>] {
            let count = sleepers.count
            var ready: [CheckedContinuation<Void, Never>] = []
            for (id, waiter) in waiters where waiter.count <= count {
                ready.append(waiter.continuation)
                waiters[id] = nil
            }
            return ready
        }
    }

    private let state: LockedState<State>

    /// Creates a manual clock.
    /// - Parameter now: The clock's initial time (its origin by default).
    public init(now: Instant = .init(offset: .zero)) {
        state = LockedState(State(now: now))
    }

    /// The clock's current time; it changes only through ``advance(by:)`` and ``advance(to:)``.
    public var now: Instant { state.withLock { $0.now } }

    /// Always `.zero`: a manual clock has no granularity.
    public var minimumResolution: Duration { .zero }

    /// The number of tasks suspended in ``sleep(until:tolerance:)`` right now.
    public var sleeperCount: Int { state.withLock { $0.sleepers.count } }

    /// The deadlines of the tasks suspended in ``sleep(until:tolerance:)`` right now, earliest first (one entry
    /// per sleeper, so equal deadlines repeat).
    public var pendingDeadlines: [Instant] { state.withLock { $0.sleepers.values.map(\.deadline) }.sorted() }

    /// The earliest deadline a suspended task sleeps towards, or `nil` when no task sleeps: a test can
    /// `advance(to:)` exactly this instant to wake the next sleeper and no other.
    public var nextDeadline: Instant? { state.withLock { $0.sleepers.values.lazy.map(\.deadline).min() } }

    /// Moves time forward to ``nextDeadline`` and resumes the sleepers due then.
    /// - Returns: The instant the clock moved to, or `nil` (time unchanged) when no task sleeps.
    @discardableResult
    public func advanceToNextDeadline() -> Instant? {
        guard let deadline = nextDeadline else { return nil }
        advance(to: deadline)
        return deadline
    }

    /// Suspends until the clock reaches `deadline`, or throws `CancellationError` as soon as the task is
    /// cancelled.
    ///
    /// - Parameters:
    ///   - deadline: The instant to wake at. A deadline at or before ``now`` returns at once.
    ///   - tolerance: Ignored: a manual clock is exact.
    /// - Throws: `CancellationError` when the calling task is or becomes cancelled before the deadline.
    public func sleep(until deadline: Instant, tolerance: Duration? = nil) async throws {
        if Task.isCancelled { throw CancellationError() }
        let id: UInt64? = state.withLock { state in
            state.now >= deadline ? nil : state.makeID()
        }
        guard let id else { return }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                enum Outcome { case suspended([CheckedContinuation<Void, Never>]), resume, cancelled }
                let outcome: Outcome = state.withLock { state in
                    if state.pending.remove(id) == nil { return .cancelled }
                    if state.now >= deadline { return .resume }
                    state.sleepers[id] = Sleeper(deadline: deadline, continuation: continuation)
                    return .suspended(state.takeSatisfiedWaiters())
                }
                switch outcome {
                case .suspended(let waiters): for waiter in waiters { waiter.resume() }
                case .resume: continuation.resume()
                case .cancelled: continuation.resume(throwing: CancellationError())
                }
            }
        } onCancel: {
            let continuation: CheckedContinuation<Void, any Error>? = state.withLock { state in
                if let sleeper = state.sleepers.removeValue(forKey: id) { return sleeper.continuation }
                state.pending.remove(id)
                return nil
            }
            continuation?.resume(throwing: CancellationError())
        }
    }

    /// Moves time forward by `duration` and resumes every sleeper whose deadline is now due.
    /// - Parameter duration: The time to move; a negative duration does nothing.
    public func advance(by duration: Duration) {
        let target = state.withLock { $0.now.advanced(by: duration) }
        advance(to: target)
    }

    /// Moves time forward to `instant` and resumes every sleeper whose deadline is at or before it, in
    /// deadline order.
    /// - Parameter instant: The new time; an instant before ``now`` does nothing.
    public func advance(to instant: Instant) {
        let due: [CheckedContinuation<Void, any Error>] = state.withLock { state in
            guard instant > state.now else { return [] }
            state.now = instant
            let ready = state.sleepers.filter { $0.value.deadline <= instant }
                .sorted { ($0.value.deadline, $0.key) < ($1.value.deadline, $1.key) }
            for (id, _) in ready { state.sleepers[id] = nil }
            return ready.map(\.value.continuation)
        }
        for continuation in due { continuation.resume() }
    }

    /// Returns once at least `count` tasks are suspended in ``sleep(until:tolerance:)``, so that a test can
    /// advance time knowing the work under test is waiting. Returns at once when the calling task is
    /// cancelled.
    /// - Parameter count: The number of sleepers to wait for.
    public func waitForSleepers(count: Int) async {
        let id: UInt64? = state.withLock { state in
            state.sleepers.count >= count ? nil : state.makeID()
        }
        guard let id else { return }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let ready: Bool = state.withLock { state in
                    if state.pending.remove(id) == nil || state.sleepers.count >= count { return true }
                    state.waiters[id] = SleeperWaiter(count: count, continuation: continuation)
                    return false
                }
                if ready { continuation.resume() }
            }
        } onCancel: {
            let continuation: CheckedContinuation<Void, Never>? = state.withLock { state in
                if let waiter = state.waiters.removeValue(forKey: id) { return waiter.continuation }
                state.pending.remove(id)
                return nil
            }
            continuation?.resume()
        }
    }
}

import ETRMShared
import Resilience

/// A `ManualClock` that knows its sleepers' deadlines, so a driver can move time straight to the next one:
/// simulated latencies, backoffs, outages and open breakers cost no real time at all.
///
/// Every sleep goes through the wrapped ``ResilienceTesting/ManualClock`` (its cancellation and ordering
/// semantics); this type only records the deadline while the sleep lasts.
public struct SimulationClock: Clock, Sendable {
    /// The instant type: the manual clock's.
    public typealias Instant = ManualClock.Instant

    /// The wrapped manual clock.
    public let manual: ManualClock
    private let registry: Registry

    private final class Registry: Sendable {
        struct State {
            var nextID: UInt64 = 0
            var deadlines: [UInt64: (deadline: Instant, participant: Int?)] = [:]
            var activity: UInt64 = 0
            var participants: Set<Int> = []
            /// The task each participant's body runs on: its sleeps count for the participant.
            var owners: [Int: OwnerTask] = [:]
            /// Sleepers per participant, and the number of participants with none (awake).
            var sleepers: [Int: Int] = [:]
            var awake = 0
            /// Sleeps that ended (their deadline came, or their task was cancelled) whose task has not run
            /// since: until it runs, time must not move, whether or not the task works for a participant (a
            /// timeout's timer that has yet to cancel an attempt).
            var pending: Set<UInt64> = []
            var waiter: CheckedContinuation<Void, Never>?

            mutating func add(_ participant: Int?) {
                guard let participant else { return }
                sleepers[participant, default: 0] += 1
                if sleepers[participant] == 1, participants.contains(participant) { awake -= 1 }
            }

            mutating func remove(_ participant: Int?) {
                guard let participant, let count = sleepers[participant] else { return }
                sleepers[participant] = count == 1 ? nil : count - 1
                if count == 1, participants.contains(participant) { awake += 1 }
            }

            mutating func touch() -> CheckedContinuation<Void, Never>? {
                activity += 1
                defer { waiter = nil }
                return waiter
            }
        }
        let state = LockedState(State())
    }

    /// A participant's task, compared (never used) while the participant's body runs, so the task is alive.
    struct OwnerTask: @unchecked Sendable {
        let task: UnsafeCurrentTask
    }

    /// The participant the current task works for (inherited by its child tasks, and by unstructured tasks
    /// started from them, such as the background task of ``deafSleep(until:)``).
    @TaskLocal static var participant: Int?

    /// Whether a sleep started in this scope is one the participant waits for (see ``waitedFor(_:)``). Bound
    /// only around a sleep, so no task started elsewhere inherits it.
    @TaskLocal static var attributed = false

    /// Runs `body` (a sleep on a clock) as a wait of the current participant, though it runs on a child task
    /// of the participant's task: an upstream's latency inside a timeout's child task, for instance.
    ///
    /// Only sleeps the participant actually waits for may count: a sleep on the participant's own task, or
    /// one wrapped in this call. A task-local participant alone is not enough, because unstructured tasks
    /// inherit it: a task the participant started sleeps on behalf of work the participant may not wait for,
    /// and counting that sleep as the participant's lets the driver move time while the participant still
    /// computes or writes its journal. (A timeout's shared timer is detached and inherits nothing.)
    ///
    /// - Parameter body: The sleep.
    /// - Returns: What `body` returns.
    /// - Throws: What `body` throws.
    public static func waitedFor<T: Sendable>(_ body: () async throws -> T) async rethrows -> T {
        try await $attributed.withValue(true) { try await body() }
    }

    /// Creates a clock at the manual clock's origin.
    public init() {
        manual = ManualClock()
        registry = Registry()
    }

    /// The current simulated time.
    public var now: Instant { manual.now }

    /// Zero: the clock is exact.
    public var minimumResolution: Duration { .zero }

    /// Sleeps on the manual clock until `deadline`, recording the deadline meanwhile.
    ///
    /// - Parameters:
    ///   - deadline: The wake-up instant.
    ///   - tolerance: Ignored.
    /// - Throws: `CancellationError` when the task is cancelled.
    public func sleep(until deadline: Instant, tolerance: Duration? = nil) async throws {
        let attributed = Self.attributed
        let (id, waiter) = registry.state.withLock { state in
            // A sleep counts for the participant only on its own task or when it waits for it (``waitedFor(_:)``);
            // any other sleep (a timer's) only offers its deadline to the driver.
            var participant = Self.participant
            if let candidate = participant, !attributed {
                let owner = state.owners[candidate]
                let onOwner = withUnsafeCurrentTask { task in task != nil && task == owner?.task }
                if !onOwner { participant = nil }
            }
            state.nextID += 1
            state.deadlines[state.nextID] = (deadline, participant)
            state.add(participant)
            return (state.nextID, state.touch())
        }
        waiter?.resume()
        defer {
            let waiter = registry.state.withLock { state -> CheckedContinuation<Void, Never>? in
                if let entry = state.deadlines.removeValue(forKey: id) {
                    state.remove(entry.participant)
                } else if state.pending.remove(id) == nil {
                    return nil
                }
                return state.touch()
            }
            waiter?.resume()
        }
        try await withTaskCancellationHandler {
            try await manual.sleep(until: deadline, tolerance: tolerance)
        } onCancel: {
            // The task is about to run again: it counts as awake from now, not from when it is scheduled.
            registry.state.withLock { state -> CheckedContinuation<Void, Never>? in
                guard let entry = state.deadlines.removeValue(forKey: id) else { return nil }
                state.remove(entry.participant)
                state.pending.insert(id)
                return state.touch()
            }?.resume()
        }
    }

    /// The earliest deadline any task sleeps towards, if one sleeps.
    public var nextDeadline: Instant? { registry.state.withLock { $0.deadlines.values.map(\.deadline).min() } }

    /// Counts participants `ids` as awake from now until each has run ``participate(_:_:)`` and returned:
    /// call it before starting the participants' tasks, or the driver may move time while the first of them
    /// sleep and the others have not started yet (on a loaded machine, tasks start late).
    ///
    /// - Parameter ids: The participants' ids.
    public func enroll(_ ids: some Sequence<Int>) {
        registry.state.withLock { state in
            for id in ids where state.participants.insert(id).inserted && state.sleepers[id] == nil {
                state.awake += 1
            }
        }
    }

    /// Runs `body` as participant `id`: until it returns, the driver moves time only while the participant
    /// sleeps on this clock, on the body's own task or in a ``waitedFor(_:)`` scope. Work that waits for
    /// something else (a journal's `fsync`) therefore holds simulated time still.
    ///
    /// - Parameters:
    ///   - id: The participant's id (a desk worker's number).
    ///   - body: The participant's work.
    /// - Returns: What `body` returns.
    public func participate<T: Sendable>(_ id: Int, _ body: () async throws -> T) async rethrows -> T {
        let owner = withUnsafeCurrentTask { task in task.map(OwnerTask.init) }
        registry.state.withLock { state in
            if state.participants.insert(id).inserted, state.sleepers[id] == nil { state.awake += 1 }
            state.owners[id] = owner
        }
        defer {
            let waiter = registry.state.withLock { state in
                state.owners[id] = nil
                if state.participants.remove(id) != nil, state.sleepers[id] == nil { state.awake -= 1 }
                return state.touch()
            }
            waiter?.resume()
        }
        return try await Self.$participant.withValue(id) { try await body() }
    }

    /// Moves time to `instant`, first forgetting the deadlines it makes due, so that a woken participant counts
    /// as awake from this moment rather than from when its task next runs.
    ///
    /// - Parameter instant: The new time.
    public func advance(to instant: Instant) {
        registry.state.withLock { state in
            for (id, entry) in state.deadlines where entry.deadline <= instant {
                state.deadlines[id] = nil
                state.remove(entry.participant)
                state.pending.insert(id)
            }
            state.activity += 1
        }
        manual.advance(to: instant)
    }

    /// Returns when the clock's ``activity`` differs from `seen` (a sleep started or ended), or at once when
    /// the task is cancelled.
    ///
    /// - Parameter seen: The activity the caller last saw.
    public func waitForActivity(since seen: UInt64) async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let ready = registry.state.withLock { state -> Bool in
                    if state.activity != seen || Task.isCancelled { return true }
                    state.waiter?.resume()
                    state.waiter = continuation
                    return false
                }
                if ready { continuation.resume() }
            }
        } onCancel: {
            registry.state.withLock { state -> CheckedContinuation<Void, Never>? in
                defer { state.waiter = nil }
                return state.waiter
            }?.resume()
        }
    }

    /// Whether every participant has a task asleep on this clock and every task woken by the clock (or by
    /// cancellation) has run since.
    public var participantsAsleep: Bool {
        registry.state.withLock { $0.awake == 0 && $0.pending.isEmpty }
    }

    /// A counter that moves whenever a sleep starts or ends: a driver reads it to see whether tasks still run.
    public var activity: UInt64 { registry.state.withLock { $0.activity } }

    /// The seconds since the clock's origin, for reports.
    public var elapsedSeconds: Double {
        let (seconds, attoseconds) = now.offset.components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}

/// Moves a ``SimulationClock`` forward whenever every task is waiting on it: the simulation's scheduler.
///
/// The driver yields until every participant (``SimulationClock/participate(_:_:)``) has a task asleep on the
/// clock and the clock's activity stops changing for a few rounds, then advances the clock to the earliest
/// deadline (plus a small quantum). Real time spent computing or waiting for disk therefore does
/// not move simulated time.
public enum SimulationDriver {
    /// Runs `work` while advancing `clock` whenever it is idle; returns `work`'s result.
    ///
    /// - Parameters:
    ///   - clock: The clock the work sleeps on.
    ///   - quantum: Sleepers due within this span after the next deadline wake together (1 ms by default).
    ///   - work: The simulation.
    /// - Returns: What `work` returns.
    /// - Throws: What `work` throws.
    public static func run<T: Sendable>(
        clock: SimulationClock, quantum: Duration = .milliseconds(1), _ work: @escaping @Sendable () async throws -> T
    ) async throws -> T {
        let driver = Task {
            while !Task.isCancelled {
                let seen = clock.activity
                guard clock.participantsAsleep, let deadline = clock.nextDeadline else {
                    await clock.waitForActivity(since: seen)
                    continue
                }
                // Every participant sleeps; give tasks the clock does not track (a timeout's timer task that was
                // just started or resumed and has not slept yet) some turns: 16, as 4 proved too few under load.
                var quiet = true
                for _ in 0..<16 {
                    await Task.yield()
                    if clock.activity != seen {
                        quiet = false
                        break
                    }
                }
                guard quiet else { continue }
                // Wake everything due within one quantum of the next deadline together: fewer, larger steps.
                clock.advance(to: deadline.advanced(by: quantum))
            }
        }
        defer { driver.cancel() }
        return try await work()
    }
}

extension SimulationClock {
    /// Sleeps until `deadline` ignoring cancellation, as a blocking SDK or a hung connection does: the sleep
    /// runs in a task of its own, which cancelling the caller does not reach.
    ///
    /// The caller waits for the sleep only until its `TaskDeadline` (a timeout's deadline), so only
    /// that part counts as the participant's wait (``waitedFor(_:)``); the rest is the abandoned work going on
    /// in the background, which must not let the driver move time while the participant computes.
    ///
    /// - Parameter deadline: When the sleep ends.
    public func deafSleep(until deadline: Instant) async {
        guard deadline > now else { return }
        let waited = Swift.min(deadline, TaskDeadline.current(on: self) ?? deadline)
        await Task {
            try? await SimulationClock.waitedFor { try await self.sleep(until: waited) }
            if deadline > waited { try? await self.sleep(until: deadline) }
        }.value
    }
}

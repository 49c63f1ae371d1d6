import ETRMShared

/// The one timer behind a ``Timeout`` (shared by its copies): a deadline queue and a long-lived task that
/// sleeps on the clock until the earliest deadline and cancels the work whose deadline has passed.
///
/// Each call registers its work's task (from inside that task) with a deadline and deregisters it when the
/// work ends, so work that finishes in time costs two uncontended lock sections and no allocation. Every
/// deadline is `now + duration` with `now` read under the lock, so deadlines are registered in order and the
/// queue is FIFO: the timer never needs waking for an earlier deadline, only when the queue was empty and it
/// parked. The timer holds the scheduler weakly and ends once the ``Timeout`` is gone.
///
/// A registered task is cancelled under the lock, so it cannot end (deregistration takes the same lock)
/// while it is being cancelled: the stored task reference never outlives its task.
@usableFromInline
final class TimeoutScheduler<C: Clock>: Sendable where C.Duration == Duration {
    /// The work's task, kept only while it is registered (see the class comment).
    struct WorkTask: @unchecked Sendable {
        let task: UnsafeCurrentTask
    }

    struct Entry {
        let deadline: C.Instant
        /// `nil` once the work deregistered (finished in time).
        var task: WorkTask?
    }

    enum TimerState {
        /// No timer task yet (no call has been registered).
        case notStarted
        /// The timer is running or sleeping; it looks at the queue when it wakes.
        case armed
        /// The queue was empty; the timer waits for the next registration.
        case parked(UnsafeContinuation<Bool, Never>)
    }

    struct State {
        /// `entries[i]` has the id `base + i`; `entries[..<head]` are spent (finished or expired).
        var entries: [Entry] = []
        var head = 0
        var base: UInt64 = 0
        var timer = TimerState.notStarted

        /// Drops spent entries from the front of the storage, keeping its capacity.
        mutating func compact() {
            if head == entries.count {
                base += UInt64(head)
                entries.removeAll(keepingCapacity: true)
                head = 0
            } else if head >= 1024 && head * 2 >= entries.count {
                base += UInt64(head)
                entries.removeFirst(head)
                head = 0
            }
        }
    }

    enum TimerStep {
        case sleep(until: C.Instant)
        case park
    }

    let duration: Duration
    let clock: C
    let state = LockedState(State())

    init(duration: Duration, clock: C) {
        self.duration = duration
        self.clock = clock
    }

    deinit {
        let parked: UnsafeContinuation<Bool, Never>? = state.withLock { state in
            guard case .parked(let continuation) = state.timer else { return nil }
            state.timer = .armed
            return continuation
        }
        parked?.resume(returning: false)
    }

    /// Runs `operation` on the current task (the work's own child task) under the deadline.
    /// - Returns: The operation's result, or `nil` when the deadline passed first (the result is discarded).
    @usableFromInline
    func run<Output>(_ operation: () async throws -> Output) async throws -> Output? {
        let id = withUnsafeCurrentTask { task in task.map { register(WorkTask(task: $0)) } }
        // Outside a task (impossible in an async function) there is nothing to cancel: run untimed.
        guard let id else { return try await operation() }
        let value: Output
        do {
            value = try await operation()
        } catch {
            if deregister(id) { return nil }
            throw error
        }
        return deregister(id) ? nil : value
    }

    /// Queues `task` with the deadline `now + duration`; returns its id.
    func register(_ task: WorkTask) -> UInt64 {
        let (id, start, parked) = state.withLock { state -> (UInt64, Bool, UnsafeContinuation<Bool, Never>?) in
            state.entries.append(Entry(deadline: clock.now.advanced(by: duration), task: task))
            let id = state.base + UInt64(state.entries.count - 1)
            switch state.timer {
            case .notStarted:
                state.timer = .armed
                return (id, true, nil)
            case .parked(let continuation):
                state.timer = .armed
                return (id, false, continuation)
            case .armed:
                return (id, false, nil)
            }
        }
        if start { startTimer() }
        parked?.resume(returning: true)
        return id
    }

    /// Removes the work `id`; returns `true` when its deadline had passed (the timer cancelled it).
    func deregister(_ id: UInt64) -> Bool {
        state.withLock { state in
            // The timer only passes over entries that are expired or already deregistered.
            guard id >= state.base + UInt64(state.head) else { return true }
            state.entries[Int(id - state.base)].task = nil
            while state.head < state.entries.count && state.entries[state.head].task == nil { state.head += 1 }
            state.compact()
            return false
        }
    }

    /// Cancels the work whose deadline has passed; says how long the timer sleeps next.
    func expire() -> TimerStep {
        state.withLock { state in
            let now = clock.now
            while state.head < state.entries.count, state.entries[state.head].deadline <= now {
                state.entries[state.head].task?.task.cancel()
                state.head += 1
            }
            state.compact()
            return state.head < state.entries.count ? .sleep(until: state.entries[state.head].deadline) : .park
        }
    }

    /// Parks the timer until the next registration (resumed with `true`), or the scheduler's end (`false`).
    func park(_ continuation: UnsafeContinuation<Bool, Never>) {
        let resumeNow = state.withLock { state in
            if state.head < state.entries.count { return true }
            state.timer = .parked(continuation)
            return false
        }
        if resumeNow { continuation.resume(returning: true) }
    }

    func startTimer() {
        let clock = self.clock
        let scheduler = WeakScheduler(value: self)
        Task.detached { await Self.timerLoop(scheduler, clock: clock) }
    }

    struct WeakScheduler: @unchecked Sendable {
        weak var value: TimeoutScheduler?
    }

    /// The timer: holds the scheduler only while it looks at the queue, so a dropped ``Timeout`` ends it.
    static func timerLoop(_ weakScheduler: WeakScheduler, clock: C) async {
        while true {
            guard let step = weakScheduler.value?.expire() else { return }
            switch step {
            case .sleep(let deadline):
                // The timer task is never cancelled, so the sleep only ends at the deadline.
                try? await clock.sleep(until: deadline, tolerance: nil)
            case .park:
                let alive = await withUnsafeContinuation { continuation in
                    if let scheduler = weakScheduler.value {
                        scheduler.park(continuation)
                    } else {
                        continuation.resume(returning: false)
                    }
                }
                if !alive { return }
            }
        }
    }
}

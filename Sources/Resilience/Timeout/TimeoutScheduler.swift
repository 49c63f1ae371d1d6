import ETRMShared

/// The timer behind a ``Timeout`` (shared by its copies): the deadlines of the pending calls in a min-heap, and
/// one timer task that sleeps on the clock until the earliest deadline and cancels the work whose deadline has
/// passed.
///
/// Each call registers its work's task (from inside that task, so the reference is valid while registered)
/// and deregisters it when the work ends: work that finishes in time costs two uncontended lock sections. A
/// registered task is cancelled under the lock, so it cannot end (deregistration takes the same lock) while it
/// is being cancelled.
///
/// The timer task exists only while calls are pending. The registration that finds no timer starts one with
/// `Task {}`, which inherits that call's task-local values and priority (a simulation clock that attributes
/// sleeps to a task-local participant sees the timer's sleep as that caller's). When the last pending call
/// finishes:
/// - on `ContinuousClock` and `SuspendingClock` the timer lingers until the latest deadline registered so far
///   (at most the timeout's duration after the last call) and then ends, so calls that keep coming do not
///   start a task each;
/// - on any other clock (a test or simulation clock, where sleepers are observable) the timer is cancelled at
///   once: its sleep leaves the clock before the call returns, and the task ends.
///
/// Storage (slots, tasks, free list and heap) grows to the largest number of concurrent calls and keeps its capacity,
/// so steady-state calls allocate nothing here.
@usableFromInline
package final class TimeoutScheduler<C: Clock>: Sendable where C.Duration == Duration {
    enum TimerStep {
        case sleep(until: Duration)
        case end
    }

    /// Whether an idle timer finishes its sleep instead of being cancelled (see the class comment).
    static var lingers: Bool { C.self == ContinuousClock.self || C.self == SuspendingClock.self }

    let clock: C
    let state = LockedState(TimeoutSchedulerState())
    /// The instant deadlines are measured from.
    @usableFromInline let origin: C.Instant

    init(clock: C) {
        self.clock = clock
        self.origin = clock.now
    }

    /// Runs `operation` on the current task (the work's own child task) under `deadline`.
    /// - Returns: The operation's result, or `nil` when the deadline passed first (the result is discarded).
    @inlinable
    func run<Output>(until deadline: C.Instant, _ operation: () async throws -> Output) async throws -> Output? {
        let offset = origin.duration(to: deadline)
        let registration = withUnsafeCurrentTask { task in
            task.map { register(TimeoutWorkTask(task: $0), deadline: offset) }
        }
        // Outside a task (impossible in an async function) there is nothing to cancel: run untimed.
        guard let registration else { return try await operation() }
        let value: Output
        do {
            value = try await operation()
        } catch {
            if deregister(registration) { return nil }
            throw error
        }
        return deregister(registration) ? nil : value
    }

    /// Queues `task` under `deadline`, starting a timer when none runs or when the new deadline is earlier than
    /// the one the timer sleeps towards.
    @usableFromInline
    func register(_ task: TimeoutWorkTask, deadline: Duration) -> TimeoutRegistration {
        let (registration, start, replaced) = state.withLock { state -> (TimeoutRegistration, UInt64?, UInt64?) in
            let registration = state.insert(task, deadline: deadline)
            guard let timer = state.timer else { return (registration, state.newTimer(), nil) }
            if let until = timer.until, deadline < until {
                return (registration, state.newTimer(), timer.generation)
            }
            return (registration, nil, nil)
        }
        if let replaced { cancelTimer(replaced) }
        if let start { startTimer(start) }
        return registration
    }

    /// Removes the registration; returns `true` when its deadline had passed (the timer cancelled the work).
    @usableFromInline
    func deregister(_ registration: TimeoutRegistration) -> Bool {
        let (expired, idleTimer) = state.withLock { state -> (Bool, UInt64?) in
            let slot = state.slots[registration.slot]
            guard slot.sequence == registration.sequence, slot.heapIndex != nil else { return (true, nil) }
            state.remove(registration.slot)
            guard state.heap.isEmpty, !Self.lingers, let timer = state.timer else { return (false, nil) }
            state.timer = nil
            return (false, timer.generation)
        }
        if let idleTimer { cancelTimer(idleTimer) }
        return expired
    }

    func startTimer(_ generation: UInt64) {
        let handle = Task { await self.timerLoop(generation) }
        let stale = state.withLock { state in
            // The loop may already have ended (nothing pending) or been replaced before its handle is stored.
            guard state.running.contains(generation) else { return false }
            state.handles[generation] = handle
            return state.timer?.generation != generation
        }
        if stale { handle.cancel() }
    }

    func cancelTimer(_ generation: UInt64) {
        state.withLock { $0.handles[generation] }?.cancel()
    }

    /// Cancels the work whose deadline has passed; says how long the timer `generation` sleeps next.
    func expire(_ generation: UInt64) -> TimerStep {
        state.withLock { state in
            guard state.timer?.generation == generation else { return .end }
            let now = origin.duration(to: clock.now)
            while let first = state.heap.first, state.slots[first].deadline <= now {
                state.tasks[first]?.task.cancel()
                state.remove(first)
            }
            guard let first = state.heap.first else {
                // Lingering: calls that keep coming at least once per duration find the timer still there.
                if Self.lingers, let latest = state.latestDeadline, latest > now {
                    state.timer?.until = latest
                    return .sleep(until: latest)
                }
                state.timer = nil
                return .end
            }
            let until = state.slots[first].deadline
            state.timer?.until = until
            return .sleep(until: until)
        }
    }

    func timerLoop(_ generation: UInt64) async {
        while case .sleep(let deadline) = expire(generation) {
            do {
                try await clock.sleep(until: origin.advanced(by: deadline), tolerance: nil)
            } catch {
                // Cancelled: the timer was replaced or is idle, and `expire` ends the loop.
                if state.withLock({ $0.timer?.generation == generation }) { break }
            }
        }
        let replacement: UInt64? = state.withLock { state in
            state.running.remove(generation)
            state.handles[generation] = nil
            // A current timer never stops while calls are pending; one cancelled from outside is replaced.
            guard state.timer?.generation == generation else { return nil }
            state.timer = nil
            return state.heap.isEmpty ? nil : state.newTimer()
        }
        if let replacement { startTimer(replacement) }
    }

    /// The number of timer tasks that have not ended (0 when no call is pending and the timer is gone).
    package var runningTimers: Int { state.withLock { $0.running.count } }

    /// The number of timer tasks started so far.
    package var startedTimers: Int { state.withLock { $0.started } }

    /// The number of calls pending.
    package var pendingCount: Int { state.withLock { $0.heap.count } }

    /// Waits until every timer task started so far has ended.
    package func waitForTimersToEnd() async {
        while let handle = state.withLock({ $0.handles.values.first }) {
            // The loop removes its own handle before it ends.
            await handle.value
        }
        // Timers whose handle was not stored yet have also ended once `running` is empty.
        while state.withLock({ !$0.running.isEmpty }) { await Task.yield() }
    }
}

// The scheduler's state is not generic: deadlines are `Duration`s since the scheduler's origin instant, so the
// hot path (register, deregister) runs without looking up generic metadata (measured: half the cost of a call
// when the state was generic over the clock).

/// The work's task, kept only while it is registered (see the class comment).
@usableFromInline
struct TimeoutWorkTask: @unchecked Sendable {
    let task: UnsafeCurrentTask
    @usableFromInline init(task: UnsafeCurrentTask) { self.task = task }
}

/// A registration: the slot it occupies and the sequence number that tells it from the slot's later users.
@usableFromInline
struct TimeoutRegistration: Sendable {
    let slot: Int
    let sequence: UInt64
}

/// A slot's deadline and heap position: plain values the heap compares and moves without calling into the
/// runtime. The task lives apart, in ``TimeoutSchedulerState/tasks``: `UnsafeCurrentTask` is a resilient type,
/// so a slot that held it was copied, compared and destroyed through value witnesses at every heap step
/// (measured with perf: `assignWithCopy for TimeoutSlot`, `destroy for TimeoutWorkTask` and its metadata
/// accessor on every call).
struct TimeoutSlot {
    var deadline: Duration
    var sequence: UInt64
    /// The slot's position in the heap; `nil` while the slot is free.
    var heapIndex: Int?
}

struct TimeoutTimer {
    let generation: UInt64
    /// The deadline the timer sleeps towards, once it sleeps.
    var until: Duration?
}

struct TimeoutSchedulerState {
    var slots: [TimeoutSlot] = []
    /// The registered work's task, by slot (`nil` while the slot is free).
    var tasks: [TimeoutWorkTask?] = []
    var free: [Int] = []
    /// Slot indices ordered by (deadline, sequence): `heap[0]` is the earliest deadline.
    var heap: [Int] = []
    var sequence: UInt64 = 0
    /// The latest deadline registered so far: a lingering idle timer sleeps until it.
    var latestDeadline: Duration?
    var generation: UInt64 = 0
    /// The current timer, if one runs.
    var timer: TimeoutTimer?
    /// Generations of the timer tasks that have not ended yet (a replaced timer ends shortly after).
    var running: Set<UInt64> = []
    /// Handles of the running timer tasks, to cancel a replaced one and for tests to await their end.
    var handles: [UInt64: Task<Void, Never>] = [:]
    /// Timer tasks started so far (for tests).
    var started = 0

    func earlier(_ a: Int, _ b: Int) -> Bool {
        let (x, y) = (slots[a], slots[b])
        return x.deadline < y.deadline || (x.deadline == y.deadline && x.sequence < y.sequence)
    }

    mutating func place(_ slot: Int, at index: Int) {
        heap[index] = slot
        slots[slot].heapIndex = index
    }

    mutating func siftUp(_ start: Int) {
        var index = start
        let slot = heap[index]
        while index > 0 {
            let parent = (index - 1) / 2
            guard earlier(slot, heap[parent]) else { break }
            place(heap[parent], at: index)
            index = parent
        }
        place(slot, at: index)
    }

    mutating func siftDown(_ start: Int) {
        var index = start
        let slot = heap[index]
        while true {
            let left = 2 * index + 1
            guard left < heap.count else { break }
            let right = left + 1
            let child = right < heap.count && earlier(heap[right], heap[left]) ? right : left
            guard earlier(heap[child], slot) else { break }
            place(heap[child], at: index)
            index = child
        }
        place(slot, at: index)
    }

    mutating func insert(_ task: TimeoutWorkTask, deadline: Duration) -> TimeoutRegistration {
        sequence &+= 1
        if latestDeadline.map({ $0 < deadline }) ?? true { latestDeadline = deadline }
        let entry = TimeoutSlot(deadline: deadline, sequence: sequence, heapIndex: heap.count)
        let slot: Int
        if let reused = free.popLast() {
            slot = reused
            slots[slot] = entry
            tasks[slot] = task
        } else {
            slot = slots.count
            slots.append(entry)
            tasks.append(task)
        }
        heap.append(slot)
        siftUp(heap.count - 1)
        _checkInvariants()
        return TimeoutRegistration(slot: slot, sequence: sequence)
    }

    /// Takes the slot out of the heap and frees it.
    mutating func remove(_ slot: Int) {
        guard let index = slots[slot].heapIndex else { return }
        slots[slot].heapIndex = nil
        tasks[slot] = nil
        free.append(slot)
        let last = heap.removeLast()
        defer { _checkInvariants() }
        guard index < heap.count else { return }
        place(last, at: index)
        siftDown(index)
        siftUp(slots[last].heapIndex ?? index)
    }

    /// Traps when the heap is broken: every parent no later than its children, each heap entry's slot pointing
    /// back at its position with a task, and every other slot free (no position, no task, on the free list).
    /// Runs after each insert and removal in debug builds (O(n)) and from the tests; a no-op in release.
    func _checkInvariants() {
        #if DEBUG
            precondition(slots.count == tasks.count, "timeout slots and tasks differ in number")
            for (index, slot) in heap.enumerated() {
                precondition(slots[slot].heapIndex == index, "timeout slot \(slot) does not know its heap position")
                precondition(tasks[slot] != nil, "timeout slot \(slot) is in the heap without a task")
                if index > 0 { precondition(!earlier(slot, heap[(index - 1) / 2]), "timeout heap out of order") }
            }
            precondition(heap.count + free.count == slots.count, "timeout slots are neither in the heap nor free")
            for slot in free { precondition(slots[slot].heapIndex == nil && tasks[slot] == nil, "free slot in use") }
        #endif
    }

    /// Makes a new timer current; returns its generation.
    mutating func newTimer() -> UInt64 {
        generation &+= 1
        timer = TimeoutTimer(generation: generation)
        running.insert(generation)
        started += 1
        return generation
    }
}

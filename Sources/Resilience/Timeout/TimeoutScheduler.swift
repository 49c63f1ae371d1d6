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
/// The timer behaves the same on every clock. A call that finds it idle (not started yet, or parked) sets it
/// asleep until that call's deadline; the first call starts its task (detached: it serves every call, so it
/// takes none of its starter's task-local values). Finished calls leave the timer alone. Each time it wakes it
/// cancels the work whose deadline has passed and sleeps until the earliest pending deadline, or, with nothing
/// pending, parks on a continuation, with no sleep on the clock, until the next call resumes it. So calls that
/// keep coming never start a task or a sleep each: at most one sleep per timeout's duration. A call whose
/// deadline is earlier than the one the timer sleeps towards replaces the timer (a task cannot stop sleeping
/// without being cancelled). The timer task holds the state, not the scheduler: when the last copy of the
/// ``Timeout`` goes, `deinit` ends it, parked or asleep.
///
/// On a test clock, therefore, a call that finished early leaves the timer's sleep on the clock until time
/// reaches that call's deadline; once the clock has passed it, the timer parks and no sleeper is left.
///
/// Storage (slots, tasks, free list and heap) grows to the largest number of concurrent calls and keeps its capacity,
/// so steady-state calls allocate nothing here.
@usableFromInline
package final class TimeoutScheduler<C: Clock>: Sendable where C.Duration == Duration {
    let clock: C
    let state = LockedState(TimeoutSchedulerState())
    /// The instant deadlines are measured from.
    @usableFromInline let origin: C.Instant

    init(clock: C) {
        self.clock = clock
        self.origin = clock.now
    }

    deinit {
        // No call is pending (each holds the scheduler): end the parked timer, or cancel the idle sleep.
        let handles = state.withLock { state in
            state.closed = true
            state.parked?.resume()
            state.parked = nil
            return Array(state.handles.values)
        }
        for handle in handles { handle.cancel() }
    }

    /// The timer task's view of the scheduler: what it needs, without keeping the scheduler alive.
    package var timer: TimeoutTimer<C> { TimeoutTimer(clock: clock, origin: origin, state: state) }

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

    /// Queues `task` under `deadline`: starts the timer when there is none, resumes it when it is parked, and
    /// replaces it when the new deadline is earlier than the one it sleeps towards.
    @usableFromInline
    func register(_ task: TimeoutWorkTask, deadline: Duration) -> TimeoutRegistration {
        let (registration, action) = state.withLock { state -> (TimeoutRegistration, TimeoutTimerAction) in
            let registration = state.insert(task, deadline: deadline)
            guard let timer = state.timer else { return (registration, .start(state.newTimer(wake: deadline))) }
            if let parked = state.parked {
                state.parked = nil
                state.resumes += 1
                state.timer?.wake = deadline
                parked.resume()
                return (registration, .none)
            }
            guard let until = timer.until else {
                // Started or resumed, not asleep yet: it will sleep until this deadline at the latest.
                state.timer?.wake = min(timer.wake ?? deadline, deadline)
                return (registration, .none)
            }
            if deadline < until {
                return (registration, .replace(timer.generation, by: state.newTimer(wake: deadline)))
            }
            return (registration, .none)
        }
        switch action {
        case .none: break
        case .start(let generation): self.timer.start(generation)
        case .replace(let old, let new):
            let timer = self.timer
            timer.cancel(old)
            timer.start(new)
        }
        return registration
    }

    /// Removes the registration; returns `true` when its deadline had passed (the timer cancelled the work).
    /// The timer is left alone (see the class comment).
    @usableFromInline
    func deregister(_ registration: TimeoutRegistration) -> Bool {
        state.withLock { state in
            let slot = state.slots[registration.slot]
            guard slot.sequence == registration.sequence, slot.heapIndex != nil else { return true }
            state.remove(registration.slot)
            return false
        }
    }

    /// The number of calls pending.
    package var pendingCount: Int { state.withLock { $0.heap.count } }
}

/// What a registration does to the timer once it has left the lock.
enum TimeoutTimerAction {
    case none
    case start(UInt64)
    case replace(UInt64, by: UInt64)
}

/// The timer task's view of a ``TimeoutScheduler``: the clock and the shared state, not the scheduler, so that
/// the scheduler's `deinit` can end the timer. Tests keep one to watch the timer after the ``Timeout`` is gone.
package struct TimeoutTimer<C: Clock>: Sendable where C.Duration == Duration {
    enum Step {
        case sleep(until: Duration)
        case park
        case end
    }

    let clock: C
    let origin: C.Instant
    let state: LockedState<TimeoutSchedulerState>

    func start(_ generation: UInt64) {
        let timer = self
        let handle = Task.detached { await timer.run(generation) }
        let stale = state.withLock { state in
            // The loop may already have ended or been replaced before its handle is stored.
            guard state.running.contains(generation) else { return false }
            state.handles[generation] = handle
            return state.timer?.generation != generation || state.closed
        }
        if stale { handle.cancel() }
    }

    func cancel(_ generation: UInt64) {
        state.withLock { $0.handles[generation] }?.cancel()
    }

    /// Cancels the work whose deadline has passed; says what the timer `generation` does next.
    func expire(_ generation: UInt64) -> Step {
        state.withLock { state in
            guard state.timer?.generation == generation, !state.closed else { return .end }
            let now = origin.duration(to: clock.now)
            while let first = state.heap.first, state.slots[first].deadline <= now {
                state.tasks[first]?.task.cancel()
                state.remove(first)
            }
            // The earliest pending deadline, or the deadline of the call that started or resumed the timer even
            // if that call has finished: a call that finds the timer idle always sets it asleep until then.
            var until = state.heap.first.map { state.slots[$0].deadline }
            if let wake = state.timer?.wake, wake > now { until = min(until ?? wake, wake) }
            state.timer?.wake = nil
            state.timer?.until = until
            return until.map { .sleep(until: $0) } ?? .park
        }
    }

    /// Suspends the idle timer, with no sleep on the clock, until a registration resumes it (`true`) or the
    /// scheduler goes (`false`).
    ///
    /// Both resume it under the lock, which it takes again to see which: as in `TimeoutRace`, the lock is what
    /// tells the thread sanitizer that the resumer's work happens before the timer's.
    func park(_ generation: UInt64) async -> Bool {
        await withUnsafeContinuation { (continuation: UnsafeContinuation<Void, Never>) in
            let parked = state.withLock { state in
                // Replaced or closed, or a call registered after `expire` looked: no parking.
                guard state.timer?.generation == generation, !state.closed, state.heap.isEmpty else { return false }
                state.parked = continuation
                state.parks += 1
                return true
            }
            if !parked { continuation.resume() }
        }
        return state.withLock { $0.timer?.generation == generation && !$0.closed }
    }

    func run(_ generation: UInt64) async {
        loop: while true {
            switch expire(generation) {
            case .sleep(let deadline):
                do {
                    try await clock.sleep(until: origin.advanced(by: deadline), tolerance: nil)
                } catch {
                    // Cancelled: replaced, or the scheduler is gone.
                    break loop
                }
            case .park:
                guard await park(generation) else { break loop }
            case .end:
                break loop
            }
        }
        let replacement: UInt64? = state.withLock { state in
            state.running.remove(generation)
            state.handles[generation] = nil
            // A current timer never stops while calls are pending; one cancelled from outside is replaced.
            guard state.timer?.generation == generation else { return nil }
            state.timer = nil
            return state.heap.isEmpty || state.closed ? nil : state.newTimer(wake: nil)
        }
        if let replacement { start(replacement) }
    }

    /// The number of timer tasks that have not ended (replaced ones end shortly after their replacement).
    package var runningTimers: Int { state.withLock { $0.running.count } }

    /// The number of timer tasks started so far.
    package var startedTimers: Int { state.withLock { $0.started } }

    /// How many times the timer parked, and how many times a registration resumed it.
    package var parkings: (parked: Int, resumed: Int) { state.withLock { ($0.parks, $0.resumes) } }

    /// Whether the timer is parked (idle, no sleep on the clock).
    package var isParked: Bool { state.withLock { $0.parked != nil } }

    /// Waits until no call is pending, the timer is parked (or there is none) and every replaced timer task
    /// has ended. On a test clock, advance past the deadlines first: an idle timer parks only once its sleep
    /// ends.
    package func waitUntilParked() async {
        while state.withLock({ !$0.heap.isEmpty || $0.running.count != ($0.parked == nil ? 0 : 1) }) {
            await Task.yield()
        }
    }

    /// Waits until every timer task started so far has ended (once the ``Timeout`` is gone: while it exists,
    /// an idle timer parks instead of ending).
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
// hot path (register, deregister) runs without looking up generic metadata.

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
/// so a slot that held it would be copied and destroyed through value witnesses at every heap step.
struct TimeoutSlot {
    var deadline: Duration
    var sequence: UInt64
    /// The slot's position in the heap; `nil` while the slot is free.
    var heapIndex: Int?
}

struct TimeoutCurrentTimer {
    let generation: UInt64
    /// The deadline the timer sleeps towards while it sleeps (`nil` before its first sleep and while parked).
    var until: Duration?
    /// The deadline of the call that started or resumed the timer: its next sleep lasts until then at most,
    /// even if that call has finished meanwhile.
    var wake: Duration?
}

struct TimeoutSchedulerState {
    var slots: [TimeoutSlot] = []
    /// The registered work's task, by slot (`nil` while the slot is free).
    var tasks: [TimeoutWorkTask?] = []
    var free: [Int] = []
    /// Slot indices ordered by (deadline, sequence): `heap[0]` is the earliest deadline.
    var heap: [Int] = []
    var sequence: UInt64 = 0
    var generation: UInt64 = 0
    /// The current timer, if one runs.
    var timer: TimeoutCurrentTimer?
    /// Generations of the timer tasks that have not ended yet (a replaced timer ends shortly after).
    var running: Set<UInt64> = []
    /// Handles of the running timer tasks, to cancel a replaced one and for tests to await their end.
    var handles: [UInt64: Task<Void, Never>] = [:]
    /// The current timer's continuation while it is parked.
    var parked: UnsafeContinuation<Void, Never>?
    /// Set by the scheduler's `deinit`: the timer ends instead of parking.
    var closed = false
    /// Timer tasks started, parkings and resumptions so far (for tests).
    var started = 0
    var parks = 0
    var resumes = 0

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
    mutating func newTimer(wake: Duration?) -> UInt64 {
        generation &+= 1
        timer = TimeoutCurrentTimer(generation: generation, wake: wake)
        running.insert(generation)
        started += 1
        return generation
    }
}

import ETRMShared

/// Caps the concurrent calls to an upstream, with a bounded FIFO queue and a maximum queue wait.
///
/// ```swift
/// let bulkhead = try Bulkhead(.init(maxConcurrent: 8, maxQueue: 32, maximumQueueWait: .seconds(2)))
/// let page = try await bulkhead.execute { try await vendor.fetchPage(n) }
/// ```
///
/// A call takes a permit at once when one is free and nobody is queued; otherwise it queues (FIFO) when the
/// queue has room, or is rejected with ``ResilienceError/Code/bulkheadFull``. A queued call that waits
/// ``BulkheadConfiguration/maximumQueueWait``, or until the task's ``TaskDeadline``, fails with
/// ``ResilienceError/Code/bulkheadQueueTimeout``; a
/// cancelled one leaves the queue at once with `CancellationError`. No permit ever leaks: a waiter that is
/// cancelled just after being handed a permit still returns it.
///
/// The fast path (a free permit) takes the lock once to acquire and once to release and allocates nothing; the
/// queue wait with a maximum runs one timer child task.
public final class Bulkhead<C: Clock>: ResilienceStrategy, Sendable where C.Duration == Duration {
    /// The settings type (``BulkheadConfiguration``).
    public typealias Configuration = BulkheadConfiguration

    @usableFromInline
    enum Slot: Sendable {
        /// Queued; the task has not suspended yet.
        case pending
        case suspended(CheckedContinuation<Void, any Error>)
        /// Handed a permit before it suspended.
        case granted
        /// Removed from the queue (cancelled or timed out) before it suspended; holds the error to throw.
        case failed(any Error)
    }

    @usableFromInline
    struct State: Sendable {
        @usableFromInline var machine: BulkheadStateMachine
        @usableFromInline var slots: [UInt64: Slot] = [:]
        @usableFromInline var nextID: UInt64 = 0
        @usableFromInline var rejected = 0
        @usableFromInline var timedOut = 0

        @usableFromInline
        init(machine: BulkheadStateMachine) { self.machine = machine }

        /// The continuation to resume for a waiter handed a permit, or `nil` when it has not suspended yet
        /// (it is marked granted and finds its permit when it does).
        @usableFromInline
        mutating func hand(permitTo waiter: UInt64) -> CheckedContinuation<Void, any Error>? {
            switch slots[waiter] {
            case .suspended(let continuation):
                slots[waiter] = nil
                return continuation
            case .pending:
                slots[waiter] = .granted
                return nil
            case .granted, .failed, nil:
                // A queued waiter always has a pending or suspended slot; nothing else can be resumed.
                return nil
            }
        }
    }

    /// A snapshot of the bulkhead.
    public struct Metrics: Sendable, Equatable {
        /// Permits held now.
        public var inUse: Int
        /// Calls queued now.
        public var queued: Int
        /// Calls rejected because permits and queue were full.
        public var rejected: Int
        /// Calls that waited the maximum queue wait.
        public var timedOut: Int
    }

    /// The settings.
    public let configuration: BulkheadConfiguration
    /// The clock for the queue wait.
    public let clock: C
    @usableFromInline let state: LockedState<State>

    /// Creates an idle bulkhead.
    /// - Parameters:
    ///   - configuration: The settings.
    ///   - clock: The clock for the maximum queue wait.
    /// - Throws: ``ResilienceError/Code/invalidConfiguration`` for out-of-range settings.
    public init(_ configuration: BulkheadConfiguration = .init(), clock: C) throws(ResilienceError) {
        try configuration.validate()
        self.configuration = configuration
        self.clock = clock
        self.state = LockedState(
            State(
                machine: BulkheadStateMachine(
                    maxConcurrent: configuration.maxConcurrent, maxQueue: configuration.maxQueue)))
    }

    /// Runs `operation` under a permit.
    /// - Parameter operation: The bounded call.
    /// - Returns: The operation's result.
    /// - Throws: ``ResilienceError/Code/bulkheadFull``, ``ResilienceError/Code/bulkheadQueueTimeout``,
    ///   `CancellationError`, or the operation's error.
    @inlinable
    nonisolated(nonsending) public func execute<Output: Sendable>(
        _ operation: nonisolated(nonsending) @Sendable () async throws -> Output
    ) async throws -> Output {
        try await acquire()
        defer { release() }
        return try await operation()
    }

    /// Takes a permit, queueing if needed. Pair every successful call with one ``release()``.
    /// - Throws: ``ResilienceError/Code/bulkheadFull``, ``ResilienceError/Code/bulkheadQueueTimeout`` or
    ///   `CancellationError`; no permit is held after a throw.
    @inlinable
    nonisolated(nonsending) public func acquire() async throws {
        let (id, action) = state.withLock { state in
            let id = state.nextID
            state.nextID &+= 1
            let action = state.machine.acquire(waiter: id)
            switch action {
            case .permitted: break
            case .enqueued: state.slots[id] = .pending
            case .rejected: state.rejected += 1
            }
            return (id, action)
        }
        if action != .permitted { try await acquireSlowly(id, action) }
    }

    /// The rejection or the queue wait of ``acquire()``.
    @usableFromInline
    nonisolated(nonsending) func acquireSlowly(_ id: UInt64, _ action: BulkheadStateMachine.AcquireAction) async throws
    {
        switch action {
        case .permitted:
            return
        case .rejected:
            configuration.observer.emit(
                ResilienceEvent(source: configuration.name, kind: .rejected, rejection: .bulkheadFull, retryAfter: nil))
            throw ResilienceError(
                code: .bulkheadFull,
                message: "bulkhead '\(configuration.name)' has \(configuration.maxConcurrent) calls running and "
                    + "\(configuration.maxQueue) queued")
        case .enqueued(let position):
            configuration.observer.emit(
                ResilienceEvent(source: configuration.name, kind: .bulkheadQueued, queueLength: position))
            // The queue wait ends at `maximumQueueWait` or at the task's deadline, whichever comes first.
            let now = clock.now
            let deadline: C.Instant
            switch (configuration.maximumQueueWait.map { now.advanced(by: $0) }, TaskDeadline.current(on: clock)) {
            case (nil, nil): return try await wait(id)
            case (let only?, nil), (nil, let only?): deadline = only
            case (let configured?, let task?): deadline = Swift.min(configured, task)
            }
            let maximumWait = now.duration(to: deadline)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { [clock] in
                    // Cancelled when the waiter finishes first; only a timer that ran to the end expires it.
                    guard (try? await clock.sleep(until: deadline, tolerance: nil)) != nil else { return }
                    self.expire(id, after: maximumWait)
                }
                defer { group.cancelAll() }
                try await wait(id)
            }
        }
    }

    /// Gives a permit back (to the oldest waiter, if any).
    @inlinable
    public func release() {
        let continuation: CheckedContinuation<Void, any Error>? = state.withLock { state in
            guard case .resume(let waiter) = state.machine.release() else { return nil }
            return state.hand(permitTo: waiter)
        }
        continuation?.resume()
    }

    private func wait(_ id: UInt64) async throws {
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let outcome: Result<Void, any Error>? = state.withLock { state in
                    switch state.slots[id] {
                    case .pending:
                        state.slots[id] = .suspended(continuation)
                        return nil
                    case .granted:
                        state.slots[id] = nil
                        return .success(())
                    case .failed(let error):
                        state.slots[id] = nil
                        return .failure(error)
                    case .suspended, nil:
                        return .failure(CancellationError())
                    }
                }
                if let outcome { continuation.resume(with: outcome) }
            }
        } onCancel: {
            leave(id, with: CancellationError())
        }
    }

    private func expire(_ id: UInt64, after wait: Duration) {
        let error = ResilienceError(
            code: .bulkheadQueueTimeout, message: "bulkhead '\(configuration.name)' queue wait exceeded \(wait)")
        if leave(id, with: error) {
            state.withLock { $0.timedOut += 1 }
            configuration.observer.emit(
                ResilienceEvent(
                    source: configuration.name, kind: .rejected, rejection: .bulkheadQueueTimeout, retryAfter: nil))
        }
    }

    /// Removes a queued waiter and fails it with `error`. Returns false when it already has a permit.
    @discardableResult
    private func leave(_ id: UInt64, with error: any Error) -> Bool {
        let (left, continuation): (Bool, CheckedContinuation<Void, any Error>?) = state.withLock { state in
            guard state.machine.leave(waiter: id) else { return (false, nil) }
            if case .suspended(let continuation) = state.slots[id] {
                state.slots[id] = nil
                return (true, continuation)
            }
            state.slots[id] = .failed(error)
            return (true, nil)
        }
        continuation?.resume(throwing: error)
        return left
    }

    /// A snapshot of permits, queue and counters.
    public var metrics: Metrics {
        state.withLock { state in
            Metrics(
                inUse: state.machine.inUse, queued: state.machine.queueLength, rejected: state.rejected,
                timedOut: state.timedOut)
        }
    }
}

extension Bulkhead where C == ContinuousClock {
    /// Creates an idle bulkhead on the continuous clock.
    /// - Parameter configuration: The settings.
    /// - Throws: ``ResilienceError/Code/invalidConfiguration`` for out-of-range settings.
    public convenience init(_ configuration: BulkheadConfiguration = .init()) throws(ResilienceError) {
        try self.init(configuration, clock: ContinuousClock())
    }
}

/// The settings of a ``Bulkhead``.
public struct BulkheadConfiguration: Sendable {
    /// The name in events.
    public var name: String
    /// Calls that may run at once. Default 10.
    public var maxConcurrent: Int
    /// Calls that may wait for a permit. Default 0 (reject when full).
    public var maxQueue: Int
    /// The longest a call waits in the queue; `nil` (the default) waits until a permit or cancellation.
    public var maximumQueueWait: Duration?
    /// Receives the bulkhead's events. Default none.
    public var observer: (any ResilienceObserver)?

    /// Creates a configuration.
    /// - Parameters:
    ///   - name: The name in events.
    ///   - maxConcurrent: Calls at once (at least 1).
    ///   - maxQueue: Queue bound (0 or more).
    ///   - maximumQueueWait: The longest queue wait (positive), if any.
    ///   - observer: The event observer.
    public init(
        name: String = "bulkhead", maxConcurrent: Int = 10, maxQueue: Int = 0, maximumQueueWait: Duration? = nil,
        observer: (any ResilienceObserver)? = nil
    ) {
        self.name = name
        self.maxConcurrent = maxConcurrent
        self.maxQueue = maxQueue
        self.maximumQueueWait = maximumQueueWait
        self.observer = observer
    }

    func validate() throws(ResilienceError) {
        guard maxConcurrent >= 1 else {
            throw .invalidConfiguration("bulkhead maxConcurrent must be at least 1 (got \(maxConcurrent))")
        }
        guard maxQueue >= 0 else {
            throw .invalidConfiguration("bulkhead maxQueue must not be negative (got \(maxQueue))")
        }
        if let maximumQueueWait, maximumQueueWait <= .zero {
            throw .invalidConfiguration("bulkhead maximumQueueWait must be positive (got \(maximumQueueWait))")
        }
    }
}

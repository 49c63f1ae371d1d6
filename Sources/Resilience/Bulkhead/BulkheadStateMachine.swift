/// The logic of a ``Bulkhead``: permits in use and a bounded FIFO queue of waiter ids.
///
/// A released permit is handed straight to the oldest waiter (the in-use count does not change), so a
/// newcomer can never overtake the queue. A waiter that leaves (cancelled, timed out) is removed; if it had
/// already been handed a permit it owns it and must release it like any holder: permits are conserved.
@usableFromInline
package struct BulkheadStateMachine: Sendable {
    /// The answer to ``BulkheadStateMachine/acquire(waiter:)``.
    @usableFromInline
    package enum AcquireAction: Sendable, Equatable {
        /// A permit was taken; run now.
        case permitted
        /// All permits are in use; the waiter is queued at `position` (1 = next).
        case enqueued(position: Int)
        /// Permits and queue are full.
        case rejected
    }

    /// The answer to ``BulkheadStateMachine/release()``.
    @usableFromInline
    package enum ReleaseAction: Sendable, Equatable {
        /// The permit went back to the pool.
        case none
        /// The permit was handed to waiter `id`: resume it.
        case resume(waiter: UInt64)
    }

    /// The permits in total.
    @usableFromInline package let maxConcurrent: Int
    /// The longest queue.
    @usableFromInline package let maxQueue: Int
    /// Permits held now (including those handed to waiters that have not resumed yet).
    @inlinable package var inUse: Int { _inUse }
    @usableFromInline var _inUse = 0
    @usableFromInline var queue: [UInt64] = []
    @usableFromInline var head = 0

    /// Creates an idle bulkhead.
    /// - Parameters:
    ///   - maxConcurrent: The permits.
    ///   - maxQueue: The queue's bound (0: no queue).
    @usableFromInline package init(maxConcurrent: Int, maxQueue: Int) {
        self.maxConcurrent = maxConcurrent
        self.maxQueue = maxQueue
    }

    /// The number of queued waiters.
    @inlinable package var queueLength: Int { queue.count - head }

    /// Takes a permit, or queues `waiter`, or rejects.
    /// - Parameter waiter: A unique id for the caller.
    /// - Returns: What happened.
    @inlinable
    package mutating func acquire(waiter: UInt64) -> AcquireAction {
        if _inUse < maxConcurrent && queueLength == 0 {
            _inUse += 1
            return .permitted
        }
        guard queueLength < maxQueue else { return .rejected }
        queue.append(waiter)
        return .enqueued(position: queueLength)
    }

    /// Gives a permit back; it goes to the oldest waiter if there is one.
    /// - Returns: The waiter to resume, if any.
    @inlinable
    package mutating func release() -> ReleaseAction {
        guard queueLength > 0 else {
            _inUse -= 1
            return .none
        }
        let waiter = queue[head]
        head += 1
        if head > 64 && head * 2 > queue.count {
            queue.removeFirst(head)
            head = 0
        }
        return .resume(waiter: waiter)
    }

    /// Removes `waiter` from the queue (it was cancelled or waited too long).
    /// - Parameter waiter: The waiter's id.
    /// - Returns: True when it was queued; false when it had already been handed a permit (or never queued),
    ///   in which case it holds a permit it must release.
    @usableFromInline package mutating func leave(waiter: UInt64) -> Bool {
        guard let index = queue[head...].firstIndex(of: waiter) else { return false }
        queue.remove(at: index)
        return true
    }
}

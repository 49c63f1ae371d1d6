import ETRMShared
import Resilience
import Synchronization

/// A thread-safe list that concurrent test tasks append to, so tests can count and inspect what happened.
final class Recorder<Element: Sendable>: Sendable {
    private let storage = LockedState<[Element]>([])

    func append(_ element: Element) { storage.withLock { $0.append(element) } }

    var values: [Element] { storage.withLock { $0 } }

    var count: Int { storage.withLock { $0.count } }
}

/// A thread-safe counter for concurrency tests.
final class Counter: Sendable {
    private let value = Atomic<Int>(0)

    @discardableResult
    func increment(by amount: Int = 1) -> Int { value.wrappingAdd(amount, ordering: .relaxed).newValue }

    func decrement() { value.wrappingSubtract(1, ordering: .relaxed) }

    var current: Int { value.load(ordering: .relaxed) }
}

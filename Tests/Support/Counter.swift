import Synchronization

/// A thread-safe counter for concurrency tests: how many times something happened.
package final class Counter: Sendable {
    private let value = Atomic<Int>(0)

    package init() {}

    /// Adds `amount` and returns the new value.
    @discardableResult
    package func increment(by amount: Int = 1) -> Int { value.wrappingAdd(amount, ordering: .relaxed).newValue }

    /// Subtracts one.
    package func decrement() { value.wrappingSubtract(1, ordering: .relaxed) }

    /// The current value.
    package var current: Int { value.load(ordering: .relaxed) }
}

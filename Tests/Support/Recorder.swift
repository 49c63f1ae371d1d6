import ETRMShared

/// A thread-safe list that concurrent test tasks append to, so tests can count and inspect what happened.
package final class Recorder<Element: Sendable>: Sendable {
    private let storage = LockedState<[Element]>([])

    package init() {}

    /// Appends one element.
    package func append(_ element: Element) { storage.withLock { $0.append(element) } }

    /// Everything appended so far, in order.
    package var values: [Element] { storage.withLock { $0 } }

    /// The number of elements appended so far.
    package var count: Int { storage.withLock { $0.count } }
}

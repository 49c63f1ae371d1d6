import ETRMShared

/// A dead-letter sink that keeps letters in memory, for tests and for services that forward letters
/// elsewhere in batches. Thread-safe: a `Mutex` guards the list.
public final class InMemoryDeadLetterSink: DeadLetterSink {
    private let storage = LockedState<[DeadLetter]>([])

    /// Creates an empty sink.
    public init() {}

    /// Appends the letter; never throws.
    ///
    /// - Parameter letter: The quarantined record.
    public func quarantine(_ letter: DeadLetter) {
        storage.withLock { $0.append(letter) }
    }

    /// The letters so far, in the order they arrived.
    public var letters: [DeadLetter] { storage.withLock { $0 } }

    /// The number of letters so far.
    public var count: Int { storage.withLock { $0.count } }

    /// Returns the letters so far and empties the sink.
    ///
    /// - Returns: The letters, in arrival order.
    public func drain() -> [DeadLetter] {
        storage.withLock { letters in
            defer { letters.removeAll() }
            return letters
        }
    }
}

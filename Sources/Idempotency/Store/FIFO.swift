/// A first-in first-out queue over an array with a moving head, compacted when half of it is spent.
struct FIFO<Element> {
    private var storage: [Element] = []
    private var head = 0

    var count: Int { storage.count - head }

    mutating func append(_ element: Element) {
        storage.append(element)
        _checkInvariants()
    }

    mutating func popFirst() -> Element? {
        guard head < storage.count else { return nil }
        let element = storage[head]
        head += 1
        if head >= 32, head * 2 >= storage.count {
            storage.removeFirst(head)
            head = 0
        }
        _checkInvariants()
        return element
    }

    mutating func removeAll(where shouldRemove: (Element) -> Bool) {
        storage.removeFirst(head)
        head = 0
        storage.removeAll(where: shouldRemove)
        _checkInvariants()
    }

    /// Traps when the queue's structure is broken: the head within the storage, and a head of 32 or more only
    /// while less than half of the storage is spent (`popFirst` compacts then). Does nothing in release builds.
    func _checkInvariants() {
        #if DEBUG
            precondition(head >= 0 && head <= storage.count, "FIFO head \(head) outside 0...\(storage.count)")
            precondition(head < 32 || head * 2 < storage.count, "FIFO left \(head) spent elements uncompacted")
        #endif
    }
}

extension FIFO: Sendable where Element: Sendable {}

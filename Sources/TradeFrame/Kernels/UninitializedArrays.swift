extension ContiguousArray {
    /// `init(unsafeUninitializedCapacity:initializingWith:)`, except that an empty array is made without it: for a
    /// capacity of 0 that initialiser writes the count into the storage every empty array shares, a data race the
    /// thread sanitizer reports when two threads make empty columns at once. TradeFrame makes every such array with
    /// it.
    init(
        filling capacity: Int,
        _ initializer: (inout UnsafeMutableBufferPointer<Element>, inout Int) throws -> Void
    ) rethrows {
        guard capacity > 0 else {
            self.init()
            return
        }
        try self.init(unsafeUninitializedCapacity: capacity, initializingWith: initializer)
    }
}

extension Array {
    /// `init(unsafeUninitializedCapacity:initializingWith:)` without touching the shared empty storage; see
    /// `ContiguousArray.init(filling:_:)`. The conversion shares the buffer (no copy).
    init(
        filling capacity: Int,
        _ initializer: (inout UnsafeMutableBufferPointer<Element>, inout Int) throws -> Void
    ) rethrows {
        self.init(try ContiguousArray(filling: capacity, initializer))
    }
}

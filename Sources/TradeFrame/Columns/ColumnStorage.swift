/// The values behind a column: a Swift array, or values read in place from a ``MappedRegion`` (an Arrow IPC file
/// mapped into memory), which the storage keeps alive.
///
/// Both are immutable once made, so copies and slices of a column share them. A region's values were checked
/// when the file was read (every buffer lies inside the file, is aligned for `Element` and holds the rows the
/// column declares), so reading them afterwards is as safe as reading an array.
@usableFromInline
struct ColumnStorage<Element> {
    // Plain stored properties: an access to an array-backed column costs one test of `owner`.
    /// The values when they are held in an array (empty when they are mapped).
    @usableFromInline let array: ContiguousArray<Element>
    /// The values when they are mapped (empty otherwise).
    @usableFromInline let mapped: UnsafeBufferPointer<Element>
    /// The mapping `mapped` lies in, kept alive by the storage; `nil` for an array.
    @usableFromInline let owner: MappedRegion?

    /// Storage over an array.
    @inlinable
    init(_ array: ContiguousArray<Element>) {
        self.array = array
        mapped = UnsafeBufferPointer(start: nil, count: 0)
        owner = nil
    }

    /// Storage over `values`, which must lie inside `owner`'s mapping, be aligned for `Element`, and stay
    /// unchanged: the mapping is read-only and private.
    init(values: UnsafeBufferPointer<Element>, in owner: MappedRegion) {
        precondition(owner.contains(UnsafeRawBufferPointer(values)), "column values outside their mapping")
        array = []
        mapped = values
        self.owner = owner
    }

    /// The number of values.
    @inlinable
    var count: Int { owner == nil ? array.count : mapped.count }

    /// Whether the values are read in place from a mapped file rather than held in an array.
    var isMapped: Bool { owner != nil }

    /// The value at `index` (bounds-checked, as an array's subscript is).
    @inlinable
    subscript(index: Int) -> Element {
        if owner == nil { return array[index] }
        precondition(index >= 0 && index < mapped.count, "index out of range")
        return mapped[index]
    }

    /// Calls `body` with all values; the pointer is valid only during the call.
    @inlinable
    func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Element>) throws -> R) rethrows -> R {
        guard let owner else { return try array.withUnsafeBufferPointer(body) }
        defer { withExtendedLifetime(owner) {} }
        return try body(mapped)
    }
}

// The region's memory is read-only and owned by an immutable `MappedRegion`; sharing it across threads is as
// safe as sharing an immutable array.
extension ColumnStorage: @unchecked Sendable where Element: Sendable {}

/// Dense ids for the distinct values of a string column, found by hashing each row's bytes where they lie in the
/// column's buffer: no copy of the bytes, no `String` per row.
///
/// Open addressing with linear probing. A slot is one `UInt64`: the upper 32 bits of the value's hash as a tag and
/// `id + 1` below (0 is empty), so a probe reads one word per step and compares bytes (against the id's first row
/// in the build column) only when the tag matches. Ids are dense, `0, 1, …` in first-seen order, so the first
/// row of id `i` is ``firstRows``[i] and, when every row is distinct, id `i` is row `i`.
///
/// The build column is read through unsafe pointers that are valid only inside
/// ``ByteKeyTable/withTable(_:_:)``; the table never outlives that call.
struct ByteKeyTable {
    private var slots: [UInt64]
    private var mask: Int
    /// The first build row of each id.
    private(set) var firstRows: [Int32] = []
    private let bytes: UnsafeBufferPointer<UInt8>
    private let offsets: UnsafeBufferPointer<Int64>

    private init(bytes: UnsafeBufferPointer<UInt8>, offsets: UnsafeBufferPointer<Int64>, expectedCount: Int) {
        var capacity = 16
        while capacity < expectedCount + expectedCount / 2 { capacity <<= 1 }
        slots = [UInt64](repeating: 0, count: capacity)
        mask = capacity - 1
        self.bytes = bytes
        self.offsets = offsets
        firstRows.reserveCapacity(expectedCount)
    }

    /// The number of distinct values.
    var count: Int { firstRows.count }

    /// Whether `build` can be indexed: its row count fits the 32-bit ids.
    static func supports(_ build: StringColumn) -> Bool { build.count < Int(Int32.max) }

    /// Calls `body` with a table over `build`'s values, every row of it inserted; `ids[row]` receives each row's
    /// id (a null row is treated as the empty string: callers mask nulls themselves).
    ///
    /// - Parameters:
    ///   - build: The column whose values the table holds.
    ///   - ids: Receives one id per row of `build` (`count` entries, at stride `stride`).
    ///   - stride: The distance between two rows' ids in `ids`.
    ///   - body: Works with the filled table (probing other columns) while `build`'s buffers are alive.
    static func withTable<R>(
        _ build: StringColumn, ids: UnsafeMutablePointer<UInt64>, stride: Int, _ body: (inout ByteKeyTable) -> R
    ) -> R {
        build.withBuffers { bytes, offsets in
            // Size for a sample first: a column of a few distinct values keeps a small table, and one whose sample
            // is mostly distinct (trade ids) is sized for every row at once instead of growing step by step.
            let sample = min(build.count, 4096)
            var table = ByteKeyTable(bytes: bytes, offsets: offsets, expectedCount: sample)
            for row in 0..<sample { ids[row &* stride] = UInt64(table.insert(row: row)) }
            if table.count * 2 > sample { table.reserve(build.count) }
            for row in sample..<build.count { ids[row &* stride] = UInt64(table.insert(row: row)) }
            return body(&table)
        }
    }

    /// Looks up every row of `probe` and stores its id, or `absent` for a value the build column lacks.
    func lookUpAll(_ probe: StringColumn, into ids: UnsafeMutablePointer<UInt64>, stride: Int, absent: UInt64) {
        probe.withBuffers { bytes, offsets in
            for row in 0..<probe.count {
                let start = Int(truncatingIfNeeded: offsets[row])
                let key = UnsafeBufferPointer(
                    start: bytes.baseAddress.map { $0 + start },
                    count: Int(truncatingIfNeeded: offsets[row &+ 1]) &- start)
                ids[row &* stride] = find(key).map { UInt64($0) } ?? absent
            }
        }
    }

    @inline(__always)
    private func value(ofRow row: Int) -> UnsafeBufferPointer<UInt8> {
        let start = Int(truncatingIfNeeded: offsets[row])
        return UnsafeBufferPointer(
            start: bytes.baseAddress.map { $0 + start }, count: Int(truncatingIfNeeded: offsets[row &+ 1]) &- start)
    }

    @inline(__always)
    private mutating func insert(row: Int) -> UInt32 {
        let key = value(ofRow: row)
        let hash = StringInterner.hash(key)
        let tag = hash & 0xFFFF_FFFF_0000_0000
        var slot = Int(truncatingIfNeeded: hash) & mask
        while true {
            let entry = slots[slot]
            if entry == 0 { break }
            if entry & 0xFFFF_FFFF_0000_0000 == tag {
                let id = Int(truncatingIfNeeded: entry & 0xFFFF_FFFF) &- 1
                if Self.equal(value(ofRow: Int(firstRows[id])), key) { return UInt32(truncatingIfNeeded: id) }
            }
            slot = (slot &+ 1) & mask
        }
        let id = UInt32(truncatingIfNeeded: firstRows.count)
        slots[slot] = tag | UInt64(id &+ 1)
        firstRows.append(Int32(truncatingIfNeeded: row))
        if firstRows.count &* 4 > slots.count &* 3 { grow() }
        return id
    }

    @inline(__always)
    private func find(_ key: UnsafeBufferPointer<UInt8>) -> UInt32? {
        let hash = StringInterner.hash(key)
        let tag = hash & 0xFFFF_FFFF_0000_0000
        var slot = Int(truncatingIfNeeded: hash) & mask
        while true {
            let entry = slots[slot]
            if entry == 0 { return nil }
            if entry & 0xFFFF_FFFF_0000_0000 == tag {
                let id = Int(truncatingIfNeeded: entry & 0xFFFF_FFFF) &- 1
                if Self.equal(value(ofRow: Int(firstRows[id])), key) { return UInt32(truncatingIfNeeded: id) }
            }
            slot = (slot &+ 1) & mask
        }
    }

    @inline(__always)
    private static func equal(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Bool {
        guard a.count == b.count else { return false }
        guard a.count > 0, let p = a.baseAddress, let q = b.baseAddress else { return true }
        return memoryEqual(p, q, a.count)
    }

    private mutating func reserve(_ expectedCount: Int) {
        firstRows.reserveCapacity(expectedCount)
        var capacity = slots.count
        while capacity < expectedCount + expectedCount / 2 { capacity <<= 1 }
        if capacity > slots.count { rehash(capacity: capacity) }
    }

    private mutating func grow() { rehash(capacity: slots.count * 2) }

    private mutating func rehash(capacity: Int) {
        var newSlots = [UInt64](repeating: 0, count: capacity)
        let newMask = capacity - 1
        for (id, row) in firstRows.enumerated() {
            let hash = StringInterner.hash(value(ofRow: Int(row)))
            var slot = Int(truncatingIfNeeded: hash) & newMask
            while newSlots[slot] != 0 { slot = (slot + 1) & newMask }
            newSlots[slot] = (hash & 0xFFFF_FFFF_0000_0000) | UInt64(id + 1)
        }
        slots = newSlots
        mask = newMask
    }
}

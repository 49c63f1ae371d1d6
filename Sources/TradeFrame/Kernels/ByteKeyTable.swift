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
        slots = Self.emptySlots(capacity)
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
    ///   - body: Works with the filled table while `build`'s buffers are alive.
    static func withTable<R>(
        _ build: StringColumn, ids: UnsafeMutablePointer<UInt64>, stride: Int, _ body: (inout ByteKeyTable) -> R
    ) -> R {
        build.withUTF8Buffers { bytes, offsets in
            // Size for a sample first: a column of a few distinct values keeps a small table, and one whose sample
            // is mostly distinct (trade ids) is sized for every row at once instead of growing step by step.
            let sample = min(build.count, 4096)
            var table = ByteKeyTable(bytes: bytes, offsets: offsets, expectedCount: sample)
            for row in 0..<sample { ids[row &* stride] = UInt64(table.insert(row: row)) }
            if table.count * 2 > sample { table.reserve(build.count) }
            table.insertAll(sample..<build.count, ids: ids, stride: stride)
            table._checkInvariants()
            return body(&table)
        }
    }

    /// Rows per batch of ``insertAll(_:ids:stride:)``.
    static let batch = 16
    private static let tagMask: UInt64 = 0xFFFF_FFFF_0000_0000

    /// Row `row`'s bytes, given a string column's buffers.
    @inline(__always)
    static func slice(
        _ bytes: UnsafeBufferPointer<UInt8>, _ offsets: UnsafeBufferPointer<Int64>, _ row: Int
    ) -> UnsafeBufferPointer<UInt8> {
        let start = Int(truncatingIfNeeded: offsets[row])
        return UnsafeBufferPointer(
            start: bytes.baseAddress.map { $0 + start }, count: Int(truncatingIfNeeded: offsets[row &+ 1]) &- start)
    }

    @inline(__always)
    private func value(ofRow row: Int) -> UnsafeBufferPointer<UInt8> {
        let start = Int(truncatingIfNeeded: offsets[row])
        return UnsafeBufferPointer(
            start: bytes.baseAddress.map { $0 + start }, count: Int(truncatingIfNeeded: offsets[row &+ 1]) &- start)
    }

    /// Inserts `rows` in batches: the first stage of a batch hashes its rows and loads their slot words (loads
    /// that overlap); the second inserts row by row, starting from the loaded word while nothing in the batch has
    /// changed the table yet.
    private mutating func insertAll(_ rows: Range<Int>, ids: UnsafeMutablePointer<UInt64>, stride: Int) {
        let batch = Self.batch
        withUnsafeTemporaryAllocation(of: UInt64.self, capacity: 2 * batch) { scratch in
            guard let hashes = scratch.baseAddress else { return }
            let entries = hashes + batch
            var first = rows.lowerBound
            while first < rows.upperBound {
                let n = min(batch, rows.upperBound - first)
                for i in 0..<n {
                    let hash = StringInterner.hash(value(ofRow: first &+ i))
                    hashes[i] = hash
                    entries[i] = slots[Int(truncatingIfNeeded: hash) & mask]
                }
                var changed = false
                for i in 0..<n {
                    let row = first &+ i
                    let hash = hashes[i]
                    if !changed && entries[i] == 0 {
                        // The row's slot was empty when loaded and nothing has been inserted since: a new value.
                        ids[row &* stride] = UInt64(
                            add(row: row, hash: hash, slot: Int(truncatingIfNeeded: hash) & mask))
                        changed = true
                        continue
                    }
                    let before = firstRows.count
                    ids[row &* stride] = UInt64(insert(row: row, hash: hash))
                    changed = changed || firstRows.count != before
                }
                first &+= n
            }
        }
    }

    @inline(__always)
    private mutating func add(row: Int, hash: UInt64, slot: Int) -> UInt32 {
        let id = UInt32(truncatingIfNeeded: firstRows.count)
        slots[slot] = (hash & Self.tagMask) | UInt64(id &+ 1)
        firstRows.append(Int32(truncatingIfNeeded: row))
        if firstRows.count &* 4 > slots.count &* 3 { grow() }
        return id
    }

    @inline(__always)
    private mutating func insert(row: Int) -> UInt32 {
        insert(row: row, hash: StringInterner.hash(value(ofRow: row)))
    }

    @inline(__always)
    private mutating func insert(row: Int, hash: UInt64) -> UInt32 {
        let key = value(ofRow: row)
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
        return add(row: row, hash: hash, slot: slot)
    }

    @inline(__always)
    private func find(_ key: UnsafeBufferPointer<UInt8>, hash: UInt64) -> UInt32? {
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

    /// A zeroed slot array. A table of millions of slots is read at random, one TLB miss per probe with 4 KiB
    /// pages; ``FreshMemory`` backs it with huge pages where the kernel allows.
    private static func emptySlots(_ capacity: Int) -> [UInt64] {
        [UInt64](filling: capacity) { buffer, initialized in
            FreshMemory.prepare(UnsafeMutableRawPointer(buffer.baseAddress), byteCount: capacity * 8)
            buffer.initialize(repeating: 0)
            initialized = capacity
        }
    }

    private mutating func grow() { rehash(capacity: slots.count * 2) }

    /// Traps when the table is broken: a power-of-two slot array at most 3/4 full, each id in exactly one slot
    /// whose tag is its value's hash, reachable from its home slot without crossing an empty slot, and found as
    /// itself (so no two ids hold the same bytes). O(n) with hashing: run after each bulk insertion in debug
    /// builds and by the tests, never per row; a no-op in release.
    func _checkInvariants() {
        #if DEBUG
            precondition(slots.count.nonzeroBitCount == 1 && mask == slots.count - 1, "ByteKeyTable mask")
            precondition(firstRows.count * 4 <= slots.count * 3, "ByteKeyTable is over 3/4 full")
            var seen = [Bool](repeating: false, count: firstRows.count)
            var used = 0
            for (slot, entry) in slots.enumerated() where entry != 0 {
                used += 1
                let id = Int(truncatingIfNeeded: entry & 0xFFFF_FFFF) - 1
                precondition(id >= 0 && id < firstRows.count && !seen[id], "ByteKeyTable slot \(slot): bad id \(id)")
                seen[id] = true
                let key = value(ofRow: Int(firstRows[id]))
                let hash = StringInterner.hash(key)
                precondition(entry & Self.tagMask == hash & Self.tagMask, "ByteKeyTable slot \(slot): wrong tag")
                var probe = Int(truncatingIfNeeded: hash) & mask
                while probe != slot {
                    precondition(slots[probe] != 0, "ByteKeyTable id \(id) is cut off from its home slot")
                    probe = (probe + 1) & mask
                }
                precondition(find(key, hash: hash) == UInt32(id), "ByteKeyTable holds id \(id)'s value twice")
            }
            precondition(used == firstRows.count, "ByteKeyTable has \(used) slots for \(firstRows.count) ids")
        #endif
    }

    private mutating func rehash(capacity: Int) {
        var newSlots = Self.emptySlots(capacity)
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

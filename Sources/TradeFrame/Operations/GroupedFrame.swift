/// A frame split into groups by key columns, ready to aggregate. Made by ``TradeFrame/grouped(by:)``.
///
/// Groups come out in the order of their first row. Nulls in a key form a group of their own. When every key is
/// categorical or Bool and the product of their cardinalities is small, rows map to groups by direct indexing
/// into a dense table (no hashing); otherwise through an open-addressing hash table on the key words.
public struct GroupedFrame: Sendable {
    /// The grouped frame.
    public let frame: TradeFrame
    /// The key column names.
    public let keys: [String]
    /// The slot (dense index or hash group) of each row.
    let slots: [UInt32]
    let slotCount: Int
    /// Slots that hold rows, in output order (by first row).
    let order: [Int]
    /// The first row of each slot, `-1` when empty.
    let firstRows: [Int]
    /// Rows per slot.
    let counts: [Int64]

    /// The number of groups.
    public var groupCount: Int { order.count }

    /// The largest dense table the direct-indexing path uses.
    static let denseLimit = 1 << 22

    init(frame: TradeFrame, keys: [String]) throws(TradeFrameError) {
        self.frame = frame
        self.keys = keys
        let columns = try keys.map { (name) throws(TradeFrameError) in try frame.column(name) }
        var slots: [UInt32]
        var slotCount: Int
        if let dense = Self.denseSlots(columns, rowCount: frame.rowCount) {
            (slots, slotCount) = dense
        } else {
            let words = try KeyEncoder.encode([columns], names: keys)[0]
            if let dense = words.denseCount {
                // One text key: interned ids are already dense group ids in first-seen order.
                slots = words.words.map { UInt32(truncatingIfNeeded: $0) }
                slotCount = dense
            } else {
                var table = GroupTable(width: words.width, expectedGroups: Swift.min(frame.rowCount, 1 << 16))
                let groups = table.insertAll(words)
                slots = groups.map { UInt32(bitPattern: $0) }
                slotCount = table.groupCount
            }
        }
        if keys.isEmpty {
            slots = [UInt32](repeating: 0, count: frame.rowCount)
            slotCount = frame.rowCount > 0 ? 1 : 0
        }
        var counts = [Int64](repeating: 0, count: slotCount)
        var firstRows = [Int](repeating: -1, count: slotCount)
        slots.withUnsafeBufferPointer { slots in
            counts.withUnsafeMutableBufferPointer { counts in
                firstRows.withUnsafeMutableBufferPointer { firstRows in
                    for row in 0..<slots.count {
                        let slot = Int(slots[row])
                        if counts[slot] == 0 { firstRows[slot] = row }
                        counts[slot] &+= 1
                    }
                }
            }
        }
        self.slots = slots
        self.slotCount = slotCount
        self.counts = counts
        self.firstRows = firstRows
        self.order = (0..<slotCount).filter { counts[$0] > 0 }.sorted { firstRows[$0] < firstRows[$1] }
    }

    /// Mixed-radix slots from categorical and Bool codes, or `nil` when a key is of another kind or the table
    /// would be too large.
    private static func denseSlots(_ columns: [any ColumnProtocol], rowCount: Int) -> ([UInt32], Int)? {
        guard !columns.isEmpty else { return nil }
        var total = 1
        for column in columns {
            let domain: Int
            switch column {
            case let c as CategoricalColumn: domain = c.cardinality + (c.nullCount > 0 ? 1 : 0)
            case let c as Column<Bool>: domain = 2 + (c.nullCount > 0 ? 1 : 0)
            default: return nil
            }
            total *= Swift.max(domain, 1)
            if total > denseLimit { return nil }
        }
        var slots = [UInt32](filling: rowCount) { buffer, initialized in
            // The first categorical key writes its codes directly; the others multiply in.
            if let first = columns[0] as? CategoricalColumn {
                first.withCodes(MixCodes(slots: buffer, domain: 0, first: true))
            } else {
                buffer.initialize(repeating: 0)
            }
            initialized = rowCount
        }
        for (index, column) in columns.enumerated() {
            if let categorical = column as? CategoricalColumn {
                let domain = UInt32(categorical.cardinality + (categorical.nullCount > 0 ? 1 : 0))
                if index > 0 {
                    slots.withUnsafeMutableBufferPointer { slots in
                        categorical.withCodes(MixCodes(slots: slots, domain: domain, first: false))
                    }
                }
                if let validity = categorical.validity {
                    let nullCode = UInt32(categorical.cardinality)
                    for row in 0..<rowCount where !validity.isValid(row) {
                        slots[row] = slots[row] - UInt32(categorical.code(at: row)) + nullCode
                    }
                }
            } else if let flags = column as? Column<Bool> {
                let domain: UInt32 = flags.nullCount > 0 ? 3 : 2
                flags.withUnsafeValues { values in
                    for row in 0..<rowCount {
                        let code: UInt32 = flags.validity.valid(row) ? (values[row] ? 1 : 0) : 2
                        slots[row] = slots[row] &* domain &+ code
                    }
                }
            }
        }
        return (slots, total)
    }

    /// The key columns of the result: each key's value at each group's first row.
    func keyColumns() throws(TradeFrameError) -> [(String, any ColumnProtocol)] {
        let rows = order.map { firstRows[$0] }
        var result: [(String, any ColumnProtocol)] = []
        for key in keys { result.append((key, try frame.column(key).gathering(rows))) }
        return result
    }

    /// The group number (0-based, in output order) of each row.
    public var groupOfRow: [Int] {
        var groupOfSlot = [Int](repeating: -1, count: slotCount)
        for (group, slot) in order.enumerated() { groupOfSlot[slot] = group }
        return slots.map { groupOfSlot[Int($0)] }
    }
}

private struct MixCodes: CodeVisitor {
    let slots: UnsafeMutableBufferPointer<UInt32>
    let domain: UInt32
    let first: Bool

    func visit<Code: FixedWidthInteger & UnsignedInteger>(_ codes: UnsafeBufferPointer<Code>) {
        if first {
            for row in 0..<codes.count { slots[row] = UInt32(truncatingIfNeeded: codes[row]) }
        } else {
            for row in 0..<codes.count { slots[row] = slots[row] &* domain &+ UInt32(truncatingIfNeeded: codes[row]) }
        }
    }
}

extension TradeFrame {
    /// Groups the rows by one or more key columns.
    ///
    /// - Parameter keys: Key column names (none: one group of all rows).
    /// - Returns: The grouping, to aggregate with ``GroupedFrame/aggregate(_:)``.
    /// - Throws: ``TradeFrameError`` when a key is missing or of a kind that cannot be a key.
    public func grouped(by keys: [String]) throws(TradeFrameError) -> GroupedFrame {
        try GroupedFrame(frame: self, keys: keys)
    }
}

/// Row keys as fixed-width words, for hashing (group-by, join, de-duplication, partitioning).
///
/// Each key column becomes one `UInt64` per row: integers, timestamps and decimals by bit pattern, floats by a
/// canonical bit pattern (`-0` as `0`, one NaN), text (string or categorical) by an id from one shared
/// ``StringInterner``, so that a string column and a categorical column can be joined. When any key column has
/// nulls, one more word holds a null mask, so a null is a value of its own for grouping.
struct KeyWords {
    /// Row-major: row `r`'s words are `words[r * width ..< (r + 1) * width]`.
    var words: [UInt64]
    var width: Int
    var rowCount: Int
    /// For a single text key without nulls, the number of distinct values: the words are then dense ids below it.
    var denseCount: Int?
}

/// The kind family a key column hashes in; columns of one family can be matched.
private enum KeyFamily: Equatable {
    case integer, float, bool, timestamp, decimal(Int), text
}

enum KeyEncoder {
    private static func family(_ column: any ColumnProtocol) -> KeyFamily? {
        switch column {
        case is Column<Int64>, is Column<Int32>: .integer
        case is Column<Double>, is Column<Float>: .float
        case is Column<Bool>: .bool
        case is TimestampColumn: .timestamp
        case let decimal as DecimalColumn: .decimal(decimal.scale)
        case is StringColumn, is CategoricalColumn: .text
        default: nil
        }
    }

    /// Checks that every key column can be a key and that the sides' columns of each key can be matched.
    ///
    /// - Parameters:
    ///   - sides: For each frame, its key columns in key order.
    ///   - names: Key names for errors.
    /// - Throws: ``TradeFrameError`` with code `typeMismatch` naming the key.
    static func checkFamilies(_ sides: [[any ColumnProtocol]], names: [String]) throws(TradeFrameError) {
        for k in 0..<names.count {
            let families = sides.map { family($0[k]) }
            guard let first = families[0] else {
                throw TradeFrameError(.typeMismatch, column: names[k], "a \(sides[0][k].kind) column cannot be a key")
            }
            for (side, f) in families.enumerated() where f != first {
                throw TradeFrameError(
                    .typeMismatch, column: names[k],
                    "cannot match a \(sides[0][k].kind) key with a \(sides[side][k].kind) key")
            }
        }
    }

    /// Encodes the key columns of one or more frames into one word space (equal keys, equal words).
    ///
    /// - Parameters:
    ///   - sides: For each frame, its key columns in key order.
    ///   - names: Key names for errors.
    /// - Returns: One ``KeyWords`` per side.
    static func encode(_ sides: [[any ColumnProtocol]], names: [String]) throws(TradeFrameError) -> [KeyWords] {
        let keyCount = names.count
        try checkFamilies(sides, names: names)
        let anyNulls = sides.contains { $0.contains { $0.nullCount > 0 } }
        let width = keyCount + (anyNulls ? 1 : 0)
        var result = sides.map { columns in
            let rows = columns.first?.count ?? 0
            return KeyWords(words: [UInt64](repeating: 0, count: rows * width), width: width, rowCount: rows)
        }
        for k in 0..<keyCount {
            if sides.count == 1, let strings = sides[0][k] as? StringColumn, ByteKeyTable.supports(strings) {
                // A string key hashes in place from the column's buffers (no copy of the bytes).
                let distinct = encodeStrings(strings, into: &result[0], key: k)
                if keyCount == 1 && !anyNulls { result[0].denseCount = distinct }
            } else if family(sides[0][k]) == .text {
                var interner = StringInterner(expectedCount: min(sides[0][k].count, 1 << 20))
                for side in sides.indices {
                    encodeText(sides[side][k], interner: &interner, into: &result[side], key: k)
                }
                if keyCount == 1 && !anyNulls {
                    for side in sides.indices { result[side].denseCount = interner.count }
                }
            } else {
                for side in sides.indices { encodeFixed(sides[side][k], into: &result[side], key: k) }
            }
            if anyNulls {
                for side in sides.indices {
                    let column = sides[side][k]
                    guard let validity = column.validity else { continue }
                    let bit = UInt64(1) << UInt64(k)
                    let width = result[side].width
                    for row in 0..<column.count where !validity.isValid(row) {
                        result[side].words[row * width + keyCount] |= bit
                        result[side].words[row * width + k] = 0
                    }
                }
            }
        }
        return result
    }

    private static func encodeFixed(_ column: any ColumnProtocol, into keys: inout KeyWords, key: Int) {
        switch column {
        case let c as Column<Int64>: store(c) { UInt64(bitPattern: $0) }
        case let c as Column<Int32>: store(c) { UInt64(bitPattern: Int64($0)) }
        case let c as Column<Double>: store(c) { canonical($0) }
        case let c as Column<Float>: store(c) { canonical(Double($0)) }
        case let c as Column<Bool>: store(c) { $0 ? 1 : 0 }
        case let c as TimestampColumn: store(c.nanoseconds) { UInt64(bitPattern: $0) }
        case let c as DecimalColumn: store(c.significands) { UInt64(bitPattern: $0) }
        default: break
        }
        func store<T>(_ column: Column<T>, _ word: (T) -> UInt64) {
            let width = keys.width
            column.withUnsafeValues { values in
                keys.words.withUnsafeMutableBufferPointer { words in
                    for row in 0..<values.count { words[row &* width &+ key] = word(values[row]) }
                }
            }
        }
    }

    @inline(__always)
    static func canonical(_ value: Double) -> UInt64 {
        if value == 0 { return 0 }
        if value.isNaN { return Double.nan.bitPattern }
        return value.bitPattern
    }

    /// Ids of a string key from a ``ByteKeyTable`` over the column's values.
    ///
    /// - Returns: The number of distinct values.
    private static func encodeStrings(_ column: StringColumn, into keys: inout KeyWords, key: Int) -> Int {
        let width = keys.width
        return keys.words.withUnsafeMutableBufferPointer { words in
            guard let base = words.baseAddress else { return 0 }
            return ByteKeyTable.withTable(column, ids: base + key, stride: width) { $0.count }
        }
    }

    private static func encodeText(
        _ column: any ColumnProtocol, interner: inout StringInterner, into keys: inout KeyWords, key: Int
    ) {
        let width = keys.width
        if let categorical = column as? CategoricalColumn {
            let remap = categorical.dictionary.withUTF8Buffers { bytes, offsets in
                (0..<categorical.cardinality).map { code in
                    let value = UnsafeBufferPointer(rebasing: bytes[Int(offsets[code])..<Int(offsets[code + 1])])
                    return UInt64(interner.intern(value))
                }
            }
            guard !remap.isEmpty else { return }
            for row in 0..<categorical.count { keys.words[row * width + key] = remap[categorical.code(at: row)] }
        } else if let strings = column as? StringColumn {
            strings.withUTF8Buffers { bytes, offsets in
                keys.words.withUnsafeMutableBufferPointer { words in
                    for row in 0..<strings.count {
                        let id = interner.intern(
                            UnsafeBufferPointer(rebasing: bytes[Int(offsets[row])..<Int(offsets[row + 1])]))
                        words[row &* width &+ key] = UInt64(id)
                    }
                }
            }
        }
    }
}

/// Open-addressing hash table from key words to dense group ids (0, 1, … in first-seen order).
struct GroupTable {
    private var slots: [Int32]
    private var mask: Int
    private var hashes: [UInt64] = []
    /// The first row (of the build side) of each group.
    private(set) var representatives: [Int] = []
    let width: Int

    init(width: Int, expectedGroups: Int) {
        var capacity = 16
        while capacity < expectedGroups * 2 { capacity <<= 1 }
        slots = [Int32](repeating: -1, count: capacity)
        mask = capacity - 1
        self.width = width
    }

    var groupCount: Int { representatives.count }

    @inline(__always)
    static func hash(_ words: UnsafeBufferPointer<UInt64>, row: Int, width: Int) -> UInt64 {
        var h: UInt64 = 0x9E37_79B9_7F4A_7C15
        let base = row &* width
        for k in 0..<width { h = StringInterner.mix(h ^ words[base &+ k]) }
        return h
    }

    /// Assigns a group id to every row of `keys`, adding groups as they first appear.
    mutating func insertAll(_ keys: KeyWords) -> [Int32] {
        var groups = [Int32](repeating: 0, count: keys.rowCount)
        keys.words.withUnsafeBufferPointer { words in
            for row in 0..<keys.rowCount { groups[row] = insert(words, row: row) }
        }
        return groups
    }

    @inline(__always)
    private mutating func insert(_ words: UnsafeBufferPointer<UInt64>, row: Int) -> Int32 {
        let hash = Self.hash(words, row: row, width: width)
        var slot = Int(truncatingIfNeeded: hash) & mask
        while true {
            let group = slots[slot]
            if group < 0 { break }
            if hashes[Int(group)] == hash && equal(words, row, words, representatives[Int(group)]) { return group }
            slot = (slot + 1) & mask
        }
        let group = Int32(representatives.count)
        slots[slot] = group
        hashes.append(hash)
        representatives.append(row)
        if representatives.count * 2 > slots.count { grow() }
        return group
    }

    @inline(__always)
    private func equal(
        _ a: UnsafeBufferPointer<UInt64>, _ rowA: Int, _ b: UnsafeBufferPointer<UInt64>, _ rowB: Int
    )
        -> Bool
    {
        for k in 0..<width where a[rowA &* width &+ k] != b[rowB &* width &+ k] { return false }
        return true
    }

    private mutating func grow() {
        let capacity = slots.count * 2
        var newSlots = [Int32](repeating: -1, count: capacity)
        let newMask = capacity - 1
        for (group, hash) in hashes.enumerated() {
            var slot = Int(truncatingIfNeeded: hash) & newMask
            while newSlots[slot] >= 0 { slot = (slot + 1) & newMask }
            newSlots[slot] = Int32(group)
        }
        slots = newSlots
        mask = newMask
    }
}

/// Rows of each group, as compressed sparse rows: group `g`'s rows are `rows[starts[g] ..< starts[g + 1]]`,
/// in row order.
struct GroupRows {
    var starts: [Int]
    var rows: [Int]

    init(groups: [Int32], groupCount: Int) {
        var starts = [Int](repeating: 0, count: groupCount + 1)
        for group in groups where group >= 0 { starts[Int(group) + 1] += 1 }
        for g in 0..<groupCount { starts[g + 1] += starts[g] }
        var cursor = starts
        var rows = [Int](repeating: 0, count: starts[groupCount])
        for (row, group) in groups.enumerated() where group >= 0 {
            rows[cursor[Int(group)]] = row
            cursor[Int(group)] += 1
        }
        self.starts = starts
        self.rows = rows
    }
}

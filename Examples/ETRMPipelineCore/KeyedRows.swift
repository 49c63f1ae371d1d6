import TradeFrame

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

// Keep-latest, the broker's duplicate check and the join walk runs of equal ids after one radix sort, instead of
// TradeFrame's hash-based keyed operations: same semantics, faster on 1M ids (BENCHMARKS.md, issue 19 notes).

/// Trade ids as one bytes buffer and offsets, compared with `memcmp`: the loaders fill it alongside the
/// frame's `trade_id` column, so that the keyed operations below compare bytes without a closure call per
/// comparison.
package struct IDTable: Sendable {
    private var bytes: ContiguousArray<UInt8> = []
    private var offsets: ContiguousArray<Int> = [0]

    package init() {}

    /// The number of ids.
    package var count: Int { offsets.count - 1 }

    mutating func reserve(rows: Int, bytes byteCount: Int) {
        offsets.reserveCapacity(rows + 1)
        bytes.reserveCapacity(byteCount)
    }

    @inline(__always)
    mutating func append(_ id: UnsafeBufferPointer<UInt8>) {
        bytes.append(contentsOf: id)
        offsets.append(bytes.count)
    }

    /// Appends the ids of `other`.
    mutating func append(contentsOf other: IDTable) {
        let shift = bytes.count
        bytes.append(contentsOf: other.bytes)
        other.offsets.withUnsafeBufferPointer { others in
            for offset in others.dropFirst() { offsets.append(offset + shift) }
        }
    }

    /// The number of id bytes.
    var byteCount: Int { bytes.count }

    mutating func append(_ id: String) {
        var id = id
        id.withUTF8 { append($0) }
    }

    /// The ids as a string column.
    func column() -> StringColumn {
        var builder = StringColumnBuilder(capacity: count, byteCapacity: bytes.count)
        bytes.withUnsafeBufferPointer { bytes in
            for row in 0..<count {
                builder.append(utf8: UnsafeBufferPointer(rebasing: bytes[offsets[row]..<offsets[row + 1]]))
            }
        }
        return builder.finish()
    }

    /// Calls `body` with a comparator over this table and `other`: `compare(i, j)` orders id `i` of this
    /// table against id `j` of `other` by UTF-8 bytes (negative, zero, positive; a prefix first).
    func withComparator<R>(_ other: IDTable, _ body: ((Int, Int) -> Int) throws -> R) rethrows -> R {
        try bytes.withUnsafeBufferPointer { a in
            try offsets.withUnsafeBufferPointer { aOffsets in
                try other.bytes.withUnsafeBufferPointer { b in
                    try other.offsets.withUnsafeBufferPointer { bOffsets in
                        try body { i, j in
                            let aStart = aOffsets[i]
                            let aCount = aOffsets[i + 1] - aStart
                            let bStart = bOffsets[j]
                            let bCount = bOffsets[j + 1] - bStart
                            let common = min(aCount, bCount)
                            if common > 0, let p = a.baseAddress, let q = b.baseAddress {
                                let c = memcmp(p + aStart, q + bStart, common)
                                if c != 0 { return Int(c) }
                            }
                            return aCount - bCount
                        }
                    }
                }
            }
        }
    }
}

/// Sort-based keyed operations on trade ids.
enum KeyedRows {
    /// The rows kept by de-duplication, in trade-id order: per trade id the row with the latest `event_time`,
    /// on a tie the later row.
    ///
    /// - Parameters:
    ///   - frame: Rows in input order with `trade_id` (string) and `event_time` (timestamp).
    ///   - ids: The same rows' ids.
    /// - Returns: Row indices, one per distinct trade id, ascending by trade id.
    static func keepLatest(_ frame: TradeFrame, ids: IDTable) throws(TradeFrameError) -> [Int] {
        let order = try frame.sortPermutation(by: [.ascending("trade_id")])
        let times = try frame.column("event_time", as: TimestampColumn.self).nanoseconds
        var kept: [Int] = []
        kept.reserveCapacity(order.count)
        times.withUnsafeValues { times in
            ids.withComparator(ids) { compare in
                var position = 0
                while position < order.count {
                    var best = order[position]
                    var next = position + 1
                    while next < order.count, compare(order[next], best) == 0 {
                        let row = order[next]
                        if times[row] >= times[best] { best = row }
                        next += 1
                    }
                    kept.append(best)
                    position = next
                }
            }
        }
        return kept
    }

    /// The first row (in `order`) whose id equals the one before it, if any.
    static func firstRepeat(_ ids: IDTable, order: [Int]) -> Int? {
        ids.withComparator(ids) { compare in
            for position in order.indices.dropFirst() where compare(order[position], order[position - 1]) == 0 {
                return order[position]
            }
            return nil
        }
    }

    /// An inner join on the ids, each side walked in the given id order (the right side has no id twice).
    /// Returns the matching row pairs in the left order.
    static func mergeJoin(
        _ left: IDTable, order leftOrder: [Int], _ right: IDTable, order rightOrder: [Int]
    ) -> (
        left: [Int], right: [Int]
    ) {
        var pairs: (left: [Int], right: [Int]) = ([], [])
        pairs.left.reserveCapacity(min(leftOrder.count, rightOrder.count))
        pairs.right.reserveCapacity(min(leftOrder.count, rightOrder.count))
        left.withComparator(right) { compare in
            var i = 0
            var j = 0
            while i < leftOrder.count, j < rightOrder.count {
                let c = compare(leftOrder[i], rightOrder[j])
                if c < 0 {
                    i += 1
                } else if c > 0 {
                    j += 1
                } else {
                    pairs.left.append(leftOrder[i])
                    pairs.right.append(rightOrder[j])
                    i += 1
                }
            }
        }
        return pairs
    }
}

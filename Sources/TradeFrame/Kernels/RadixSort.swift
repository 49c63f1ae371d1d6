/// Stable least-significant-digit radix sort of a permutation by 64-bit keys.
enum RadixSort {
    /// Reorders `permutation` stably so that `keys[permutation[i]]` ascends. Byte passes whose digit is the same
    /// for every row are skipped, so narrow keys (codes, small ranges) cost one or two passes.
    ///
    /// - Parameters:
    ///   - permutation: Row indices, reordered in place.
    ///   - keys: One key per row of the frame (indexed by row, not by position).
    static func sort(_ permutation: inout [Int], keys: UnsafeBufferPointer<UInt64>) {
        sort(&permutation) { keys[$0] }
    }

    /// Reorders `permutation` stably so that `key(permutation[i])` ascends; `key` is called once per row.
    ///
    /// While it sorts it holds 24 bytes a row (the keys twice, the rows as 32-bit numbers twice), or only the rows
    /// (8 bytes) when at most two byte passes are needed, `key` being asked again in each: `permutation`'s own
    /// storage is released meanwhile and rebuilt at the end.
    static func sort(_ permutation: inout [Int], key: (Int) -> UInt64) {
        let n = permutation.count
        guard n > 1 else { return }
        guard n <= Int(UInt32.max), permutation.allSatisfy({ $0 >= 0 && $0 <= Int(UInt32.max) }) else {
            var rows = permutation
            permutation = []
            sortRows(&rows, key: key)
            permutation = rows
            return
        }
        var rows = ContiguousArray<UInt32>(filling: n) { buffer, count in
            permutation.withUnsafeBufferPointer { source in
                for i in 0..<n { buffer[i] = UInt32(truncatingIfNeeded: source[i]) }
            }
            count = n
        }
        permutation = []
        sortRows(&rows, key: key)
        permutation = [Int](filling: n) { buffer, count in
            rows.withUnsafeBufferPointer { rows in
                for i in 0..<n { buffer[i] = Int(rows[i]) }
            }
            count = n
        }
    }

    private static func sortRows<Rows: RangeReplaceableCollection & MutableCollection & RandomAccessCollection>(
        _ permutation: inout Rows, key: (Int) -> UInt64
    ) where Rows.Element: BinaryInteger, Rows.Index == Int {
        let n = permutation.count
        var histogram = [Int](repeating: 0, count: 8 * 256)
        var first: UInt64 = 0
        histogram.withUnsafeMutableBufferPointer { h in
            for i in 0..<n {
                let value = key(Int(permutation[i]))
                if i == 0 { first = value }
                for byte in 0..<8 { h[byte &* 256 &+ Int((value &>> UInt64(byte &* 8)) & 0xFF)] &+= 1 }
            }
        }
        // Byte passes whose digit is the same for every row change nothing.
        let passes = (0..<8).filter { histogram[$0 * 256 + Int((first >> UInt64($0 * 8)) & 0xFF)] != n }
        guard !passes.isEmpty else { return }
        var otherRows = permutation
        if passes.count <= 2 {
            // Few passes (codes, small ranges): the keys are asked again in each pass instead of being stored.
            var rowsInCurrent = true
            for byte in passes {
                var starts = digitStarts(histogram, byte: byte)
                let shift = UInt64(byte * 8)
                if rowsInCurrent {
                    scatterRows(permutation, into: &otherRows, starts: &starts) { Int((key($0) &>> shift) & 0xFF) }
                } else {
                    scatterRows(otherRows, into: &permutation, starts: &starts) { Int((key($0) &>> shift) & 0xFF) }
                }
                rowsInCurrent.toggle()
            }
            if !rowsInCurrent { swap(&permutation, &otherRows) }
            return
        }
        var currentKeys = [UInt64](repeating: 0, count: n)
        currentKeys.withUnsafeMutableBufferPointer { k in
            for i in 0..<n { k[i] = key(Int(permutation[i])) }
        }
        scatterPasses(passes, histogram, keys: &currentKeys, rows: &permutation, otherRows: &otherRows)
    }

    /// The rows `0..<keys.count` in stable order of `keys` (one per row), sorting in `keys` itself: on return it
    /// holds the keys in sorted order, so that the caller can compare neighbours without looking rows up again.
    ///
    /// Keys nearly in order (trade ids with a few late re-sends) are sorted by ``mergingStragglers(_:)``; others by
    /// byte passes.
    static func sortedRows(sorting keys: inout [UInt64]) -> [Int] {
        if let rows = mergingStragglers(&keys) { return rows }
        let n = keys.count
        var histogram = [Int](repeating: 0, count: 8 * 256)
        histogram.withUnsafeMutableBufferPointer { h in
            keys.withUnsafeBufferPointer { keys in
                for value in keys {
                    for byte in 0..<8 { h[byte &* 256 &+ Int((value &>> UInt64(byte &* 8)) & 0xFF)] &+= 1 }
                }
            }
        }
        let first = keys.first ?? 0
        let passes = (0..<8).filter { histogram[$0 * 256 + Int((first >> UInt64($0 * 8)) & 0xFF)] != n }
        guard n <= Int(UInt32.max) else {
            var rows = Array(0..<n)
            var otherRows = rows
            scatterPasses(passes, histogram, keys: &keys, rows: &rows, otherRows: &otherRows)
            return rows
        }
        var rows = ContiguousArray<UInt32>(filling: n) { buffer, count in
            for i in 0..<n { buffer[i] = UInt32(truncatingIfNeeded: i) }
            count = n
        }
        var otherRows = ContiguousArray<UInt32>(repeating: 0, count: n)
        scatterPasses(passes, histogram, keys: &keys, rows: &rows, otherRows: &otherRows)
        otherRows = []
        return [Int](filling: n) { buffer, count in
            rows.withUnsafeBufferPointer { rows in
                for i in 0..<n { buffer[i] = Int(rows[i]) }
            }
            count = n
        }
    }

    /// Sorts keys that are in order but for a few rows, or returns `nil` (keys untouched) when more than one row in
    /// 16 is out of place.
    ///
    /// One pass keeps an ascending subsequence of the rows, greedily: a row that is not below the last kept key is
    /// kept; one that is below it but not below the key kept before that replaces the last kept row, which becomes
    /// a straggler (so one early outlier costs one row, not every row until the keys pass it); any other row is a
    /// straggler. The stragglers alone are radix-sorted, then merged with the kept rows, ties going to the earlier
    /// row, which keeps the sort stable. The work is two sequential passes instead of a scatter per byte.
    static func mergingStragglers(_ keys: inout [UInt64]) -> [Int]? {
        let n = keys.count
        guard n >= 64 else { return nil }
        let limit = n / 16
        var stragglers = [UInt64](repeating: 0, count: (n + 63) / 64)
        let found: Int? = keys.withUnsafeBufferPointer { keys in
            stragglers.withUnsafeMutableBufferPointer { marks in
                var count = 0
                var last = keys[0]
                var lastRow = 0
                var beforeLast: UInt64 = 0
                for row in 1..<n {
                    let key = keys[row]
                    if key >= last {
                        beforeLast = last
                    } else {
                        // The last kept row gives way if it alone is out of place; else this row is.
                        let straggler = key >= beforeLast ? lastRow : row
                        marks[straggler &>> 6] |= 1 &<< UInt64(straggler & 63)
                        count &+= 1
                        guard count <= limit else { return nil }
                        guard straggler == lastRow else { continue }
                    }
                    last = key
                    lastRow = row
                }
                return count
            }
        }
        guard let found else { return nil }
        var strayRows = [Int]()
        var strayKeys = [UInt64]()
        strayRows.reserveCapacity(found)
        strayKeys.reserveCapacity(found)
        for word in stragglers.indices where stragglers[word] != 0 {
            var bits = stragglers[word]
            while bits != 0 {
                let row = word &* 64 &+ bits.trailingZeroBitCount
                strayRows.append(row)
                strayKeys.append(keys[row])
                bits &= bits &- 1
            }
        }
        let strayOrder = sortedRows(sorting: &strayKeys)
        var merged = [UInt64](repeating: 0, count: n)
        let rows = [Int](filling: n) { output, initialized in
            keys.withUnsafeBufferPointer { keys in
                merged.withUnsafeMutableBufferPointer { merged in
                    stragglers.withUnsafeBufferPointer { marks in
                        var position = 0
                        var stray = 0
                        for row in 0..<n where marks[row &>> 6] & (1 &<< UInt64(row & 63)) == 0 {
                            let key = keys[row]
                            while stray < strayKeys.count,
                                strayKeys[stray] < key
                                    || (strayKeys[stray] == key && strayRows[strayOrder[stray]] < row)
                            {
                                output[position] = strayRows[strayOrder[stray]]
                                merged[position] = strayKeys[stray]
                                position &+= 1
                                stray &+= 1
                            }
                            output[position] = row
                            merged[position] = key
                            position &+= 1
                        }
                        while stray < strayKeys.count {
                            output[position] = strayRows[strayOrder[stray]]
                            merged[position] = strayKeys[stray]
                            position &+= 1
                            stray &+= 1
                        }
                    }
                }
            }
            initialized = n
        }
        keys = merged
        return rows
    }

    /// The byte passes of a sort whose keys are stored, row by row beside `rows`: on return `keys` and `rows` are
    /// in sorted order (`otherRows`, of the same size, is scratch space).
    private static func scatterPasses<Rows: MutableCollection & RandomAccessCollection>(
        _ passes: [Int], _ histogram: [Int], keys: inout [UInt64], rows: inout Rows, otherRows: inout Rows
    ) where Rows.Index == Int {
        guard !passes.isEmpty else { return }
        var otherKeys = [UInt64](repeating: 0, count: keys.count)
        var inCurrent = true
        for byte in passes {
            var starts = digitStarts(histogram, byte: byte)
            if inCurrent {
                scatter(&keys, &rows, into: &otherKeys, &otherRows, byte: byte, starts: &starts)
            } else {
                scatter(&otherKeys, &otherRows, into: &keys, &rows, byte: byte, starts: &starts)
            }
            inCurrent.toggle()
        }
        if !inCurrent {
            swap(&keys, &otherKeys)
            swap(&rows, &otherRows)
        }
    }

    /// Where each digit's rows start in the output of byte pass `byte`.
    private static func digitStarts(_ histogram: [Int], byte: Int) -> [Int] {
        var starts = [Int](repeating: 0, count: 256)
        var running = 0
        for digit in 0..<256 {
            starts[digit] = running
            running += histogram[byte * 256 + digit]
        }
        return starts
    }

    /// One stable pass of rows by `digit(row)`.
    @inline(__always)
    private static func scatterRows<Rows: MutableCollection & RandomAccessCollection>(
        _ rows: Rows, into targetRows: inout Rows, starts: inout [Int], digit: (Int) -> Int
    ) where Rows.Element: BinaryInteger, Rows.Index == Int {
        _ = rows.withContiguousStorageIfAvailable { rows in
            _ = targetRows.withContiguousMutableStorageIfAvailable { targetRows in
                starts.withUnsafeMutableBufferPointer { starts in
                    for i in 0..<rows.count {
                        let row = rows[i]
                        let bucket = digit(Int(row))
                        let position = starts[bucket]
                        starts[bucket] = position &+ 1
                        targetRows[position] = row
                    }
                }
            }
        }
    }

    @inline(__always)
    private static func scatter<Rows: MutableCollection & RandomAccessCollection>(
        _ keys: inout [UInt64], _ rows: inout Rows, into targetKeys: inout [UInt64], _ targetRows: inout Rows,
        byte: Int, starts: inout [Int]
    ) where Rows.Index == Int {
        let shift = UInt64(byte * 8)
        keys.withUnsafeBufferPointer { keys in
            _ = rows.withContiguousStorageIfAvailable { rows in
                targetKeys.withUnsafeMutableBufferPointer { targetKeys in
                    _ = targetRows.withContiguousMutableStorageIfAvailable { targetRows in
                        starts.withUnsafeMutableBufferPointer { starts in
                            for i in 0..<keys.count {
                                let key = keys[i]
                                let digit = Int((key &>> shift) & 0xFF)
                                let position = starts[digit]
                                starts[digit] = position &+ 1
                                targetKeys[position] = key
                                targetRows[position] = rows[i]
                            }
                        }
                    }
                }
            }
        }
    }
}

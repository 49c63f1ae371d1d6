extension KeyIndex {
    /// Joins the indexed rows (left) with those of `right` on equal keys, by walking both indexes' runs in key
    /// order (a merge join: neither side is hashed or sorted again).
    ///
    /// The pairs come in left input order, and for one left row its matches in right input order, as
    /// ``TradeFrame/joinIndices(with:on:rightKeys:kind:)`` gives them. A key with a null never matches. String and
    /// categorical keys match each other by their text.
    ///
    /// - Parameters:
    ///   - right: The other side's index, with as many keys.
    ///   - kind: ``JoinKind/inner``, ``JoinKind/left`` or ``JoinKind/anti``.
    /// - Returns: Parallel arrays of left and right row numbers (`-1` on the right for an unmatched left row of a
    ///   left join); for an anti join the right array is empty.
    /// - Throws: ``TradeFrameError`` with code `invalidArgument` when the key counts differ or `right` has 2³¹ - 1
    ///   distinct keys or more, or `typeMismatch` for keys that cannot match.
    /// - Complexity: O(*n* + *m*) over the two indexes' rows, plus the output.
    public func join(
        with right: KeyIndex, kind: JoinKind = .inner
    ) throws(TradeFrameError) -> (
        left: [Int], right: [Int]
    ) {
        guard right.keys.count == keys.count else {
            throw TradeFrameError(.invalidArgument, "a join needs the same number of keys on both sides")
        }
        try KeyEncoder.checkFamilies([keyColumns, right.keyColumns], names: keys)
        // The matching right run of each left row: -1 for none, -2 for a row this index does not hold.
        // 32-bit run numbers: a word per row of the frame is the join's largest buffer.
        guard right.distinctKeyCount < Int(Int32.max) else {
            throw TradeFrameError(.invalidArgument, "a join's right side has more than 2,147,483,646 distinct keys")
        }
        let everyRow = rows.count == frame.rowCount
        var match = [Int32](repeating: everyRow ? -1 : -2, count: frame.rowCount)
        if !everyRow { for row in rows { match[row] = -1 } }
        let nullable = keyColumns.contains { $0.nullCount > 0 }
        KeyOrder.withComparator(keyColumns, right.keyColumns) { compare in
            var (i, j) = (0, 0)
            while i < distinctKeyCount, j < right.distinctKeyCount {
                let row = rows[runStart(i)]
                let order = compare(row, right.rows[right.runStart(j)])
                if order < 0 {
                    i += 1
                } else if order > 0 {
                    j += 1
                } else {
                    if !(nullable && hasNullKey(row)) {
                        for position in runStart(i)..<runStart(i + 1) {
                            match[rows[position]] = Int32(truncatingIfNeeded: j)
                        }
                    }
                    i += 1
                    j += 1
                }
            }
        }
        var leftRows: [Int] = []
        var rightRows: [Int] = []
        leftRows.reserveCapacity(kind == .anti ? 0 : rows.count)
        if kind != .anti { rightRows.reserveCapacity(rows.count) }
        for row in 0..<match.count {
            let run = Int(match[row])
            if run == -2 { continue }
            if kind == .anti {
                if run < 0 { leftRows.append(row) }
            } else if run >= 0 {
                for position in right.runStart(run)..<right.runStart(run + 1) {
                    leftRows.append(row)
                    rightRows.append(right.rows[position])
                }
            } else if kind == .left {
                leftRows.append(row)
                rightRows.append(-1)
            }
        }
        return (leftRows, rightRows)
    }
}

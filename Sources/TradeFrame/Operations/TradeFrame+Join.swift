/// The kind of a hash join.
public struct JoinKind: Sendable, Hashable, CustomStringConvertible {
    let rawValue: String

    /// Rows with a match on both sides, one output row per matching pair.
    public static let inner = JoinKind(rawValue: "inner")
    /// Every left row; left rows without a match get nulls in the right columns.
    public static let left = JoinKind(rawValue: "left")
    /// Left rows with no match on the right (left columns only).
    public static let anti = JoinKind(rawValue: "anti")

    public var description: String { rawValue }
}

extension TradeFrame {
    /// Joins this frame (left) with `right` on equal key columns.
    ///
    /// Both sides are keyed (``TradeFrame/keyed(by:)-([String])``) and merged in key order (a string key joins a
    /// categorical one by its text). Output rows follow the left frame's order, and for one left row its matches follow the right frame's order. Null keys never
    /// match. The output has the left columns, then the right columns except its keys; a right column whose name
    /// is taken gets `suffix` appended.
    ///
    /// - Parameters:
    ///   - right: The other frame.
    ///   - keys: Key names present in both frames.
    ///   - rightKeys: The right frame's key names when they differ (same count as `keys`).
    ///   - kind: ``JoinKind/inner``, ``JoinKind/left`` or ``JoinKind/anti``.
    ///   - suffix: Appended to clashing right column names.
    /// - Returns: The joined frame.
    /// - Throws: ``TradeFrameError`` with code `unknownColumn`, or `typeMismatch` for keys that cannot match.
    public func joined(
        with right: TradeFrame, on keys: [String], rightKeys: [String]? = nil, kind: JoinKind = .inner,
        suffix: String = "_right"
    ) throws(TradeFrameError) -> TradeFrame {
        let rightKeys = rightKeys ?? keys
        guard rightKeys.count == keys.count, !keys.isEmpty else {
            throw TradeFrameError(.invalidArgument, "a join needs the same non-zero number of keys on both sides")
        }
        let (leftRows, rightRows) = try joinIndices(with: right, on: keys, rightKeys: rightKeys, kind: kind)
        let left = gathering(leftRows)
        if kind == .anti { return left }
        var columns = zip(left.columnNames, left.columns).map { ($0, $1) }
        let skip = Set(rightKeys)
        var taken = Set(columnNames)
        rightRows.withUnsafeBufferPointer { indices in
            for (name, column) in zip(right.columnNames, right.columns) where !skip.contains(name) {
                var output = name
                while taken.contains(output) { output += suffix }
                taken.insert(output)
                columns.append((output, column.gathering(indices)))
            }
        }
        return try TradeFrame(columns)
    }

    /// The row pairs of a join: left row indices and right row indices (`-1` for no match in a left join), from
    /// a merge of the two sides' ``KeyIndex``es (key both frames yourself to reuse the indexes).
    ///
    /// - Parameters:
    ///   - right: The other frame.
    ///   - keys: The left key names.
    ///   - rightKeys: The right key names.
    ///   - kind: The join kind.
    /// - Returns: Parallel arrays of row indices; for an anti join the right array is empty.
    /// - Throws: ``TradeFrameError`` when a key is missing or the key kinds cannot match.
    public func joinIndices(
        with right: TradeFrame, on keys: [String], rightKeys: [String], kind: JoinKind
    ) throws(TradeFrameError) -> (left: [Int], right: [Int]) {
        try keyed(by: keys).join(with: right.keyed(by: rightKeys), kind: kind)
    }

}

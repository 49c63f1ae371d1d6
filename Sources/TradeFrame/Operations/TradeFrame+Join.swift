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
    /// The right side is hashed into an open-addressing table on its key words (string and categorical keys share
    /// one id space, so a string key joins a categorical one); the left side probes it. Output rows follow the
    /// left frame's order, and for one left row its matches follow the right frame's order. Null keys never
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

    /// The row pairs of a join: left row indices and right row indices (`-1` for no match in a left join).
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

    // TEMPORARY: the hash join it replaces, for the equality check.
    func legacyJoinIndices(
        with right: TradeFrame, on keys: [String], rightKeys: [String], kind: JoinKind
    ) throws(TradeFrameError) -> (left: [Int], right: [Int]) {
        let leftColumns = try keys.map { (name) throws(TradeFrameError) in try column(name) }
        let rightColumns = try rightKeys.map { (name) throws(TradeFrameError) in try right.column(name) }
        let encoded = try KeyEncoder.encode([rightColumns, leftColumns], names: keys, probing: true)
        let (build, probe) = (encoded[0], encoded[1])
        let rightGroups: [Int32]
        let leftGroups: [Int32]
        var matchable: [Bool]
        let groupCount: Int
        if let dense = build.denseCount {
            // One text key: the interned ids are the groups; no second hash table.
            groupCount = dense
            rightGroups = build.words.map { Int32(truncatingIfNeeded: $0) }
            leftGroups = probe.words.map { $0 == KeyEncoder.absent ? -1 : Int32(truncatingIfNeeded: $0) }
            matchable = [Bool](repeating: true, count: dense)
        } else {
            var table = GroupTable(width: build.width, expectedGroups: right.rowCount)
            rightGroups = table.insertAll(build)
            leftGroups = table.probeAll(probe, build: build)
            groupCount = table.groupCount
            // A key with a null never matches: drop such groups from both sides.
            matchable = [Bool](repeating: true, count: groupCount)
            if build.width > keys.count {
                for (group, row) in table.representatives.enumerated()
                where build.words[row * build.width + keys.count] != 0 {
                    matchable[group] = false
                }
            }
        }
        if build.idsFollowRows && build.denseCount == right.rowCount {
            // Every right key is distinct, so dense id `g` is right row `g`: no per-group row lists.
            return Self.uniqueMatches(leftGroups, kind: kind)
        }
        let rows = GroupRows(groups: rightGroups, groupCount: groupCount)
        var leftRows: [Int] = []
        var rightRows: [Int] = []
        leftRows.reserveCapacity(rowCount)
        if kind != .anti { rightRows.reserveCapacity(rowCount) }
        for row in 0..<rowCount {
            let group = Int(leftGroups[row])
            let matched = group >= 0 && matchable[group]
            if kind == .anti {
                if !matched { leftRows.append(row) }
                continue
            }
            if matched {
                for position in rows.starts[group]..<rows.starts[group + 1] {
                    leftRows.append(row)
                    rightRows.append(rows.rows[position])
                }
            } else if kind == .left {
                leftRows.append(row)
                rightRows.append(-1)
            }
        }
        return (leftRows, rightRows)
    }

    /// The row pairs of a join whose right rows are exactly its groups (`leftGroups[row]` is the right row, or
    /// negative for no match).
    private static func uniqueMatches(_ leftGroups: [Int32], kind: JoinKind) -> (left: [Int], right: [Int]) {
        var leftRows: [Int] = []
        var rightRows: [Int] = []
        if kind == .anti {
            for row in leftGroups.indices where leftGroups[row] < 0 { leftRows.append(row) }
            return (leftRows, rightRows)
        }
        leftRows.reserveCapacity(leftGroups.count)
        rightRows.reserveCapacity(leftGroups.count)
        leftGroups.withUnsafeBufferPointer { groups in
            for row in 0..<groups.count {
                let group = Int(groups[row])
                if group >= 0 {
                    leftRows.append(row)
                    rightRows.append(group)
                } else if kind == .left {
                    leftRows.append(row)
                    rightRows.append(-1)
                }
            }
        }
        return (leftRows, rightRows)
    }
}

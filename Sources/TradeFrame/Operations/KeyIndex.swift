/// A frame's rows in the order of key columns, with the runs of equal keys found once: the one plan behind
/// keep-latest, the duplicate check and joins on those keys. Made by ``TradeFrame/keyed(by:)-([String])``.
///
/// The rows are ordered as ``TradeFrame/sortPermutation(by:)`` sorts them ascending (text by UTF-8 bytes,
/// numbers numerically, a null after every value) and stably, so the rows of one key stay in input order. When
/// the input is already in key order, which one O(n) pass finds out, no sort runs (``inputWasSorted``), like
/// polars' sorted flag. A single key nearly in order (a feed in id order but for its re-sends) has only its rows
/// out of place sorted, then merged with the rest. Two indexes walk their runs side by side for a join (a merge
/// join), so a frame keyed once serves its de-duplication, its duplicate check and its join without hashing or
/// sorting again.
///
/// ```swift
/// let trades = try frame.keyed(by: "trade_id")
/// let latest = try trades.keepingLatest(by: "event_time")   // one row per id, in id order
/// let broker = try brokerFrame.keyed(by: "trade_id")
/// if let (first, repeated) = broker.firstDuplicate() { print(first, repeated) }  // an id on two rows
/// let (ours, theirs) = try latest.join(with: broker)         // matching row pairs
/// ```
public struct KeyIndex: Sendable {
    /// The indexed frame.
    public let frame: TradeFrame
    /// The key column names, most significant first.
    public let keys: [String]
    let keyColumns: [any ColumnProtocol]
    /// The indexed rows in ascending key order; rows with equal keys in input order. Every row of ``frame``,
    /// or after ``keepingLatest(by:)`` one row per key.
    public let rows: [Int]
    /// Where each run of equal keys starts in ``rows``, and `rows.count` at the end; empty when every run is one
    /// row long (a key on one row each, as after ``keepingLatest(by:)``), which saves a word per row.
    let runStarts: [Int]
    /// Whether ``frame``'s rows were already in key order, so that building the index sorted nothing.
    public let inputWasSorted: Bool

    init(
        frame: TradeFrame, keys: [String], keyColumns: [any ColumnProtocol], rows: [Int], runStarts: [Int],
        inputWasSorted: Bool
    ) {
        self.frame = frame
        self.keys = keys
        self.keyColumns = keyColumns
        self.rows = rows
        self.runStarts = runStarts.count == rows.count + 1 ? [] : runStarts
        self.inputWasSorted = inputWasSorted
    }

    /// Where run `run` starts in ``rows`` (`rows.count` for `run == distinctKeyCount`).
    @inline(__always)
    func runStart(_ run: Int) -> Int { runStarts.isEmpty ? run : runStarts[run] }

    /// Indexes `frame` by `keys`.
    ///
    /// - Throws: ``TradeFrameError`` with code `unknownColumn`, or `typeMismatch` for a column that cannot be a
    ///   key.
    init(frame: TradeFrame, keys: [String]) throws(TradeFrameError) {
        let columns = try keys.map { (name) throws(TradeFrameError) in try frame.column(name) }
        try KeyEncoder.checkFamilies([columns], names: keys)
        let count = frame.rowCount
        let rows: [Int]
        let runStarts: [Int]
        let inputWasSorted: Bool
        if columns.count == 1, columns[0].nullCount == 0, var words = SortKeys.exactWords(columns[0]) {
            // One key whose words order and identify its values (see `SortKeys.exactWords`): sorted and split into
            // runs on the words alone, with no comparison of the values themselves. The sort reorders the words in
            // place, so the runs are found between neighbours in sorted order.
            let runsInInputOrder = words.withUnsafeBufferPointer { words in
                Self.runStartsIfInOrder(count: count) { a, b in words[a] < words[b] ? -1 : words[a] == words[b] ? 0 : 1
                }
            }
            if let runsInInputOrder {
                (rows, runStarts, inputWasSorted) = (Array(0..<count), runsInInputOrder, true)
            } else {
                rows = RadixSort.sortedRows(sorting: &words)
                runStarts = words.withUnsafeBufferPointer { words in
                    Self.runStarts(count: count) { words[$0 &- 1] != words[$0] }
                }
                inputWasSorted = false
            }
        } else {
            let ordered: Result<(rows: [Int], runStarts: [Int], inputWasSorted: Bool), TradeFrameError> =
                KeyOrder.withComparator(columns, columns) { compare in
                    if let runs = Self.runStartsIfInOrder(count: count, compare: compare) {
                        return .success((Array(0..<count), runs, true))
                    }
                    return Result { () throws(TradeFrameError) in
                        let rows = try frame.sortPermutation(by: keys.map(SortKey.ascending))
                        let runs = rows.withUnsafeBufferPointer { rows in
                            Self.runStarts(count: count) { compare(rows[$0 &- 1], rows[$0]) != 0 }
                        }
                        return (rows, runs, false)
                    }
                }
            (rows, runStarts, inputWasSorted) = try ordered.get()
        }
        self.init(
            frame: frame, keys: keys, keyColumns: columns, rows: rows, runStarts: runStarts,
            inputWasSorted: inputWasSorted)
    }

    /// The run starts of rows already in key order, or `nil` as soon as a row is out of order.
    ///
    /// - Parameters:
    ///   - count: The number of rows.
    ///   - compare: The key order of two rows (negative, zero or positive).
    @inline(__always)
    private static func runStartsIfInOrder(count: Int, compare: (Int, Int) -> Int) -> [Int]? {
        var runs = RunStarts(count: count)
        var row = 1
        while row < count {
            let order = compare(row &- 1, row)
            if order > 0 { return nil }
            runs.next(at: row, startsRun: order < 0)
            row &+= 1
        }
        return runs.finish(count: count)
    }

    /// The run starts of `count` rows in key order, `startsRun(position)` telling whether the row at a position
    /// (from 1 on) has another key than the one before it.
    @inline(__always)
    private static func runStarts(count: Int, startsRun: (Int) -> Bool) -> [Int] {
        var runs = RunStarts(count: count)
        var position = 1
        while position < count {
            runs.next(at: position, startsRun: startsRun(position))
            position &+= 1
        }
        return runs.finish(count: count)
    }

    /// The run starts of sorted rows as they are visited: nothing is stored while every run is one row long (the
    /// common case of unique keys), which ``runStarts`` then represents as empty.
    private struct RunStarts {
        private var starts: [Int] = []
        private var unitRuns = true
        /// The number of rows, which bounds the number of starts.
        private let count: Int

        init(count: Int) { self.count = count }

        /// Visits position `position` (from 1 on), which starts a new run or continues the previous one.
        @inline(__always)
        mutating func next(at position: Int, startsRun: Bool) {
            if unitRuns {
                guard !startsRun else { return }
                unitRuns = false
                // Room for every row at once: growing by doubling would copy the starts and touch fresh pages
                // again at every step.
                starts.reserveCapacity(count + 1)
                starts.append(contentsOf: 0..<position)
            } else if startsRun {
                starts.append(position)
            }
        }

        /// The starts and `count` at the end, or empty for one-row runs only.
        consuming func finish(count: Int) -> [Int] {
            if unitRuns { return [] }
            starts.append(count)
            return starts
        }
    }

    /// The number of distinct keys (a key with nulls counts as one value).
    public var distinctKeyCount: Int { runStarts.isEmpty ? rows.count : runStarts.count - 1 }

    /// The indexed rows in input order (ascending row numbers).
    ///
    /// - Complexity: O(*n*) for *n* rows of ``frame``.
    public var rowsInInputOrder: [Int] {
        // Runs of a sorted input are in row order, and so are the rows kept from them.
        if inputWasSorted { return rows }
        var indexed = [Bool](repeating: false, count: frame.rowCount)
        for row in rows { indexed[row] = true }
        var result: [Int] = []
        result.reserveCapacity(rows.count)
        for row in 0..<indexed.count where indexed[row] { result.append(row) }
        return result
    }

    /// Whether `row` has a null in any key.
    func hasNullKey(_ row: Int) -> Bool { keyColumns.contains { $0.isNull(row) } }

    /// For each key, the row with the latest timestamp; on a tie the later row wins, and a null timestamp loses
    /// to any value (among only nulls the last row wins). Rows whose keys are null form one key of their own.
    ///
    /// The result is an index of the kept rows, still in key order (one row per key), so it can be joined
    /// without sorting again; ``rowsInInputOrder`` gives them in input order.
    ///
    /// - Parameter timestamp: A ``TimestampColumn`` of ``frame`` (an event time).
    /// - Returns: The index of the kept rows.
    /// - Throws: ``TradeFrameError`` when the column is missing or not a timestamp column.
    /// - Complexity: O(*n*) over the indexed rows.
    public func keepingLatest(by timestamp: String) throws(TradeFrameError) -> KeyIndex {
        let times = try frame.column(timestamp, as: TimestampColumn.self)
        // Every key on one row: all rows are kept, and share this index's storage.
        guard !runStarts.isEmpty else { return self }
        let validity = times.validity
        var kept: [Int] = []
        kept.reserveCapacity(distinctKeyCount)
        times.nanoseconds.withUnsafeValues { values in
            rows.withUnsafeBufferPointer { rows in
                runStarts.withUnsafeBufferPointer { starts in
                    for run in 0..<starts.count &- 1 {
                        var best = rows[starts[run]]
                        for position in starts[run] &+ 1..<starts[run &+ 1] {
                            let row = rows[position]
                            if validity.valid(row) {
                                if !validity.valid(best) || values[row] >= values[best] { best = row }
                            } else if !validity.valid(best) {
                                best = row
                            }
                        }
                        kept.append(best)
                    }
                }
            }
        }
        return KeyIndex(
            frame: frame, keys: keys, keyColumns: keyColumns, rows: kept, runStarts: [], inputWasSorted: inputWasSorted)
    }

    /// The earliest row (in input order) whose key an earlier row has, and the first row with that key; keys
    /// with a null are never duplicates.
    ///
    /// - Returns: The pair of rows, or `nil` when every non-null key is on one row.
    /// - Complexity: O(*k*) for *k* distinct keys.
    public func firstDuplicate() -> (first: Int, repeated: Int)? {
        var found: (first: Int, repeated: Int)?
        for run in 0..<distinctKeyCount where runStart(run + 1) - runStart(run) > 1 {
            let first = rows[runStart(run)]
            let repeated = rows[runStart(run) + 1]
            guard found.map({ repeated < $0.repeated }) ?? true, !hasNullKey(first) else { continue }
            found = (first, repeated)
        }
        return found
    }
}

extension TradeFrame {
    /// Indexes the rows by key columns once, for keep-latest, duplicate checks and joins on those keys (see
    /// ``KeyIndex``).
    ///
    /// - Parameter keys: Key column names, most significant first.
    /// - Returns: The index.
    /// - Throws: ``TradeFrameError`` with code `unknownColumn`, or `typeMismatch` for a column that cannot be a
    ///   key.
    /// - Complexity: O(*n*) when the rows are already in key order, or nearly (one key, at most one row in 16 out
    ///   of place); otherwise a stable radix sort of the keys.
    public func keyed(by keys: [String]) throws(TradeFrameError) -> KeyIndex {
        try KeyIndex(frame: self, keys: keys)
    }

    /// Indexes the rows by one key column (see ``keyed(by:)-([String])``).
    ///
    /// - Parameter key: The key column's name.
    /// - Returns: The index.
    /// - Throws: ``TradeFrameError`` with code `unknownColumn`, or `typeMismatch` for a column that cannot be a
    ///   key.
    public func keyed(by key: String) throws(TradeFrameError) -> KeyIndex {
        try KeyIndex(frame: self, keys: [key])
    }
}

extension TradeFrame {
    /// Keeps, for each key, the row with the latest timestamp; on a tie the later row wins. A null timestamp
    /// loses to any value (among only nulls the last row wins). The frame is keyed once
    /// (``KeyIndex/keepingLatest(by:)``); key it yourself to reuse the index for a join.
    ///
    /// - Parameters:
    ///   - keys: Key columns (a trade id).
    ///   - timestamp: A ``TimestampColumn`` (an event time).
    /// - Returns: One row per key, in the order of the kept rows.
    /// - Throws: ``TradeFrameError`` when a column is missing or of the wrong kind.
    public func keepingLatest(per keys: [String], by timestamp: String) throws(TradeFrameError) -> TradeFrame {
        _ = try column(timestamp, as: TimestampColumn.self)
        return gathering(try keyed(by: keys).keepingLatest(by: timestamp).rowsInInputOrder)
    }

    /// One partition of a frame: the key values and the rows that have them.
    public struct Partition: Sendable {
        /// The key values as text (`nil` for a null key), in key order.
        public let key: [String?]
        /// The rows with that key, in their original order.
        public let frame: TradeFrame
    }

    /// Splits the frame into one frame per distinct key, in order of each key's first row.
    ///
    /// - Parameter keys: Key columns.
    /// - Returns: The partitions; their row counts add up to ``rowCount``.
    /// - Throws: ``TradeFrameError`` when a key column is missing or cannot be a key.
    public func partitioned(by keys: [String]) throws(TradeFrameError) -> [Partition] {
        let grouping = try grouped(by: keys)
        let groups = grouping.groupOfRow.map { Int32($0) }
        let rows = GroupRows(groups: groups, groupCount: grouping.groupCount)
        let keyColumns = try keys.map { (name) throws(TradeFrameError) in try column(name) }
        return (0..<grouping.groupCount).map { group in
            let indices = Array(rows.rows[rows.starts[group]..<rows.starts[group + 1]])
            return Partition(key: keyColumns.map { $0.text(at: indices[0]) }, frame: gathering(indices))
        }
    }

    /// Frames with the same schema one after another. Categorical dictionaries are merged.
    ///
    /// - Parameter frames: Frames with the same column names, kinds and decimal scales, in the same order.
    /// - Returns: One frame with all rows.
    /// - Throws: ``TradeFrameError`` with code `schemaMismatch` naming the first column that differs.
    public static func concatenating(_ frames: [TradeFrame]) throws(TradeFrameError) -> TradeFrame {
        try checkSameSchema(frames)
        guard let first = frames.first else { return TradeFrame() }
        var columns: [(String, any ColumnProtocol)] = []
        for (index, name) in first.columnNames.enumerated() {
            do {
                columns.append(
                    (name, try first.columns[index].appending(contentsOf: frames.dropFirst().map { $0.columns[index] }))
                )
            } catch {
                throw TradeFrameError(error.code, column: name, error.message, cause: error.cause)
            }
        }
        return try TradeFrame(columns)
    }

    /// Frames with the same schema one after another, like ``concatenating(_:)``, releasing each column of the
    /// parts as soon as it is copied: the parts are taken out of `frames` (left empty), so at most the result
    /// plus one column of the parts is held, never two full copies. Use it to join large pieces (the chunks or
    /// files of one feed) whose frames nothing else holds.
    ///
    /// ```swift
    /// var parts = [januaryTrades, februaryTrades]
    /// let trades = try TradeFrame.concatenating(releasing: &parts)   // parts is now empty
    /// ```
    ///
    /// - Parameter frames: Frames with the same column names, kinds and decimal scales, in the same order;
    ///   emptied, whether or not it throws.
    /// - Returns: One frame with all rows.
    /// - Throws: ``TradeFrameError`` with code `schemaMismatch` naming the first column that differs.
    public static func concatenating(releasing frames: inout [TradeFrame]) throws(TradeFrameError) -> TradeFrame {
        var parts = frames.map { $0.columns.map { Optional($0) } }
        let names = frames.first?.columnNames ?? []
        let checked = Result { () throws(TradeFrameError) in try checkSameSchema(frames) }
        frames = []
        try checked.get()
        guard !parts.isEmpty else { return TradeFrame() }
        if parts.count == 1 { return try TradeFrame(Array(zip(names, parts[0].compactMap { $0 }))) }
        var columns: [(String, any ColumnProtocol)] = []
        for (index, name) in names.enumerated() {
            let pieces = parts.indices.compactMap { parts[$0][index] }
            for part in parts.indices { parts[part][index] = nil }
            do {
                columns.append((name, try pieces[0].appending(contentsOf: Array(pieces.dropFirst()))))
            } catch {
                throw TradeFrameError(error.code, column: name, error.message, cause: error.cause)
            }
        }
        return try TradeFrame(columns)
    }

    /// Throws unless every frame has the first one's column names, kinds and decimal scales.
    private static func checkSameSchema(_ frames: [TradeFrame]) throws(TradeFrameError) {
        guard let first = frames.first else { return }
        for frame in frames.dropFirst() {
            guard frame.columnNames == first.columnNames else {
                let name =
                    zip(first.columnNames, frame.columnNames).first { $0 != $1 }?.0 ?? first.columnNames.last ?? ""
                throw TradeFrameError(
                    .schemaMismatch, column: name,
                    "column names differ: [\(first.columnNames.joined(separator: ", "))] vs "
                        + "[\(frame.columnNames.joined(separator: ", "))]")
            }
            for (name, (a, b)) in zip(first.columnNames, zip(first.columns, frame.columns)) where !a.sameSchema(as: b) {
                throw TradeFrameError(
                    .schemaMismatch, column: name, "is \(a.kind) in one frame and \(b.kind) in another")
            }
        }
    }
}

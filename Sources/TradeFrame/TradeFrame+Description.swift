extension TradeFrame: CustomStringConvertible {
    /// The head of the frame (up to 10 rows) as an aligned text table, with kinds under the names and the
    /// shape at the end.
    public var description: String { table(maxRows: 10) }

    /// The first `maxRows` rows as an aligned text table.
    ///
    /// - Parameter maxRows: Rows to print.
    /// - Returns: The table, one line per row, with a shape line `[n rows × m columns]`.
    public func table(maxRows: Int) -> String {
        let shown = min(rowCount, max(0, maxRows))
        var cells: [[String]] = [columnNames, columns.map { $0.kind.rawValue }]
        for row in 0..<shown {
            cells.append(columns.map { Self.clip($0.text(at: row) ?? "null") })
        }
        if shown < rowCount { cells.append(columns.map { _ in "…" }) }
        let widths = (0..<columnCount).map { column in cells.map { $0[column].count }.max() ?? 0 }
        var lines: [String] = []
        for (index, line) in cells.enumerated() {
            let padded = zip(line, widths).map { cell, width in
                cell + String(repeating: " ", count: width - cell.count)
            }
            lines.append(padded.joined(separator: "  "))
            if index == 1 { lines.append(widths.map { String(repeating: "─", count: $0) }.joined(separator: "  ")) }
        }
        lines.append("[\(rowCount) rows × \(columnCount) columns]")
        return lines.joined(separator: "\n")
    }

    private static func clip(_ text: String) -> String {
        text.count > 32 ? String(text.prefix(31)) + "…" : text
    }
}

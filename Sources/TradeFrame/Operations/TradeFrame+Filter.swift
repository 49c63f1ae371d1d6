extension TradeFrame {
    /// The rows where `mask` is `true` (a null mask entry counts as `false`).
    ///
    /// - Parameter mask: One entry per row, such as the result of ``Column/map(_:)`` with a `Bool` result.
    /// - Returns: The selected rows, in order.
    /// - Throws: ``TradeFrameError`` with code `lengthMismatch` when the mask's length differs from ``rowCount``.
    public func filter(_ mask: Column<Bool>) throws(TradeFrameError) -> TradeFrame {
        guard mask.count == rowCount else {
            throw TradeFrameError(.lengthMismatch, "the mask has \(mask.count) rows, the frame \(rowCount)")
        }
        var indices: [Int] = []
        indices.reserveCapacity(rowCount)
        mask.withUnsafeValues { values in
            for row in 0..<values.count where values[row] && mask.validity.valid(row) { indices.append(row) }
        }
        return gathering(indices)
    }

    /// The rows where `predicate` holds for the typed column `name` (null rows are dropped).
    ///
    /// ```swift
    /// let large = try frame.filter("volume_mwh", as: Float.self) { $0 >= 100 }
    /// ```
    ///
    /// - Parameters:
    ///   - name: The column to test.
    ///   - type: Its element type.
    ///   - predicate: The test for one value.
    /// - Returns: The selected rows, in order.
    /// - Throws: ``TradeFrameError`` when the column is missing or of another type.
    public func filter<Element: ColumnElement>(
        _ name: String, as type: Element.Type, where predicate: (Element) -> Bool
    ) throws(TradeFrameError) -> TradeFrame {
        try filter(try column(name, as: Column<Element>.self).map(predicate))
    }

    /// The rows where `predicate` holds for the row index (for tests over several columns).
    ///
    /// - Parameter predicate: Called with each row index in order.
    /// - Returns: The selected rows, in order.
    /// - Throws: What `predicate` throws.
    public func filter(rows predicate: (Int) throws(TradeFrameError) -> Bool) throws(TradeFrameError) -> TradeFrame {
        var indices: [Int] = []
        for row in 0..<rowCount where try predicate(row) { indices.append(row) }
        return gathering(indices)
    }
}

/// Named, ordered columns of one length: the table that replaces a pandas `DataFrame` for trade data.
///
/// A frame is an immutable value; operations return new frames that share unchanged columns. The initialiser
/// checks up front that every column has the same number of rows and that names are unique, and its errors
/// name the offending column (like Arrow's `RecordBatch::try_new`).
///
/// ```swift
/// let frame = try TradeFrame([
///     ("trade_id", StringColumn(["T1", "T2"])),
///     ("volume_mwh", Column<Float>([1.5, 2.0])),
/// ])
/// let volumes = frame["volume_mwh", as: Float.self]
/// ```
public struct TradeFrame: Sendable {
    /// The column names, in order.
    public let columnNames: [String]
    /// The columns, in order.
    public let columns: [any ColumnProtocol]
    /// The number of rows.
    public let rowCount: Int
    let positions: [String: Int]

    /// Creates a frame, checking lengths and names.
    ///
    /// - Parameter columns: Named columns, in order.
    /// - Throws: ``TradeFrameError`` with code `lengthMismatch` naming the first column whose length differs
    ///   from the first column's, or `duplicateColumn` for a repeated or empty name.
    public init(_ columns: [(String, any ColumnProtocol)]) throws(TradeFrameError) {
        var positions: [String: Int] = [:]
        let expected = columns.first?.1.count ?? 0
        for (position, (name, column)) in columns.enumerated() {
            guard !name.isEmpty else {
                throw TradeFrameError(.duplicateColumn, column: name, "a column name must not be empty")
            }
            guard positions.updateValue(position, forKey: name) == nil else {
                throw TradeFrameError(.duplicateColumn, column: name, "the name appears more than once")
            }
            guard column.count == expected else {
                throw TradeFrameError(
                    .lengthMismatch, column: name,
                    "has \(column.count) rows, expected \(expected) (the length of column \"\(columns[0].0)\")")
            }
        }
        self.init(unchecked: columns.map(\.0), columns.map(\.1), rowCount: expected, positions: positions)
    }

    init(unchecked names: [String], _ columns: [any ColumnProtocol], rowCount: Int, positions: [String: Int]? = nil) {
        self.columnNames = names
        self.columns = columns
        self.rowCount = rowCount
        self.positions = positions ?? Dictionary(uniqueKeysWithValues: names.enumerated().map { ($1, $0) })
    }

    /// An empty frame with no columns.
    public init() { self.init(unchecked: [], [], rowCount: 0) }

    /// The number of columns.
    public var columnCount: Int { columns.count }

    /// The column named `name`, or `nil`.
    public subscript(name: String) -> (any ColumnProtocol)? {
        positions[name].map { columns[$0] }
    }

    /// The column named `name` as a ``Column`` of `type`, or `nil` when absent or of another kind.
    ///
    /// `frame["volume_mwh", as: Float.self]` is the Float32 volume column.
    public subscript<Element: ColumnElement>(name: String, as type: Element.Type) -> Column<Element>? {
        self[name] as? Column<Element>
    }

    /// The column named `name` as a concrete column type, or `nil` when absent or of another type.
    ///
    /// `frame["product", as: CategoricalColumn.self]`.
    public subscript<C: ColumnProtocol>(name: String, as type: C.Type) -> C? {
        self[name] as? C
    }

    /// The column named `name`.
    ///
    /// - Parameter name: The column name.
    /// - Returns: The column.
    /// - Throws: ``TradeFrameError`` with code `unknownColumn`.
    public func column(_ name: String) throws(TradeFrameError) -> any ColumnProtocol {
        guard let position = positions[name] else {
            throw TradeFrameError(
                .unknownColumn, column: name, "no such column; the frame has \(columnNames.joined(separator: ", "))")
        }
        return columns[position]
    }

    /// The column named `name` as type `C`.
    ///
    /// - Parameters:
    ///   - name: The column name.
    ///   - type: The expected column type, such as `Column<Float>.self` or `DecimalColumn.self`.
    /// - Returns: The typed column.
    /// - Throws: ``TradeFrameError`` with code `unknownColumn`, or `typeMismatch` naming the column's kind.
    public func column<C: ColumnProtocol>(_ name: String, as type: C.Type) throws(TradeFrameError) -> C {
        let column = try column(name)
        guard let typed = column as? C else {
            throw TradeFrameError(.typeMismatch, column: name, "is \(column.kind), not \(C.self)")
        }
        return typed
    }

    /// Whether the frame has a column named `name`.
    public func contains(_ name: String) -> Bool { positions[name] != nil }

    /// The named columns, in the order given.
    ///
    /// - Parameter names: Columns to keep.
    /// - Returns: A frame of those columns.
    /// - Throws: ``TradeFrameError`` with code `unknownColumn`, or `duplicateColumn` for a name given twice.
    public func selecting(_ names: [String]) throws(TradeFrameError) -> TradeFrame {
        var selected: [(String, any ColumnProtocol)] = []
        for name in names { selected.append((name, try column(name))) }
        return try TradeFrame(selected.isEmpty ? [] : selected).withRowCount(rowCount)
    }

    /// The frame with some columns renamed.
    ///
    /// - Parameter renames: Old name to new name.
    /// - Returns: A frame with the same columns in the same order.
    /// - Throws: ``TradeFrameError`` with code `unknownColumn` for an old name the frame lacks, or
    ///   `duplicateColumn` when a new name clashes.
    public func renaming(_ renames: [String: String]) throws(TradeFrameError) -> TradeFrame {
        for old in renames.keys where positions[old] == nil {
            throw TradeFrameError(.unknownColumn, column: old, "cannot rename a column the frame does not have")
        }
        return try TradeFrame(zip(columnNames.map { renames[$0] ?? $0 }, columns).map { ($0, $1) })
    }

    /// The frame with a column added at the end, or replaced in place when the name exists.
    ///
    /// - Parameters:
    ///   - name: The column name.
    ///   - column: A column with ``rowCount`` rows.
    /// - Returns: The new frame.
    /// - Throws: ``TradeFrameError`` with code `lengthMismatch` naming the column.
    public func adding(_ name: String, _ column: any ColumnProtocol) throws(TradeFrameError) -> TradeFrame {
        guard column.count == rowCount || columns.isEmpty else {
            throw TradeFrameError(.lengthMismatch, column: name, "has \(column.count) rows, expected \(rowCount)")
        }
        guard !name.isEmpty else { throw TradeFrameError(.duplicateColumn, column: name, "empty column name") }
        var names = columnNames
        var columns = columns
        if let position = positions[name] {
            columns[position] = column
        } else {
            names.append(name)
            columns.append(column)
        }
        return TradeFrame(unchecked: names, columns, rowCount: column.count)
    }

    /// The frame with a derived column computed from an existing one.
    ///
    /// - Parameters:
    ///   - name: The new column's name.
    ///   - source: The source column's name.
    ///   - type: The source column's type, such as `DecimalColumn.self`.
    ///   - transform: Maps the typed source column to the new column.
    /// - Returns: The new frame.
    /// - Throws: ``TradeFrameError`` when the source is missing or of another type, or the result's length differs.
    public func deriving<C: ColumnProtocol>(
        _ name: String, from source: String, as type: C.Type,
        _ transform: (C) throws(TradeFrameError) -> any ColumnProtocol
    ) throws(TradeFrameError) -> TradeFrame {
        try adding(name, try transform(try column(source, as: C.self)))
    }

    /// The frame without the named columns.
    ///
    /// - Parameter names: Columns to drop.
    /// - Returns: The remaining columns in order.
    /// - Throws: ``TradeFrameError`` with code `unknownColumn`.
    public func removing(_ names: [String]) throws(TradeFrameError) -> TradeFrame {
        for name in names where positions[name] == nil {
            throw TradeFrameError(.unknownColumn, column: name, "cannot remove a column the frame does not have")
        }
        let drop = Set(names)
        return try selecting(columnNames.filter { !drop.contains($0) })
    }

    /// A zero-copy view of some rows; the range is clamped to the frame.
    ///
    /// - Parameter range: The rows to keep.
    /// - Returns: A frame sharing this frame's buffers.
    public func rows(_ range: Range<Int>) -> TradeFrame {
        let clamped = range.clamped(to: 0..<rowCount)
        return TradeFrame(
            unchecked: columnNames, columns.map { $0.slice(clamped) }, rowCount: clamped.count, positions: positions)
    }

    /// The first `count` rows (zero-copy).
    public func head(_ count: Int = 10) -> TradeFrame { rows(0..<max(0, count)) }

    /// The rows at `indices`, in that order, as new columns; `-1` gives a row of nulls.
    ///
    /// - Parameter indices: Row positions in `0..<rowCount`, or `-1`.
    /// - Returns: A frame with `indices.count` rows.
    /// - Throws: ``TradeFrameError`` with code `invalidArgument` for an index outside `-1..<rowCount`.
    public func rows(at indices: [Int]) throws(TradeFrameError) -> TradeFrame {
        if let bad = indices.first(where: { $0 < -1 || $0 >= rowCount }) {
            throw TradeFrameError(.invalidArgument, "row index \(bad) is outside -1..<\(rowCount)")
        }
        return gathering(indices)
    }

    /// The rows at `indices` (already checked by the caller), as new columns.
    func gathering(_ indices: [Int]) -> TradeFrame {
        indices.withUnsafeBufferPointer { buffer in
            TradeFrame(
                unchecked: columnNames, columns.map { $0.gathering(buffer) }, rowCount: indices.count,
                positions: positions)
        }
    }

    /// Bytes used by each column (values, offsets, dictionaries and validity bitmaps).
    public var memoryFootprint: [(column: String, bytes: Int)] {
        zip(columnNames, columns).map { ($0, $1.memoryFootprint) }
    }

    /// Bytes used by all columns.
    public var totalMemoryFootprint: Int { columns.reduce(0) { $0 + $1.memoryFootprint } }

    private func withRowCount(_ count: Int) -> TradeFrame {
        columns.isEmpty ? TradeFrame(unchecked: [], [], rowCount: count) : self
    }
}

// One accessor per column kind, so that results (an aggregate, a reconciliation report) are read without a cast
// from `any ColumnProtocol` and without spelling the column's Swift type. Each is `column(_:as:)` with the type
// fixed: a missing column is `unknownColumn`, a column of another kind `typeMismatch`, both naming the column.

extension TradeFrame {
    /// The Float64 column named `name`.
    ///
    /// - Parameter name: The column name.
    /// - Returns: The column.
    /// - Throws: ``TradeFrameError`` with code `unknownColumn`, or `typeMismatch` naming the column's kind.
    public func doubles(_ name: String) throws(TradeFrameError) -> Column<Double> {
        try column(name, as: Column<Double>.self)
    }

    /// The Float32 column named `name`.
    ///
    /// - Parameter name: The column name.
    /// - Returns: The column.
    /// - Throws: ``TradeFrameError`` with code `unknownColumn`, or `typeMismatch` naming the column's kind.
    public func floats(_ name: String) throws(TradeFrameError) -> Column<Float> {
        try column(name, as: Column<Float>.self)
    }

    /// The Int64 column named `name`, such as the `count` of an aggregate.
    ///
    /// - Parameter name: The column name.
    /// - Returns: The column.
    /// - Throws: ``TradeFrameError`` with code `unknownColumn`, or `typeMismatch` naming the column's kind.
    public func int64s(_ name: String) throws(TradeFrameError) -> Column<Int64> {
        try column(name, as: Column<Int64>.self)
    }

    /// The Int32 column named `name`.
    ///
    /// - Parameter name: The column name.
    /// - Returns: The column.
    /// - Throws: ``TradeFrameError`` with code `unknownColumn`, or `typeMismatch` naming the column's kind.
    public func int32s(_ name: String) throws(TradeFrameError) -> Column<Int32> {
        try column(name, as: Column<Int32>.self)
    }

    /// The Bool column named `name`, such as a reconciliation's `flagged`.
    ///
    /// - Parameter name: The column name.
    /// - Returns: The column.
    /// - Throws: ``TradeFrameError`` with code `unknownColumn`, or `typeMismatch` naming the column's kind.
    public func bools(_ name: String) throws(TradeFrameError) -> Column<Bool> {
        try column(name, as: Column<Bool>.self)
    }

    /// The string column named `name`, such as a trade id. A categorical column is not a string column: read it
    /// with ``categoricals(_:)``, or decode it with ``CategoricalColumn/decoded()``.
    ///
    /// - Parameter name: The column name.
    /// - Returns: The column.
    /// - Throws: ``TradeFrameError`` with code `unknownColumn`, or `typeMismatch` naming the column's kind.
    public func strings(_ name: String) throws(TradeFrameError) -> StringColumn {
        try column(name, as: StringColumn.self)
    }

    /// The categorical column named `name`, such as a product code or a settlement cycle.
    ///
    /// - Parameter name: The column name.
    /// - Returns: The column.
    /// - Throws: ``TradeFrameError`` with code `unknownColumn`, or `typeMismatch` naming the column's kind.
    public func categoricals(_ name: String) throws(TradeFrameError) -> CategoricalColumn {
        try column(name, as: CategoricalColumn.self)
    }

    /// The timestamp column named `name`.
    ///
    /// - Parameter name: The column name.
    /// - Returns: The column.
    /// - Throws: ``TradeFrameError`` with code `unknownColumn`, or `typeMismatch` naming the column's kind.
    public func timestamps(_ name: String) throws(TradeFrameError) -> TimestampColumn {
        try column(name, as: TimestampColumn.self)
    }

    /// The exact decimal column named `name`, such as a volume or its exact sum.
    ///
    /// - Parameter name: The column name.
    /// - Returns: The column.
    /// - Throws: ``TradeFrameError`` with code `unknownColumn`, or `typeMismatch` naming the column's kind.
    public func decimals(_ name: String) throws(TradeFrameError) -> DecimalColumn {
        try column(name, as: DecimalColumn.self)
    }
}

import ETRMContracts

/// A numeric column read as exact decimals: Int64 significands and one scale (integers at scale 0).
///
/// Float32 and Float64 columns are not exact decimals and are rejected; operations whose result must be exact
/// (the reconciliation flag, the exact VWAP) go through this one gate.
struct ExactValues {
    let significands: Column<Int64>
    let scale: Int

    init(unchecked column: DecimalColumn) { (significands, scale) = (column.significands, column.scale) }

    /// Reads `column` as exact decimals.
    ///
    /// - Throws: ``TradeFrameError`` with code `typeMismatch` naming the column for any other kind.
    init(_ column: any ColumnProtocol, name: String, purpose: String) throws(TradeFrameError) {
        switch column {
        case let c as DecimalColumn: (significands, scale) = (c.significands, c.scale)
        case let c as Column<Int64>: (significands, scale) = (c, 0)
        case let c as Column<Int32>: (significands, scale) = (c.map { Int64($0) }, 0)
        case is Column<Double>, is Column<Float>:
            throw TradeFrameError(
                .typeMismatch, column: name,
                "is \(column.kind): \(purpose) needs exact values (a decimal or integer column); binary floating "
                    + "point cannot hold decimals such as 0.1 exactly, so build the column as a decimal "
                    + "(DecimalColumn(parsing:scale:)) instead of converting the floats")
        default:
            throw TradeFrameError(.typeMismatch, column: name, "is \(column.kind), not a numeric column")
        }
    }
}

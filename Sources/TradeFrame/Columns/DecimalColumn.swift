import ETRMContracts

/// A column of exact decimals: Int64 significands with one scale for the whole column, so that row `i` is
/// `significand(i) × 10^-scale` exactly (`1234.567` at scale 3 is stored as `1234567`).
///
/// Sums and volume-weighted averages over decimal columns accumulate in `Int128` and are exact; conversions to
/// `Double` or `Float` are for display and analytics only (see ``doubles()``).
public struct DecimalColumn: ColumnProtocol {
    /// TradeFrame's column (see ``ColumnProtocol``).
    public static var _seal: _ColumnSeal { _ColumnSeal() }

    /// The significands.
    public let significands: Column<Int64>
    /// The number of digits after the decimal point, 0 through 18.
    public let scale: Int

    /// Wraps significands with a column scale.
    ///
    /// - Parameters:
    ///   - significands: The scaled integers.
    ///   - scale: Digits after the point, 0 through 18.
    /// - Throws: ``TradeFrameError`` with code `invalidArgument` for a scale outside 0...18, or `overflow` for a
    ///   significand of `Int64.min` (which `ExactDecimal` cannot hold).
    public init(significands: Column<Int64>, scale: Int) throws(TradeFrameError) {
        guard (0...18).contains(scale) else {
            throw TradeFrameError(.invalidArgument, "decimal scale \(scale) is outside 0...18")
        }
        let hasMinimum = significands.withUnsafeValues { values in
            (0..<values.count).contains { values[$0] == .min && significands.validity.valid($0) }
        }
        guard !hasMinimum else { throw TradeFrameError(.overflow, "Int64.min is not a decimal significand") }
        self.init(unchecked: significands, scale: scale)
    }

    /// Creates a column of exact decimals at a column scale (`nil` is a null row).
    ///
    /// - Parameters:
    ///   - values: The rows.
    ///   - scale: Digits after the point; a value with more (non-zero) fraction digits is rejected, never rounded.
    /// - Throws: ``TradeFrameError`` with code `inexact` or `overflow`.
    public init(_ values: some Sequence<ExactDecimal?>, scale: Int) throws(TradeFrameError) {
        var builder = try DecimalColumnBuilder(scale: scale)
        for value in values { try builder.append(value) }
        self = builder.finish()
    }

    init(unchecked significands: Column<Int64>, scale: Int) {
        self.significands = significands
        self.scale = scale
    }

    /// Parses decimal strings (`"12.345"`, `"-0.5"`; `nil` is a null row) at a column scale.
    ///
    /// - Parameters:
    ///   - values: The rows.
    ///   - scale: Digits after the point; a value with more digits is rejected, never rounded.
    /// - Throws: ``TradeFrameError`` for text that is not a decimal or does not fit the scale.
    public init(parsing values: some Sequence<String?>, scale: Int) throws(TradeFrameError) {
        var builder = try DecimalColumnBuilder(scale: scale)
        for value in values {
            if let value { try builder.append(parsing: Substring(value)) } else { builder.appendNull() }
        }
        self = builder.finish()
    }

    public var kind: ColumnKind { .decimal }
    public var count: Int { significands.count }
    public var nullCount: Int { significands.nullCount }
    public var validity: ValidityBitmap? { significands.validity }
    public var memoryFootprint: Int { significands.memoryFootprint }

    /// The value at `index`, or `nil` for a null row.
    public subscript(index: Int) -> ExactDecimal? {
        significands[index].map { ExactDecimal(significand: $0, scale: UInt8(scale)) }
    }

    public func isNull(_ index: Int) -> Bool { significands.isNull(index) }
    public func slice(_ range: Range<Int>) -> DecimalColumn {
        DecimalColumn(unchecked: significands.slice(range), scale: scale)
    }
    public func gathering(_ indices: UnsafeBufferPointer<Int>) -> DecimalColumn {
        DecimalColumn(unchecked: significands.gathering(indices), scale: scale)
    }
    public func appending(contentsOf others: [any ColumnProtocol]) throws(TradeFrameError) -> DecimalColumn {
        let typed = try castAll(others, to: DecimalColumn.self)
        if let other = typed.first(where: { $0.scale != scale }) {
            throw TradeFrameError(.schemaMismatch, "cannot append a decimal of scale \(other.scale) to scale \(scale)")
        }
        return DecimalColumn(unchecked: try significands.appending(contentsOf: typed.map(\.significands)), scale: scale)
    }

    public func text(at index: Int) -> String? { self[index]?.description }

    public func writeJSON(at index: Int, into buffer: inout [UInt8]) {
        buffer.append(contentsOf: (text(at: index) ?? "null").utf8)
    }

    /// The values as `Double`, each the correctly rounded quotient `significand / 10^scale` (exact when the
    /// significand is below 2^53).
    ///
    /// - Returns: A Float64 column with the same nulls.
    public func doubles() -> Column<Double> {
        let divisor = Double(pow10[scale])
        return significands.map { Double($0) / divisor }
    }

    /// The values as `Float` (through `Double`).
    ///
    /// - Returns: A Float32 column with the same nulls.
    public func floats() -> Column<Float> {
        let divisor = Double(pow10[scale])
        return significands.map { Float(Double($0) / divisor) }
    }

    /// The exact sum of the valid rows.
    ///
    /// - Returns: The total with an `Int128` significand at the column's scale.
    public func exactSum() -> WideDecimal {
        var total: Int128 = 0
        significands.withUnsafeValues { values in
            if validity == nil {
                for value in values { total &+= Int128(value) }
            } else {
                for row in 0..<values.count where validity.valid(row) { total &+= Int128(values[row]) }
            }
        }
        return WideDecimal(significand: total, scale: UInt8(scale))
    }
}

extension DecimalColumn: Equatable {}

/// 10^0 … 10^18.
let pow10: [Int64] = (0...18).map { exponent in (0..<exponent).reduce(1) { value, _ in value * 10 } }

/// Appends exact decimals at a column scale and finishes into an immutable ``DecimalColumn``.
public struct DecimalColumnBuilder: Sendable {
    var builder: ColumnBuilder<Int64>
    /// The column scale.
    public let scale: Int

    /// Creates a builder.
    ///
    /// - Parameters:
    ///   - scale: Digits after the point, 0 through 18.
    ///   - capacity: Expected number of rows.
    /// - Throws: ``TradeFrameError`` with code `invalidArgument` for a scale outside 0...18.
    public init(scale: Int, capacity: Int = 0) throws(TradeFrameError) {
        guard (0...18).contains(scale) else {
            throw TradeFrameError(.invalidArgument, "decimal scale \(scale) is outside 0...18")
        }
        self.scale = scale
        builder = ColumnBuilder(capacity: capacity)
    }

    /// The number of rows appended so far.
    public var count: Int { builder.count }

    /// Appends `significand × 10^-valueScale`, rescaled exactly to the column scale.
    ///
    /// - Parameters:
    ///   - significand: The scaled integer.
    ///   - valueScale: Its digits after the point.
    /// - Throws: ``TradeFrameError`` with code `inexact` when the value has more fraction digits than the column
    ///   keeps (non-zero digits would be lost), or `overflow` when the rescaled value does not fit Int64.
    public mutating func append(significand: Int64, scale valueScale: Int) throws(TradeFrameError) {
        builder.append(try Self.rescale(significand, from: valueScale, to: scale))
    }

    /// Appends an exact decimal, rescaled exactly to the column scale, or a null row for `nil`.
    ///
    /// - Parameter value: The decimal.
    /// - Throws: ``TradeFrameError`` with code `inexact` or `overflow`.
    public mutating func append(_ value: ExactDecimal?) throws(TradeFrameError) {
        guard let value else { return appendNull() }
        try append(significand: value.significand, scale: Int(value.scale))
    }

    /// Parses (with `ExactDecimal`'s exact parser) and appends a decimal such as `-1234.5`.
    ///
    /// - Parameter text: The decimal.
    /// - Throws: ``TradeFrameError`` with code `invalidInput` (not a decimal), `outOfRange` (more digits than a
    ///   64-bit significand holds), `inexact` or `overflow` (does not fit the column's scale).
    public mutating func append(parsing text: Substring) throws(TradeFrameError) {
        let value: ExactDecimal
        do {
            value = try ExactDecimal(parsing: text.utf8)
        } catch {
            let outOfRange = error.code == .outOfRange
            throw TradeFrameError(
                outOfRange ? .outOfRange : .invalidInput,
                "\"\(text.prefix(40))\" \(outOfRange ? "is out of range" : "is not a decimal number"): \(error.message)",
                cause: error)
        }
        try append(value)
    }

    /// Appends a null row.
    public mutating func appendNull() { builder.appendNull() }

    /// Finishes the column.
    ///
    /// - Returns: An immutable column of the appended rows.
    public func finish() -> DecimalColumn { DecimalColumn(unchecked: builder.finish(), scale: scale) }

    static func rescale(_ significand: Int64, from valueScale: Int, to scale: Int) throws(TradeFrameError) -> Int64 {
        if valueScale == scale { return significand }
        if valueScale < scale {
            let factor = scale - valueScale
            guard factor <= 18 else {
                throw TradeFrameError(.overflow, "cannot rescale \(text(significand, scale: valueScale))")
            }
            let (value, overflow) = significand.multipliedReportingOverflow(by: pow10[factor])
            guard !overflow else {
                throw TradeFrameError(.overflow, "\(text(significand, scale: valueScale)) does not fit scale \(scale)")
            }
            return value
        }
        let factor = valueScale - scale
        guard factor <= 18 else { throw TradeFrameError(.inexact, "too many fraction digits") }
        let divisor = pow10[factor]
        guard significand % divisor == 0 else {
            throw TradeFrameError(
                .inexact,
                "\(text(significand, scale: valueScale)) has more than \(scale) "
                    + "fraction digits")
        }
        return significand / divisor
    }

    /// `significand × 10^-scale` as a plain decimal (`31899236661.3`), for messages.
    private static func text(_ significand: Int64, scale: Int) -> String {
        guard let scale = UInt8(exactly: scale) else { return "\(significand)e\(-scale)" }
        return WideDecimal(significand: Int128(significand), scale: scale).description
    }
}

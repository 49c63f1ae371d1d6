/// A column of exact decimals: Int64 significands with one scale for the whole column, so that row `i` is
/// `significand(i) × 10^-scale` exactly (`1234.567` at scale 3 is stored as `1234567`).
///
/// Sums and volume-weighted averages over decimal columns accumulate in `Int128` and are exact; conversions to
/// `Double` or `Float` are for display and analytics only (see ``doubles()``).
public struct DecimalColumn: ColumnProtocol {
    /// The significands.
    public let significands: Column<Int64>
    /// The number of digits after the decimal point, 0 through 18.
    public let scale: Int

    /// Wraps significands with a column scale.
    ///
    /// - Parameters:
    ///   - significands: The scaled integers.
    ///   - scale: Digits after the point, 0 through 18.
    /// - Throws: ``TradeFrameError`` with code `invalidArgument` for a scale outside 0...18.
    public init(significands: Column<Int64>, scale: Int) throws(TradeFrameError) {
        guard (0...18).contains(scale) else {
            throw TradeFrameError(.invalidArgument, "decimal scale \(scale) is outside 0...18")
        }
        self.init(unchecked: significands, scale: scale)
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

    /// The significand at `index`, or `nil` for a null row.
    public subscript(index: Int) -> Int64? { significands[index] }

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

    public func text(at index: Int) -> String? {
        significands[index].map { Self.format(Int128($0), scale: scale) }
    }

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
    public func exactSum() -> DecimalTotal {
        var total: Int128 = 0
        significands.withUnsafeValues { values in
            if validity == nil {
                for value in values { total &+= Int128(value) }
            } else {
                for row in 0..<values.count where validity.valid(row) { total &+= Int128(values[row]) }
            }
        }
        return DecimalTotal(significand: total, scale: scale)
    }

    /// Text of `significand × 10^-scale`.
    static func format(_ significand: Int128, scale: Int) -> String {
        let digits = String(significand.magnitude)
        guard scale > 0 else { return significand < 0 ? "-" + digits : digits }
        let padded = String(repeating: "0", count: max(0, scale + 1 - digits.count)) + digits
        let split = padded.index(padded.endIndex, offsetBy: -scale)
        return (significand < 0 ? "-" : "") + padded[..<split] + "." + padded[split...]
    }
}

extension DecimalColumn: Equatable {}

/// 10^0 … 10^18.
let pow10: [Int64] = (0...18).map { exponent in (0..<exponent).reduce(1) { value, _ in value * 10 } }

/// An exact decimal total: an `Int128` significand and a scale.
public struct DecimalTotal: Hashable, Sendable, CustomStringConvertible {
    /// The scaled integer.
    public var significand: Int128
    /// Digits after the point.
    public var scale: Int

    /// Creates a total.
    ///
    /// - Parameters:
    ///   - significand: The scaled integer.
    ///   - scale: Digits after the point.
    public init(significand: Int128, scale: Int) {
        self.significand = significand
        self.scale = scale
    }

    /// The exact decimal text, such as `1234.567`.
    public var description: String { DecimalColumn.format(significand, scale: scale) }

    /// The nearest `Double`.
    public var doubleValue: Double {
        let divisor = Double(Int128(10).power(scale))
        return Double(significand) / divisor
    }
}

extension Int128 {
    func power(_ exponent: Int) -> Int128 {
        var result: Int128 = 1
        for _ in 0..<exponent { result *= self }
        return result
    }
}

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

    /// Parses and appends a decimal string such as `-1234.5`.
    ///
    /// - Parameter text: The decimal.
    /// - Throws: ``TradeFrameError`` with code `invalidInput`, `inexact` or `overflow`.
    public mutating func append(parsing text: Substring) throws(TradeFrameError) {
        guard let (significand, valueScale) = Self.parse(text) else {
            throw TradeFrameError(.invalidInput, "\"\(text.prefix(40))\" is not a decimal number")
        }
        try append(significand: significand, scale: valueScale)
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
            guard factor <= 18 else { throw TradeFrameError(.overflow, "cannot rescale \(significand)") }
            let (value, overflow) = significand.multipliedReportingOverflow(by: pow10[factor])
            guard !overflow else {
                throw TradeFrameError(.overflow, "\(significand)e-\(valueScale) does not fit scale \(scale)")
            }
            return value
        }
        let factor = valueScale - scale
        guard factor <= 18 else { throw TradeFrameError(.inexact, "too many fraction digits") }
        let divisor = pow10[factor]
        guard significand % divisor == 0 else {
            throw TradeFrameError(
                .inexact,
                "\(DecimalColumn.format(Int128(significand), scale: valueScale)) has more than \(scale) "
                    + "fraction digits")
        }
        return significand / divisor
    }

    /// Parses `[-+]digits[.digits]` exactly, trailing zeros kept in the scale.
    static func parse(_ text: Substring) -> (Int64, Int)? {
        var significand: Int64 = 0
        var scale = 0
        var seenPoint = false
        var digits = 0
        var negative = false
        var index = text.utf8.startIndex
        let utf8 = text.utf8
        if index < utf8.endIndex, utf8[index] == 45 || utf8[index] == 43 {
            negative = utf8[index] == 45
            index = utf8.index(after: index)
        }
        while index < utf8.endIndex {
            let byte = utf8[index]
            if byte == 46 {
                guard !seenPoint else { return nil }
                seenPoint = true
            } else if byte >= 48 && byte <= 57 {
                let (times, o1) = significand.multipliedReportingOverflow(by: 10)
                let (plus, o2) = times.addingReportingOverflow(Int64(byte - 48))
                guard !o1, !o2 else { return nil }
                significand = plus
                digits += 1
                if seenPoint { scale += 1 }
            } else {
                return nil
            }
            index = utf8.index(after: index)
        }
        guard digits > 0, scale <= 18 else { return nil }
        return (negative ? -significand : significand, scale)
    }
}

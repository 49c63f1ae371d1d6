/// An exact decimal number for quantities and prices: a 64-bit significand and 0 to 18 fraction digits.
///
/// The value is `significand × 10^-scale`. `ExactDecimal` never passes through binary floating point: it is
/// parsed from the digits of a JSON number or decimal string, compared and hashed numerically, and multiplied
/// exactly into a ``WideDecimal``.
///
/// ```swift
/// let price = try ExactDecimal("42.50")          // significand 4250, scale 2
/// let volume = try ExactDecimal("-12.345")
/// let notional = price.multipliedFullWidth(by: volume)   // exact, Int128 significand
/// price == (try ExactDecimal("42.5"))            // true: equality is numeric
/// price.description                              // "42.50": the scale is kept
/// ```
///
/// The significand is never `Int64.min`, so every value can be negated; the representable range is
/// `±9_223_372_036_854_775_807 × 10^-scale`. Arithmetic that would leave that range throws
/// ``ValidationIssue/Code/outOfRange`` instead of rounding or trapping.
///
/// Through `Codable`, ``WireJSONDecoder`` and ``WireJSONEncoder`` keep the written scale (`42.50` stays
/// scale 2 both ways, as ``RecordReader`` reads it); Foundation's `JSONDecoder` and `JSONEncoder` keep the
/// value but not the scale, because they pass numbers through `Decimal`, which drops trailing zeros.
///
/// Only two initialisers trap, both meant for literals the program writes: ``init(significand:scale:)``
/// (a scale above 18 or a significand of `Int64.min`) and ``init(_:)-(Int64)`` (`Int64.min`). For values
/// from elsewhere use ``init(checkedSignificand:scale:)``, ``init(_:)-(String)`` or ``init(parsing:)``, which
/// throw.
public struct ExactDecimal: Sendable {
    /// The digits of the value as an integer: the value is `significand × 10^-scale`.
    public let significand: Int64
    /// The number of fraction digits, `0...18`.
    public let scale: UInt8

    /// The largest ``scale``: 18 fraction digits.
    public static let maximumScale: UInt8 = 18

    /// Zero, with no fraction digits.
    public static let zero = ExactDecimal(unchecked: 0, scale: 0)

    /// Creates a decimal from its significand and scale: the value is `significand × 10^-scale`.
    ///
    /// This initialiser is for values the program constructs; input data goes through ``init(_:)-(String)`` or
    /// ``init(parsing:)``, which never trap.
    ///
    /// - Parameters:
    ///   - significand: The digits as an integer; must not be `Int64.min`.
    ///   - scale: The number of fraction digits; must be at most ``maximumScale``.
    /// - Precondition: `scale <= 18` and `significand != Int64.min`.
    @inlinable
    public init(significand: Int64, scale: UInt8) {
        precondition(scale <= Self.maximumScale, "ExactDecimal scale must be 0...18")
        precondition(significand != .min, "ExactDecimal significand must not be Int64.min")
        self.significand = significand
        self.scale = scale
    }

    /// Creates a decimal from its significand and scale, checked: the throwing form of
    /// ``init(significand:scale:)`` for values that come from outside the program.
    ///
    /// - Parameters:
    ///   - significand: The digits as an integer.
    ///   - scale: The number of fraction digits.
    /// - Throws: ``ValidationIssue`` with code ``ValidationIssue/Code/outOfRange`` when `scale` is outside
    ///   `0...18` or `significand` is `Int64.min`.
    public init(checkedSignificand significand: Int64, scale: Int) throws(ValidationIssue) {
        guard (0...Int(Self.maximumScale)).contains(scale) else {
            throw ValidationIssue(
                code: .outOfRange, message: "the scale of an exact decimal must be 0...18",
                value: "\(significand) at scale \(scale)")
        }
        guard significand != .min else {
            throw ValidationIssue(
                code: .outOfRange,
                message: "the significand of an exact decimal must be within ±9223372036854775807",
                value: "\(significand) at scale \(scale)")
        }
        self.init(unchecked: significand, scale: UInt8(scale))
    }

    /// Creates an integral decimal.
    ///
    /// - Parameter integer: The value; must not be `Int64.min`.
    /// - Precondition: `integer != Int64.min`.
    @inlinable
    public init(_ integer: Int64) {
        self.init(significand: integer, scale: 0)
    }

    @inlinable
    init(unchecked significand: Int64, scale: UInt8) {
        self.significand = significand
        self.scale = scale
    }

    /// Whether the value is zero (at any scale).
    @inlinable
    public var isZero: Bool { significand == 0 }

    /// Whether the value is below zero.
    @inlinable
    public var isNegative: Bool { significand < 0 }

    /// The same value with trailing fraction zeros removed (`1.500` becomes `1.5`; `0.00` becomes `0`).
    public var normalized: ExactDecimal {
        var significand = significand
        var scale = scale
        while scale > 0 && significand % 10 == 0 {
            significand /= 10
            scale -= 1
        }
        return ExactDecimal(unchecked: significand, scale: scale)
    }

    /// The significand widened to `scale` fraction digits; `scale` must be at least ``scale``.
    @inlinable
    func significand(atScale target: UInt8) -> Int128 {
        Int128(significand) * DecimalPowers.int128[Int(target - scale)]
    }
}

extension ExactDecimal: Hashable {
    /// Numeric equality: `1.50 == 1.5`.
    @inlinable
    public static func == (lhs: ExactDecimal, rhs: ExactDecimal) -> Bool {
        if lhs.scale == rhs.scale { return lhs.significand == rhs.significand }
        let common = max(lhs.scale, rhs.scale)
        return lhs.significand(atScale: common) == rhs.significand(atScale: common)
    }

    /// Hashes the normalised value, so that equal numbers at different scales hash alike.
    public func hash(into hasher: inout Hasher) {
        let value = normalized
        hasher.combine(value.significand)
        hasher.combine(value.scale)
    }
}

extension ExactDecimal: Comparable {
    /// Numeric order.
    @inlinable
    public static func < (lhs: ExactDecimal, rhs: ExactDecimal) -> Bool {
        if lhs.scale == rhs.scale { return lhs.significand < rhs.significand }
        let common = max(lhs.scale, rhs.scale)
        return lhs.significand(atScale: common) < rhs.significand(atScale: common)
    }
}

extension ExactDecimal: CustomStringConvertible {
    /// The plain decimal form with exactly ``scale`` fraction digits (`"-0.50"`, `"1234.567"`, `"500"`); never an
    /// exponent. ``init(_:)-(String)`` parses it back to the same significand and scale.
    public var description: String {
        DecimalFormatting.string(negative: significand < 0, magnitude: UInt128(significand.magnitude), scale: scale)
    }
}

/// Formatting shared by ``ExactDecimal`` and ``WideDecimal``.
enum DecimalFormatting {
    /// `[-]digits[.fraction]` with exactly `scale` fraction digits.
    static func string(negative: Bool, magnitude: UInt128, scale: UInt8) -> String {
        let digits = Array(String(magnitude).utf8)
        let scale = Int(scale)
        let integerCount = max(digits.count - scale, 1)
        let capacity = (negative ? 1 : 0) + integerCount + (scale > 0 ? scale + 1 : 0)
        return String(unsafeUninitializedCapacity: capacity) { out in
            var index = 0
            if negative && magnitude != 0 {
                out[index] = UInt8(ascii: "-")
                index += 1
            }
            let padding = max(scale - digits.count, 0)
            let padded = repeatElement(UInt8(ascii: "0"), count: padding + (digits.count <= scale ? 1 : 0))
            var all = padded.makeIterator()
            var source = digits.makeIterator()
            let total = integerCount + scale
            for position in 0..<total {
                if position == integerCount {
                    out[index] = UInt8(ascii: ".")
                    index += 1
                }
                out[index] = all.next() ?? source.next() ?? UInt8(ascii: "0")
                index += 1
            }
            return index
        }
    }
}

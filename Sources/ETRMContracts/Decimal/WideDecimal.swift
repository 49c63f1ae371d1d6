/// An exact decimal with a 128-bit significand: the product of two ``ExactDecimal`` values, and sums of them.
///
/// Use it for money-times-energy aggregates, then come back to an ``ExactDecimal`` with an explicit scale and
/// rounding rule:
///
/// ```swift
/// var notional = WideDecimal.zero   // Σ volume × price
/// var volume = WideDecimal.zero     // Σ volume
/// for trade in trades {
///     notional = try notional.adding(trade.volume.multipliedFullWidth(by: trade.price))
///     volume = try volume.adding(WideDecimal(trade.volume))
/// }
/// let vwap = try notional.divided(by: volume, scale: 4)   // half-even, exactly 4 decimals
/// ```
public struct WideDecimal: Sendable {
    /// The digits of the value as an integer: the value is `significand × 10^-scale`.
    public let significand: Int128
    /// The number of fraction digits, `0...38`.
    public let scale: UInt8

    /// The largest ``scale``: 38 fraction digits.
    public static let maximumScale: UInt8 = 38

    /// Zero, with no fraction digits.
    public static let zero = WideDecimal(unchecked: 0, scale: 0)

    /// Creates a wide decimal from its significand and scale.
    ///
    /// - Parameters:
    ///   - significand: The digits as an integer; must not be `Int128.min`.
    ///   - scale: The number of fraction digits; must be at most ``maximumScale``.
    /// - Precondition: `scale <= 38` and `significand != Int128.min`.
    public init(significand: Int128, scale: UInt8) {
        precondition(scale <= Self.maximumScale, "WideDecimal scale must be 0...38")
        precondition(significand != .min, "WideDecimal significand must not be Int128.min")
        self.init(unchecked: significand, scale: scale)
    }

    /// The same value as a wide decimal (exact).
    ///
    /// - Parameter value: The value to widen.
    @inlinable
    public init(_ value: ExactDecimal) {
        self.init(unchecked: Int128(value.significand), scale: value.scale)
    }

    @inlinable
    init(unchecked significand: Int128, scale: UInt8) {
        self.significand = significand
        self.scale = scale
    }

    /// The exact sum, at the larger of the two scales.
    ///
    /// - Parameter other: The value to add.
    /// - Returns: `self + other`.
    /// - Throws: ``ValidationIssue`` with code ``ValidationIssue/Code/outOfRange`` when the sum does not fit a
    ///   128-bit significand.
    public func adding(_ other: WideDecimal) throws(ValidationIssue) -> WideDecimal {
        try combine(other, negateOther: false)
    }

    /// The exact difference, at the larger of the two scales.
    ///
    /// - Parameter other: The value to subtract.
    /// - Returns: `self - other`.
    /// - Throws: ``ValidationIssue`` with code ``ValidationIssue/Code/outOfRange`` when the difference does not
    ///   fit a 128-bit significand.
    public func subtracting(_ other: WideDecimal) throws(ValidationIssue) -> WideDecimal {
        try combine(other, negateOther: true)
    }

    /// The value with the opposite sign.
    ///
    /// - Returns: `-self`.
    public func negated() -> WideDecimal {
        WideDecimal(unchecked: -significand, scale: scale)
    }

    /// The quotient `self / divisor`, rounded to `scale` fraction digits by `rule`.
    ///
    /// The division is exact up to the final rounding step: a VWAP `Σ(v·p) / Σv` printed with 4 decimals
    /// comes out the same as long division on paper.
    ///
    /// - Parameters:
    ///   - divisor: The divisor; must not be zero.
    ///   - scale: The fraction digits of the result, `0...18`.
    ///   - rule: The rounding rule; banker's rounding (`.toNearestOrEven`) by default.
    /// - Returns: The rounded quotient.
    /// - Throws: ``ValidationIssue`` with code ``ValidationIssue/Code/outOfRange`` for a zero divisor, a scale
    ///   above 18, or a quotient that does not fit an ``ExactDecimal``.
    public func divided(
        by divisor: WideDecimal,
        scale: UInt8,
        rounding rule: FloatingPointRoundingRule = .toNearestOrEven
    ) throws(ValidationIssue) -> ExactDecimal {
        guard divisor.significand != 0 else {
            throw ValidationIssue(code: .outOfRange, message: "division by zero", value: "\(self) / \(divisor)")
        }
        guard scale <= ExactDecimal.maximumScale else {
            throw ExactDecimal.outOfRange("a scale above 18 fraction digits", value: String(scale))
        }
        // quotient = |a| × 10^(scale + b.scale - a.scale) / |b|
        let shift = Int(scale) + Int(divisor.scale) - Int(self.scale)
        let numerator = significand.magnitude
        var denominator = divisor.significand.magnitude
        var quotient: UInt128
        var remainder: DecimalRemainder
        if shift >= 0 {
            quotient = numerator / denominator
            var rest = numerator % denominator
            var left = shift
            // Long division in chunks of up to 19 digits; each partial quotient is below 10^19.
            while left > 0 {
                let chunk = min(left, 19)
                let power = DecimalPowers.uint128[chunk]
                guard quotient <= UInt128(Int64.max) else { break }
                let (high, low) = rest.multipliedFullWidth(by: power)
                let (digits, nextRest) = denominator.dividingFullWidth((high, low))
                quotient = quotient * power + digits
                rest = nextRest
                left -= chunk
            }
            guard left == 0 else { throw overflow(divisor) }
            remainder = DecimalRemainder.classify(rest, of: denominator)
        } else {
            let (high, low) = denominator.multipliedFullWidth(by: DecimalPowers.uint128[-shift])
            if high != 0 {
                // The scaled divisor exceeds 2^128 > 2 × numerator: the quotient is below one half.
                quotient = 0
                remainder = numerator == 0 ? .zero : .belowHalf
            } else {
                denominator = low
                quotient = numerator / denominator
                remainder = DecimalRemainder.classify(numerator % denominator, of: denominator)
            }
        }
        let negative = (significand < 0) != (divisor.significand < 0)
        if remainder.roundsUp(quotient: quotient, negative: negative, rule: rule) { quotient += 1 }
        guard quotient <= UInt128(Int64.max) else { throw overflow(divisor) }
        let magnitude = Int64(quotient)
        return ExactDecimal(unchecked: negative ? -magnitude : magnitude, scale: scale)
    }

    /// The value rounded to `scale` fraction digits, as an ``ExactDecimal``.
    ///
    /// - Parameters:
    ///   - scale: The fraction digits of the result, `0...18`.
    ///   - rule: The rounding rule; banker's rounding (`.toNearestOrEven`) by default.
    /// - Returns: The rounded value.
    /// - Throws: ``ValidationIssue`` with code ``ValidationIssue/Code/outOfRange`` when it does not fit.
    public func rounded(
        scale: UInt8,
        rule: FloatingPointRoundingRule = .toNearestOrEven
    ) throws(ValidationIssue) -> ExactDecimal {
        try divided(by: WideDecimal(unchecked: 1, scale: 0), scale: scale, rounding: rule)
    }

    private func overflow(_ divisor: WideDecimal) -> ValidationIssue {
        ExactDecimal.outOfRange("the quotient \(self) / \(divisor)", value: description)
    }

    private func combine(_ other: WideDecimal, negateOther: Bool) throws(ValidationIssue) -> WideDecimal {
        let scale = max(self.scale, other.scale)
        guard let left = Self.widen(self, to: scale), let right = Self.widen(other, to: scale) else {
            throw ExactDecimal.outOfRange("\(self) and \(other) at \(scale) fraction digits", value: description)
        }
        let (sum, overflowed) =
            negateOther ? left.subtractingReportingOverflow(right) : left.addingReportingOverflow(right)
        guard !overflowed, sum != .min else {
            throw ExactDecimal.outOfRange("the sum of \(self) and \(other)", value: description)
        }
        return WideDecimal(unchecked: sum, scale: scale)
    }

    private static func widen(_ value: WideDecimal, to scale: UInt8) -> Int128? {
        let (result, overflowed) = value.significand.multipliedReportingOverflow(
            by: DecimalPowers.int128[Int(scale - value.scale)]
        )
        return overflowed ? nil : result
    }
}

extension WideDecimal: Hashable {
    /// Numeric equality: `1.50 == 1.5`.
    public static func == (lhs: WideDecimal, rhs: WideDecimal) -> Bool {
        let left = lhs.normalized
        let right = rhs.normalized
        return left.significand == right.significand && left.scale == right.scale
    }

    /// Hashes the normalised value.
    public func hash(into hasher: inout Hasher) {
        let value = normalized
        hasher.combine(value.significand)
        hasher.combine(value.scale)
    }

    /// The same value with trailing fraction zeros removed.
    public var normalized: WideDecimal {
        var significand = significand
        var scale = scale
        while scale > 0 && significand % 10 == 0 {
            significand /= 10
            scale -= 1
        }
        return WideDecimal(unchecked: significand, scale: scale)
    }
}

extension WideDecimal: CustomStringConvertible {
    /// The plain decimal form with exactly ``scale`` fraction digits.
    public var description: String {
        DecimalFormatting.string(negative: significand < 0, magnitude: significand.magnitude, scale: scale)
    }
}

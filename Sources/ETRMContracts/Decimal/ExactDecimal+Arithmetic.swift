extension ExactDecimal {
    /// The sum, at the larger of the two scales.
    ///
    /// - Parameter other: The value to add.
    /// - Returns: `self + other`, exact.
    /// - Throws: ``ValidationIssue`` with code ``ValidationIssue/Code/outOfRange`` when the exact sum does not
    ///   fit a 64-bit significand at that scale. It never traps and never rounds.
    public func adding(_ other: ExactDecimal) throws(ValidationIssue) -> ExactDecimal {
        try Self.combine(self, other, negateOther: false)
    }

    /// The difference, at the larger of the two scales.
    ///
    /// - Parameter other: The value to subtract.
    /// - Returns: `self - other`, exact.
    /// - Throws: ``ValidationIssue`` with code ``ValidationIssue/Code/outOfRange`` when the exact difference
    ///   does not fit a 64-bit significand at that scale.
    public func subtracting(_ other: ExactDecimal) throws(ValidationIssue) -> ExactDecimal {
        try Self.combine(self, other, negateOther: true)
    }

    /// The value with the opposite sign, at the same scale. Never overflows: the significand is never
    /// `Int64.min`.
    ///
    /// - Returns: `-self`.
    @inlinable
    public func negated() -> ExactDecimal {
        ExactDecimal(unchecked: -significand, scale: scale)
    }

    /// The magnitude, at the same scale.
    @inlinable
    public var magnitude: ExactDecimal {
        ExactDecimal(unchecked: significand < 0 ? -significand : significand, scale: scale)
    }

    /// The exact product, with a 128-bit significand and the sum of the scales: it cannot overflow.
    ///
    /// ```swift
    /// let notional = try ExactDecimal("42.50").multipliedFullWidth(by: try ExactDecimal("12.345"))
    /// notional.description  // "524.66250"
    /// ```
    ///
    /// - Parameter other: The other factor.
    /// - Returns: `self × other` exactly.
    @inlinable
    public func multipliedFullWidth(by other: ExactDecimal) -> WideDecimal {
        WideDecimal(
            unchecked: Int128(significand) * Int128(other.significand),
            scale: scale + other.scale
        )
    }

    /// The same value with `scale` fraction digits, rounding by `rule` when digits are dropped.
    ///
    /// - Parameters:
    ///   - scale: The number of fraction digits of the result, `0...18`.
    ///   - rule: How to round when `scale` is smaller than the current scale; banker's rounding
    ///     (`.toNearestOrEven`) by default.
    /// - Returns: The rescaled value.
    /// - Throws: ``ValidationIssue`` with code ``ValidationIssue/Code/outOfRange`` when `scale` exceeds 18 or
    ///   the value does not fit a 64-bit significand at the larger scale.
    public func rescaled(
        to scale: UInt8,
        rounding rule: FloatingPointRoundingRule = .toNearestOrEven
    ) throws(ValidationIssue) -> ExactDecimal {
        guard scale <= Self.maximumScale else {
            throw Self.outOfRange("a scale above 18 fraction digits", value: String(scale))
        }
        if scale >= self.scale {
            let widened = significand(atScale: scale)
            guard let result = Int64(exactly: widened), result != .min else {
                throw Self.outOfRange("\(self) at \(scale) fraction digits", value: description)
            }
            return ExactDecimal(unchecked: result, scale: scale)
        }
        let divisor = DecimalPowers.uint128[Int(self.scale - scale)]
        let magnitude = UInt128(significand.magnitude)
        var quotient = magnitude / divisor
        let remainder = DecimalRemainder.classify(magnitude % divisor, of: divisor)
        if remainder.roundsUp(quotient: quotient, negative: significand < 0, rule: rule) { quotient += 1 }
        // Rounding up a quotient of at most (2^63 - 1) / 10 stays within Int64.
        let result = Int64(quotient)
        return ExactDecimal(unchecked: significand < 0 ? -result : result, scale: scale)
    }

    /// Checks the REMIT limit of ACER's Table 1 `number` type: at most 20 digits in total and 5 after the
    /// point (XML Schema `totalDigits`/`fractionDigits`, counted on the value, so trailing zeros do not count).
    ///
    /// - Throws: ``ValidationIssue`` with code ``ValidationIssue/Code/outOfRange`` naming the limit broken.
    public func checkREMIT() throws(ValidationIssue) {
        try checkDigits(total: 20, fraction: 5)
    }

    /// Checks XML Schema style digit limits on the value (trailing fraction zeros and leading zeros do not
    /// count).
    ///
    /// - Parameters:
    ///   - total: The most significant digits allowed (`totalDigits`).
    ///   - fraction: The most fraction digits allowed (`fractionDigits`).
    /// - Throws: ``ValidationIssue`` with code ``ValidationIssue/Code/outOfRange`` naming the limit broken.
    public func checkDigits(total: Int, fraction: Int) throws(ValidationIssue) {
        let value = normalized
        if Int(value.scale) > fraction {
            throw ValidationIssue(
                code: .outOfRange,
                message: "\(value.scale) fraction digits; at most \(fraction) are allowed",
                value: description
            )
        }
        var digits = 1
        var rest = value.significand.magnitude / 10
        while rest > 0 {
            digits += 1
            rest /= 10
        }
        if digits > total {
            throw ValidationIssue(
                code: .outOfRange,
                message: "\(digits) digits in total; at most \(total) are allowed",
                value: description
            )
        }
    }

    private static func combine(
        _ lhs: ExactDecimal,
        _ rhs: ExactDecimal,
        negateOther: Bool
    ) throws(ValidationIssue) -> ExactDecimal {
        let scale = max(lhs.scale, rhs.scale)
        let right = rhs.significand(atScale: scale)
        let exact = lhs.significand(atScale: scale) + (negateOther ? -right : right)
        guard let result = Int64(exactly: exact), result != .min else {
            let operation = negateOther ? "\(lhs) - \(rhs)" : "\(lhs) + \(rhs)"
            throw outOfRange(operation, value: operation)
        }
        return ExactDecimal(unchecked: result, scale: scale)
    }

    static func outOfRange(_ what: String, value: String) -> ValidationIssue {
        ValidationIssue(
            code: .outOfRange,
            message: "\(what) does not fit an exact decimal (64-bit significand, 18 fraction digits)",
            value: value
        )
    }
}

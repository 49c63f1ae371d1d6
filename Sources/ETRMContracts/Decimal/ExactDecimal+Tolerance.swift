extension ExactDecimal {
    /// Whether `value` is further from `reference` than this relative tolerance allows:
    /// `|value − reference| > self × |reference|`, decided exactly in integers.
    ///
    /// This is the package's one reconciliation rule (TradeFrame's ``ExactDecimal``-based reconciliation and the
    /// settlement gateway's run holds use it). No binary floating point takes part, so 0.603 against 0.600 at a
    /// tolerance of 0.005 is exactly at the tolerance and not exceeded; when `reference` is zero, any non-zero
    /// `value` exceeds it.
    ///
    /// ```swift
    /// let tolerance = try ExactDecimal("0.005")                                             // 0.5 %
    /// try tolerance.isExceeded(by: try ExactDecimal("100.6"), relativeTo: try ExactDecimal("100"))  // true
    /// ```
    ///
    /// - Parameters:
    ///   - value: The value compared, such as the broker's volume.
    ///   - reference: The value the deviation is relative to, such as our volume.
    /// - Returns: Whether the relative deviation exceeds the tolerance.
    /// - Throws: ``ValidationIssue`` with code ``ValidationIssue/Code/outOfRange`` when the tolerance is negative.
    public func isExceeded(by value: ExactDecimal, relativeTo reference: ExactDecimal) throws(ValidationIssue) -> Bool {
        let rule = try RelativeTolerance(self)
        let scale = max(value.scale, reference.scale)
        let theirs = Int128(value.significand) * DecimalPowers.int128[Int(scale - value.scale)]
        let ours = Int128(reference.significand) * DecimalPowers.int128[Int(scale - reference.scale)]
        return rule.exceeded(value: theirs, reference: ours)
    }

    /// Whether a summed deviation is larger than this relative tolerance of a summed reference:
    /// `|deviation| > self × |reference|`, decided exactly in integers (the rule of
    /// ``isExceeded(by:relativeTo:)`` for totals such as `Σ |acknowledged − accepted|` over `Σ |accepted|`).
    ///
    /// - Parameters:
    ///   - deviation: The absolute deviation; its sign is ignored.
    ///   - reference: The total it is relative to; its sign is ignored.
    /// - Returns: Whether `|deviation| / |reference|` exceeds the tolerance (a non-zero deviation of a zero
    ///   reference does; a zero deviation never does).
    /// - Throws: ``ValidationIssue`` with code ``ValidationIssue/Code/outOfRange`` when the tolerance is negative.
    public func isExceeded(
        byDeviation deviation: WideDecimal, of reference: WideDecimal
    ) throws(ValidationIssue)
        -> Bool
    {
        let rule = try RelativeTolerance(self)
        return rule.exceeded(
            deviation: deviation.significand.magnitude, deviationScale: Int(deviation.scale),
            reference: reference.significand.magnitude, referenceScale: Int(reference.scale))
    }
}

/// A non-negative relative tolerance `numerator × 10^-scale`, the form ``ExactDecimal/isExceeded(by:relativeTo:)``
/// decides with; `package` so that column kernels apply the same rule to significands without rebuilding decimals.
package struct RelativeTolerance: Sendable {
    package let numerator: UInt64
    package let scale: Int

    /// The rule of `tolerance`.
    ///
    /// - Throws: ``ValidationIssue`` with code ``ValidationIssue/Code/outOfRange`` when it is negative.
    package init(_ tolerance: ExactDecimal) throws(ValidationIssue) {
        guard !tolerance.isNegative else {
            throw ValidationIssue(
                code: .outOfRange, message: "a relative tolerance must be zero or more", value: tolerance.description)
        }
        numerator = UInt64(tolerance.significand)
        scale = Int(tolerance.scale)
    }

    /// Whether `|value − reference| > tolerance × |reference|`, both given as significands at one common scale
    /// below 2^126 in magnitude.
    ///
    /// Computed as `|v − r| × 10^scale > numerator × |r|` on 256-bit products, so it never overflows and never
    /// rounds: a value exactly at the tolerance is not exceeded, and `reference == 0` exceeds unless `value == 0`.
    @inline(__always)
    package func exceeded(value: Int128, reference: Int128) -> Bool {
        let difference = (value - reference).magnitude
        let left = difference.multipliedFullWidth(by: DecimalPowers.uint128[scale])
        let right = reference.magnitude.multipliedFullWidth(by: UInt128(numerator))
        return left.high != right.high ? left.high > right.high : left.low > right.low
    }

    /// Whether `deviation × 10^-deviationScale > tolerance × reference × 10^-referenceScale`, for magnitudes
    /// at any scales up to 38: `deviation × 10^(scale + referenceScale) > numerator × reference ×
    /// 10^deviationScale`, on multi-word integers.
    package func exceeded(deviation: UInt128, deviationScale: Int, reference: UInt128, referenceScale: Int) -> Bool {
        var left = Limbs(deviation)
        var right = Limbs(reference)
        right.multiply(by: numerator)
        let shift = scale + referenceScale - deviationScale
        for _ in 0..<abs(shift) {
            if shift > 0 { left.multiply(by: 10) } else { right.multiply(by: 10) }
        }
        return left > right
    }

    /// A non-negative integer in little-endian 64-bit words, for the few products of the general rule.
    private struct Limbs: Comparable {
        var words: [UInt64]

        init(_ value: UInt128) { words = [UInt64(truncatingIfNeeded: value), UInt64(value >> 64)] }

        mutating func multiply(by factor: UInt64) {
            var carry: UInt64 = 0
            for index in words.indices {
                let (high, low) = words[index].multipliedFullWidth(by: factor)
                let (sum, overflow) = low.addingReportingOverflow(carry)
                words[index] = sum
                carry = high &+ (overflow ? 1 : 0)
            }
            if carry != 0 { words.append(carry) }
        }

        static func < (lhs: Limbs, rhs: Limbs) -> Bool {
            let count = max(lhs.words.count, rhs.words.count)
            for index in stride(from: count - 1, through: 0, by: -1) {
                let left = index < lhs.words.count ? lhs.words[index] : 0
                let right = index < rhs.words.count ? rhs.words[index] : 0
                if left != right { return left < right }
            }
            return false
        }
    }
}

/// Powers of ten for decimal scaling, as tables so that the hot paths do no exponentiation.
@usableFromInline
enum DecimalPowers {
    /// `10^k` for `k` in `0...19` (every power of ten a `UInt64` holds), from constants rather than a global
    /// array so that the parser's inner loop touches no reference-counted storage.
    @inlinable @inline(__always)
    static func uint64(_ k: Int) -> UInt64 {
        var value: UInt64 = 1
        var base: UInt64 = 10
        var exponent = k
        while exponent > 0 {
            if exponent & 1 == 1 { value &*= base }
            base &*= base
            exponent >>= 1
        }
        return value
    }

    /// `10^0 ... 10^38`: every power of ten an `Int128` holds.
    @usableFromInline
    static let int128: [Int128] = {
        var table = [Int128](repeating: 1, count: 39)
        for index in 1..<39 { table[index] = table[index - 1] * 10 }
        return table
    }()

    /// `10^0 ... 10^38` as `UInt128`.
    @usableFromInline
    static let uint128: [UInt128] = int128.map { UInt128($0) }
}

/// Where a division's remainder lies relative to half of the divisor.
@usableFromInline
enum DecimalRemainder {
    case zero, belowHalf, half, aboveHalf

    /// Classifies `remainder` (`< divisor`) against half of `divisor` without overflowing.
    @inlinable
    static func classify(_ remainder: UInt128, of divisor: UInt128) -> DecimalRemainder {
        if remainder == 0 { return .zero }
        let rest = divisor - remainder
        if remainder < rest { return .belowHalf }
        if remainder == rest { return .half }
        return .aboveHalf
    }

    /// Whether a truncated magnitude `quotient` must be incremented to round by `rule`.
    @inlinable
    func roundsUp(quotient: UInt128, negative: Bool, rule: FloatingPointRoundingRule) -> Bool {
        switch rule {
        case .toNearestOrEven:
            return self == .aboveHalf || (self == .half && quotient & 1 == 1)
        case .toNearestOrAwayFromZero:
            return self == .aboveHalf || self == .half
        case .towardZero:
            return false
        case .awayFromZero:
            return self != .zero
        case .up:
            return self != .zero && !negative
        case .down:
            return self != .zero && negative
        @unknown default:
            return self == .aboveHalf || (self == .half && quotient & 1 == 1)
        }
    }
}

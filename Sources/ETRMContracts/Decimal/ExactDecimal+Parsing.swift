// The decimal parser: one pass over bytes, no allocation, no floating point.
//
// Grammar (RFC 8259's `number`, used for JSON numbers and for decimal strings alike):
//
//     number   = [ "-" ] int [ frac ] [ exp ]
//     int      = "0" / ( digit1-9 *DIGIT )
//     frac     = "." 1*DIGIT
//     exp      = ( "e" / "E" ) [ "-" / "+" ] 1*DIGIT

extension ExactDecimal {
    /// Parses a JSON number or decimal string exactly.
    ///
    /// The accepted grammar is RFC 8259's JSON `number`, for numbers and strings alike:
    /// - `"1234.567"`, `"-0.50"`, `"0"`, `"-0"` (negative zero is zero) are accepted; the written scale is kept
    ///   (`"-0.50"` has scale 2).
    /// - An exponent is accepted when the value is exactly representable: `"5e2"` is `500` (scale 0) and
    ///   `"1.5E-3"` is `0.0015` (scale 4); `"1e19"` and `"1e-19"` are `out_of_range`.
    /// - A leading `+`, a leading zero (`"01"`), a bare point (`".5"`, `"5."`), white space, a thousands or
    ///   decimal comma, `"NaN"`, `"Infinity"`, an empty string and anything after the number are
    ///   `not_a_decimal`.
    /// - More than 18 fraction digits, or digits that as an integer exceed `9223372036854775807` (every value
    ///   of 18 significant digits fits, and those of 19 up to that bound), are `out_of_range`: the value is
    ///   never rounded, and an exponent of any length never makes another number of it. Trailing zeros
    ///   beyond what fits are dropped, which is exact (`"1.5000000000000000000000"` is `1.5` at scale 18).
    ///
    /// - Parameter bytes: The UTF-8 bytes of the number, without quotes.
    /// - Throws: ``ValidationIssue`` with code ``ValidationIssue/Code/notADecimal`` or
    ///   ``ValidationIssue/Code/outOfRange`` and an empty path.
    /// - Complexity: O(n), no allocation for contiguous input.
    @inlinable
    public init(parsing bytes: some Collection<UInt8>) throws(ValidationIssue) {
        let result =
            bytes.withContiguousStorageIfAvailable { DecimalParser.parse($0) }
            ?? Array(bytes).withUnsafeBufferPointer { DecimalParser.parse($0) }
        guard result.failure == .none else {
            throw DecimalParser.issue(result.failure, input: Array(bytes))
        }
        self.init(unchecked: result.significand, scale: result.scale)
    }

    /// Parses a decimal string exactly, with the grammar of ``init(parsing:)``.
    ///
    /// - Parameter string: The number, such as `"1234.567"` or `"-0.50"`.
    /// - Throws: ``ValidationIssue`` with code ``ValidationIssue/Code/notADecimal`` or
    ///   ``ValidationIssue/Code/outOfRange``.
    @inlinable
    public init(_ string: String) throws(ValidationIssue) {
        var string = string
        let result = string.withUTF8 { DecimalParser.parse($0) }
        guard result.failure == .none else {
            throw DecimalParser.issue(result.failure, input: Array(string.utf8))
        }
        self.init(unchecked: result.significand, scale: result.scale)
    }
}

extension ExactDecimal {
    /// What an exact decimal holds, in the words the parser's issues and the exported schemas use.
    package static let limitsSummary =
        "at most 18 fraction digits, and the digits without the point an integer of magnitude at most "
        + "9223372036854775807: every value of 18 significant digits, and of 19 up to that bound"
}

/// The byte-level decimal parser behind ``ExactDecimal/init(parsing:)``.
@usableFromInline
enum DecimalParser {
    @usableFromInline
    enum Failure: UInt8 {
        case none, notADecimal, outOfRange
    }

    @usableFromInline
    struct Result {
        @usableFromInline var significand: Int64
        @usableFromInline var scale: UInt8
        @usableFromInline var failure: Failure

        @inlinable
        init(_ significand: Int64, _ scale: UInt8, _ failure: Failure = .none) {
            self.significand = significand
            self.scale = scale
            self.failure = failure
        }

        @inlinable static var notADecimal: Result { Result(0, 0, .notADecimal) }
        @inlinable static var outOfRange: Result { Result(0, 0, .outOfRange) }
    }

    /// Parses `p` completely; see ``ExactDecimal/init(parsing:)`` for the grammar and the outcomes.
    @inlinable
    static func parse(_ p: UnsafeBufferPointer<UInt8>) -> Result {
        let n = p.count
        var i = 0
        guard n > 0 else { return .notADecimal }
        let negative = p[0] == UInt8(ascii: "-")
        if negative { i = 1 }
        guard i < n, isDigit(p[i]) else { return .notADecimal }

        // Every digit, integer and fraction, goes into `magnitude`; zeros are held back in `pending` and only
        // multiplied in when a later non-zero digit needs them, so trailing zeros never overflow.
        var magnitude: UInt64 = 0
        var pending = 0
        var overflow = false
        var fractionDigits = 0

        @inline(__always)
        func append(_ digit: UInt8) {
            if digit == 0 {
                pending &+= 1
                return
            }
            if magnitude == 0 {
                magnitude = UInt64(digit)
            } else if pending >= 19 {
                overflow = true
            } else {
                let (shifted, o1) = magnitude.multipliedReportingOverflow(by: DecimalPowers.uint64(pending + 1))
                let (sum, o2) = shifted.addingReportingOverflow(UInt64(digit))
                overflow = overflow || o1 || o2
                magnitude = sum
            }
            pending = 0
        }

        if p[i] == UInt8(ascii: "0") {
            i += 1
            if i < n && isDigit(p[i]) { return .notADecimal }
            pending = 1
        } else {
            while i < n && isDigit(p[i]) {
                append(p[i] &- UInt8(ascii: "0"))
                i += 1
            }
        }
        if i < n && p[i] == UInt8(ascii: ".") {
            i += 1
            guard i < n, isDigit(p[i]) else { return .notADecimal }
            while i < n && isDigit(p[i]) {
                append(p[i] &- UInt8(ascii: "0"))
                fractionDigits &+= 1
                i += 1
            }
        }
        // The exponent saturates at 2^59, and the value is worked out in 64 bits from it and the digit counts
        // (each at most the input length). 2^59 exceeds the length of any buffer a process can hold by far, so a
        // saturated exponent still means "out of range" (or zero): it can never cancel against a digit count.
        var exponent: Int64 = 0
        if i < n && (p[i] == UInt8(ascii: "e") || p[i] == UInt8(ascii: "E")) {
            i += 1
            var exponentNegative = false
            if i < n && (p[i] == UInt8(ascii: "+") || p[i] == UInt8(ascii: "-")) {
                exponentNegative = p[i] == UInt8(ascii: "-")
                i += 1
            }
            guard i < n, isDigit(p[i]) else { return .notADecimal }
            while i < n && isDigit(p[i]) {
                if exponent < exponentLimit { exponent = exponent &* 10 &+ Int64(p[i] &- UInt8(ascii: "0")) }
                i += 1
            }
            exponent = min(exponent, exponentLimit)
            if exponentNegative { exponent = -exponent }
        }
        guard i == n else { return .notADecimal }
        if overflow || magnitude > UInt64(Int64.max) { return .outOfRange }

        // The value is magnitude × 10^-base, with `pending` more zeros available to keep the written scale.
        var base = Int64(fractionDigits) - exponent - Int64(pending)
        let written = Int64(fractionDigits) - exponent
        let maximum = Int64(ExactDecimal.maximumScale)
        if magnitude == 0 {
            return Result(0, UInt8(min(max(written, 0), maximum)))
        }
        if base > maximum {
            // More fraction digits than fit: exact only if the excess digits of the magnitude are zeros.
            while base > maximum && magnitude % 10 == 0 {
                magnitude /= 10
                base -= 1
            }
            if base > maximum { return .outOfRange }
            return Result(signed(magnitude, negative), UInt8(base))
        }
        // Keep the written scale if it fits, else drop written trailing zeros down to the fewest digits needed.
        var scale = min(max(written, 0), maximum)
        let lowest = max(base, 0)
        while scale >= lowest {
            let shift = scale - base
            if shift <= 19 {
                let (value, overflowed) = magnitude.multipliedReportingOverflow(by: DecimalPowers.uint64(Int(shift)))
                if !overflowed && value <= UInt64(Int64.max) {
                    return Result(signed(value, negative), UInt8(scale))
                }
            }
            scale -= 1
        }
        return .outOfRange
    }

    /// Where the exponent saturates: far above any digit count, and ten times it still fits in 64 bits.
    @inlinable static var exponentLimit: Int64 { 1 << 59 }

    @inlinable @inline(__always)
    static func isDigit(_ byte: UInt8) -> Bool { byte &- UInt8(ascii: "0") < 10 }

    @inlinable @inline(__always)
    static func signed(_ magnitude: UInt64, _ negative: Bool) -> Int64 {
        negative ? -Int64(magnitude) : Int64(magnitude)
    }

    /// The issue for a failed parse (the cold path; allocation is fine here).
    @usableFromInline
    static func issue(_ failure: Failure, input: [UInt8]) -> ValidationIssue {
        let value = String(decoding: input.prefix(ValidationIssue.maximumValueLength * 4), as: UTF8.self)
        switch failure {
        case .outOfRange:
            return ValidationIssue(
                code: .outOfRange,
                message: "the number does not fit an exact decimal (\(ExactDecimal.limitsSummary)); it is rejected "
                    + "rather than rounded",
                value: value
            )
        case .notADecimal, .none:
            return ValidationIssue(
                code: .notADecimal,
                message: "not a decimal number: expected JSON number syntax such as 1234.567, -0.50 or 5e2",
                value: value
            )
        }
    }
}

import ETRMShared

// Text to column values, for CSV and `init?(columnText:)`. Numbers follow the package's one number grammar, RFC
// 8259's `number` (as `ExactDecimal` and the JSON reader): no `+`, hex, `inf`, `nan`, `_`, white space or leading
// zero. A value the type cannot hold is out of range, never rounded to infinity or to zero.

/// A parsed field: the value, or why there is none.
enum ParsedText<Value> {
    case value(Value)
    /// Not of the grammar (the reason).
    case malformed(String)
    /// Of the grammar, but outside what the type holds (the reason).
    case outOfRange(String)
}

/// An element type that CSV reads with a reason for each refusal.
protocol TextParsable: ColumnElement {
    static func parse(_ text: Substring) -> ParsedText<Self>
}

enum NumberText {
    /// Whether `text` is exactly one RFC 8259 number (checked by the JSON scanner, so the grammar is written once).
    static func isNumber(_ text: Substring) -> Bool {
        var copy = text
        return copy.withUTF8 { utf8 in
            guard !utf8.isEmpty, var scanner = try? JSONScanner(UnsafeRawBufferPointer(utf8)),
                let range = try? scanner.readNumber()
            else { return false }
            return range == 0..<utf8.count
        }
    }

    /// Whether the digits before the exponent are all zero.
    static func isZero(_ text: Substring) -> Bool {
        for byte in text.utf8 {
            if byte | 0x20 == UInt8(ascii: "e") { break }
            if byte > UInt8(ascii: "0") && byte <= UInt8(ascii: "9") { return false }
        }
        return true
    }

    /// A decimal number rounded to the nearest `F`. A finite literal that rounds to infinity is out of range, and so
    /// is a non-zero one that rounds to zero (it would keep no digit); a subnormal result is the nearest value.
    static func floatingPoint<F: BinaryFloatingPoint & LosslessStringConvertible>(
        _ text: Substring, as type: F.Type
    ) -> ParsedText<F> {
        guard isNumber(text) else { return .malformed("is not a decimal number") }
        guard let value = F(String(text)) else { return .malformed("is not a decimal number") }
        if value.isInfinite { return .outOfRange("overflows \(F.self) (largest \(F.greatestFiniteMagnitude))") }
        if value == 0 && !isZero(text) {
            return .outOfRange("underflows \(F.self) to zero (smallest \(F.leastNonzeroMagnitude))")
        }
        return .value(value)
    }

    /// An integer `-?(0|[1-9][0-9]*)`; one beyond `I` is out of range.
    static func integer<I: FixedWidthInteger>(_ text: Substring, as type: I.Type) -> ParsedText<I> {
        guard isNumber(text), !text.utf8.contains(where: { $0 == UInt8(ascii: ".") || $0 | 0x20 == UInt8(ascii: "e") })
        else { return .malformed("is not an integer") }
        guard let value = I(text) else { return .outOfRange("is outside \(I.self) (\(I.min)...\(I.max))") }
        return .value(value)
    }
}

extension Double: TextParsable {
    static func parse(_ text: Substring) -> ParsedText<Double> { NumberText.floatingPoint(text, as: Double.self) }
}

extension Float: TextParsable {
    static func parse(_ text: Substring) -> ParsedText<Float> { NumberText.floatingPoint(text, as: Float.self) }
}

extension Int64: TextParsable {
    static func parse(_ text: Substring) -> ParsedText<Int64> { NumberText.integer(text, as: Int64.self) }
}

extension Int32: TextParsable {
    static func parse(_ text: Substring) -> ParsedText<Int32> { NumberText.integer(text, as: Int32.self) }
}

extension Bool: TextParsable {
    static func parse(_ text: Substring) -> ParsedText<Bool> {
        switch text {
        case "true", "True", "TRUE", "1": .value(true)
        case "false", "False", "FALSE", "0": .value(false)
        default: .malformed("is not a Boolean (true, false, 1 or 0)")
        }
    }
}

extension TextParsable {
    /// The value of `text`, or `nil` for any refusal.
    static func value(of text: Substring) -> Self? {
        if case .value(let value) = parse(text) { return value }
        return nil
    }
}

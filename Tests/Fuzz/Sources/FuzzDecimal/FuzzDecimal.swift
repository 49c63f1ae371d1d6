import ETRMContracts

/// Parses arbitrary bytes as a decimal; on success checks properties and traps if one fails, so the fuzzer
/// reports logic errors as well as crashes. Then builds a grammatical literal from the same bytes, with long
/// runs of zeros (up to about a million) and long exponents, and checks the parser against an independent
/// oracle: whatever is exactly representable parses to that value, and anything else is `out_of_range`,
/// never another number.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzDecimal(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = UnsafeBufferPointer(start: data, count: size)
    checkRaw(bytes)
    var input = ByteSource(bytes)
    checkAgainstOracle(Literal(&input))
    return 0
}

private func checkRaw(_ bytes: UnsafeBufferPointer<UInt8>) {
    let parsed: ExactDecimal
    do {
        parsed = try ExactDecimal(parsing: bytes)
    } catch {
        // Rejections must carry one of the parser's two codes.
        precondition(error.code == .notADecimal || error.code == .outOfRange, "unexpected code \(error.code)")
        return
    }
    // The description re-parses to the same significand and scale.
    let text = parsed.description
    guard let again = try? ExactDecimal(text) else { fatalError("description \(text) does not re-parse") }
    precondition(again.significand == parsed.significand && again.scale == parsed.scale, "round trip of \(text)")
    // The String entry point agrees with the byte entry point on valid UTF-8.
    if let string = String(validating: bytes, as: UTF8.self) {
        precondition((try? ExactDecimal(string)) == parsed, "String and bytes disagree on \(string)")
    }
    // Equality and hashing are numeric across scales.
    let normalized = parsed.normalized
    precondition(normalized == parsed && normalized.hashValue == parsed.hashValue, "normalisation of \(text)")
    // Checked arithmetic: x + x - x == x whenever x + x fits; negation is an involution.
    if let doubled = try? parsed.adding(parsed) {
        precondition((try? doubled.subtracting(parsed)) == parsed, "x + x - x != x for \(text)")
    }
    precondition(parsed.negated().negated() == parsed, "negation of \(text)")
    // The exact square divides back to the value (rounded at the value's scale, exact because it divides).
    let square = parsed.multipliedFullWidth(by: parsed)
    if !parsed.isZero, let root = try? square.divided(by: WideDecimal(parsed), scale: parsed.scale) {
        precondition(root == parsed, "x² / x != x for \(text)")
    }
}

/// The input's bytes one at a time, zero once they run out.
private struct ByteSource {
    let bytes: UnsafeBufferPointer<UInt8>
    var position = 0
    init(_ bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }
    mutating func next() -> UInt8 {
        defer { position += 1 }
        return position < bytes.count ? bytes[position] : 0
    }
    mutating func digits(_ count: Int) -> [UInt8] { (0..<count).map { _ in UInt8(ascii: "0") + next() % 10 } }
    /// A run length: usually short, sometimes up to about a million.
    mutating func run() -> Int {
        let kind = next()
        let low = Int(next()) | Int(next()) << 8
        switch kind % 4 {
        case 0: return low % 40
        case 1: return low
        default: return (low << 4) % 1_100_000
        }
    }
}

/// `[-] int [. fraction] [e[+-]exponent]`, with the mantissa's digits and the exponent kept for the oracle.
private struct Literal {
    var text: [UInt8] = []
    var mantissa: [UInt8] = []  // every digit of int and fraction, as ASCII
    var fractionDigits = 0
    var exponent: [UInt8] = []  // ASCII digits
    var exponentNegative = false

    init(_ input: inout ByteSource) {
        let shape = input.next()
        if shape & 1 != 0 { text.append(UInt8(ascii: "-")) }
        var integer: [UInt8]
        if shape & 2 != 0 {
            integer = [UInt8(ascii: "0")]
        } else {
            integer = [UInt8(ascii: "1") + input.next() % 9] + input.digits(Int(input.next() % 20))
            integer += [UInt8](repeating: UInt8(ascii: "0"), count: input.run())
            integer += input.digits(Int(input.next() % 4))
        }
        text += integer
        mantissa = integer
        if shape & 4 != 0 {
            var fraction = [UInt8](repeating: UInt8(ascii: "0"), count: input.run())
            fraction += input.digits(Int(input.next() % 20))
            fraction += [UInt8](repeating: UInt8(ascii: "0"), count: shape & 32 != 0 ? input.run() : 0)
            if fraction.isEmpty { fraction = [UInt8(ascii: "5")] }
            text.append(UInt8(ascii: "."))
            text += fraction
            mantissa += fraction
            fractionDigits = fraction.count
        }
        if shape & 8 != 0 {
            text.append(shape & 64 != 0 ? UInt8(ascii: "E") : UInt8(ascii: "e"))
            let sign = input.next() % 3
            if sign == 1 { text.append(UInt8(ascii: "+")) }
            if sign == 2 { text.append(UInt8(ascii: "-")) }
            exponentNegative = sign == 2
            exponent = input.digits(1 + Int(input.next() % 30))
            text += exponent
        }
    }
}

/// The oracle: the literal is `int(mantissa) × 10^(exponent - fractionDigits)`, worked out on the digit strings.
private func checkAgainstOracle(_ literal: Literal) {
    let result = Result { () throws(ValidationIssue) in try ExactDecimal(parsing: literal.text) }
    let shown =
        literal.text.count > 80
        ? "\(literal.text.count)-byte literal" : String(decoding: literal.text, as: UTF8.self)
    guard case .failure(let issue) = result, issue.code == .notADecimal else {
        return compare(result, expected(literal), negative: literal.text.first == UInt8(ascii: "-"), shown)
    }
    preconditionFailure("a grammatical literal was refused as not_a_decimal: \(shown)")
}

/// The normalised significand and scale the literal stands for, or `nil` if no exact decimal holds it.
private func expected(_ literal: Literal) -> (significand: Int64, scale: Int)? {
    var digits = literal.mantissa[...]
    while digits.first == UInt8(ascii: "0") { digits = digits.dropFirst() }
    if digits.isEmpty { return (0, 0) }
    var trailing = 0
    while digits.last == UInt8(ascii: "0") {
        digits = digits.dropLast()
        trailing += 1
    }
    var exponentDigits = literal.exponent[...]
    while exponentDigits.first == UInt8(ascii: "0") { exponentDigits = exponentDigits.dropFirst() }
    // An exponent over 12 digits is beyond any literal's digit count: nothing non-zero survives it.
    guard exponentDigits.count <= 12, digits.count <= 19 else { return nil }
    let exponent = exponentDigits.reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) }
    let power = (literal.exponentNegative ? -exponent : exponent) - literal.fractionDigits + trailing
    guard let core = UInt64(String(decoding: digits, as: UTF8.self)), core <= UInt64(Int64.max) else { return nil }
    if power < 0 { return -power <= 18 ? (Int64(core), -power) : nil }
    guard power <= 18 else { return nil }
    var scaled = core
    for _ in 0..<power {
        let (next, overflow) = scaled.multipliedReportingOverflow(by: 10)
        guard !overflow, next <= UInt64(Int64.max) else { return nil }
        scaled = next
    }
    return (Int64(scaled), 0)
}

private func compare(
    _ result: Result<ExactDecimal, ValidationIssue>, _ expected: (significand: Int64, scale: Int)?, negative: Bool,
    _ shown: String
) {
    switch (result, expected) {
    case (.success(let value), let expected?):
        let normalized = value.normalized
        let significand = negative ? -expected.significand : expected.significand
        precondition(
            normalized.significand == significand && Int(normalized.scale) == expected.scale,
            "\(shown) parsed as \(value), expected \(significand)e-\(expected.scale)")
    case (.success(let value), nil):
        preconditionFailure("\(shown) is out of range but parsed as \(value)")
    case (.failure(let issue), let expected?):
        preconditionFailure("\(shown) holds \(expected) but was refused: \(issue)")
    case (.failure(let issue), nil):
        precondition(issue.code == .outOfRange, "\(shown): \(issue.code) instead of out_of_range")
    }
}

import ETRMContracts

/// Parses arbitrary bytes as a decimal; on success checks properties and traps if one fails, so the fuzzer
/// reports logic errors as well as crashes.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzDecimal(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = UnsafeBufferPointer(start: data, count: size)
    let parsed: ExactDecimal
    do {
        parsed = try ExactDecimal(parsing: bytes)
    } catch {
        // Rejections must carry one of the parser's two codes.
        precondition(error.code == .notADecimal || error.code == .outOfRange, "unexpected code \(error.code)")
        return 0
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
    return 0
}

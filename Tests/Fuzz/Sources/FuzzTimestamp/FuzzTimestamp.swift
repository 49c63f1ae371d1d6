import ETRMContracts

/// Parses arbitrary bytes as an RFC 3339 timestamp; on success checks properties and traps if one fails.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTimestamp(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = UnsafeBufferPointer(start: data, count: size)
    let parsed: UTCTimestamp
    do {
        parsed = try UTCTimestamp(rfc3339: bytes)
    } catch {
        let known: [ValidationIssue.Code] = [.invalidTimestamp, .ambiguousTimezone, .outOfRange]
        precondition(known.contains(error.code), "unexpected code \(error.code)")
        return 0
    }
    // Formatting and re-parsing gives the same instant, and formatting is canonical (idempotent).
    let text = parsed.rfc3339String
    guard let again = try? UTCTimestamp(rfc3339: text) else { fatalError("\(text) does not re-parse") }
    precondition(again == parsed, "round trip of \(text)")
    precondition(again.rfc3339String == text, "formatting of \(text) is not canonical")
    precondition([20, 24, 27, 30].contains(text.utf8.count) && text.hasSuffix("Z"), "shape of \(text)")
    if let string = String(validating: bytes, as: UTF8.self) {
        precondition((try? UTCTimestamp(rfc3339: string)) == parsed, "String and bytes disagree on \(string)")
    }
    return 0
}

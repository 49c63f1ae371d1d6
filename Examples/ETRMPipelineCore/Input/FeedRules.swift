import ETRMContracts

/// The field rules of the comparison feed (`Benchmarks/Comparison/README.md`, "Semantics"), written as
/// parsers the reader's rule tables call. They are stricter or looser than ``TradeRecord``'s rules in the
/// places the README pins: any string is a valid `trade_id` or `product_code` (compared as bytes), volumes and
/// prices are below 1e9 in magnitude and exact multiples of 0.001 and 0.01, and timestamps have a year of
/// 1900-2099 as written.
package enum FeedRules {
    /// The trade statuses, by code.
    package static let statuses = ["CONFIRMED", "PENDING", "CANCELLED", "AMENDED"]
    static let statusLiterals: [StaticString] = ["CONFIRMED", "PENDING", "CANCELLED", "AMENDED"]

    /// Parses a JSON number exactly into an integer count of `10^-decimals` units: `12.5` with 3 decimals is
    /// 12500. The value must have at most `decimals` significant decimals and a magnitude below 1e9.
    ///
    /// The value decides, not the written form: `12.3450` is 12345 milli, `1.5e1` is 15000, `1e-4` is rejected.
    /// A literal beyond the range (`1e30`, `1e400`) is `out_of_range`.
    ///
    /// - Parameters:
    ///   - digits: The number as it appears in the JSON text.
    ///   - decimals: 3 for volumes, 2 for prices.
    /// - Returns: The scaled integer.
    /// - Throws: `out_of_range` or `not_a_decimal`.
    @inline(__always)
    package static func scaled(_ digits: UnsafeBufferPointer<UInt8>, decimals: Int) throws(ValidationIssue) -> Int64 {
        let value = try ExactDecimal(parsing: digits)
        let scale = Int(value.scale)
        var units = value.significand
        if scale > decimals {
            let divisor = power10(scale - decimals)
            guard units % divisor == 0 else {
                throw ValidationIssue(
                    code: .outOfRange, message: "has more than \(decimals) decimals",
                    value: String(decoding: digits, as: UTF8.self))
            }
            units /= divisor
        } else if scale < decimals {
            let (product, overflow) = units.multipliedReportingOverflow(by: power10(decimals - scale))
            guard !overflow else { throw tooLarge(digits) }
            units = product
        }
        let limit = 1_000_000_000 * power10(decimals)
        guard units > -limit, units < limit else { throw tooLarge(digits) }
        return units
    }

    private static func tooLarge(_ digits: UnsafeBufferPointer<UInt8>) -> ValidationIssue {
        ValidationIssue(
            code: .outOfRange, message: "magnitude must be below 1e9", value: String(decoding: digits, as: UTF8.self))
    }

    @inline(__always)
    static func power10(_ exponent: Int) -> Int64 {
        var result: Int64 = 1
        for _ in 0..<exponent { result &*= 10 }
        return result
    }

    /// Parses an RFC 3339 timestamp with the feed's profile: the module's strict parser plus a year of
    /// 1900-2099 as written.
    ///
    /// - Parameter bytes: The string's bytes.
    /// - Returns: Nanoseconds since the epoch, UTC.
    /// - Throws: `invalid_timestamp` (or the parser's own code).
    @inline(__always)
    package static func timestamp(_ bytes: UnsafeBufferPointer<UInt8>) throws(ValidationIssue) -> Int64 {
        let instant = try UTCTimestamp(rfc3339: bytes).nanosecondsSinceEpoch
        guard let year = fourDigits(bytes), (1900...2099).contains(year) else {
            throw ValidationIssue(
                code: .invalidTimestamp, message: "the year must be 1900-2099 as written",
                value: String(decoding: bytes, as: UTF8.self))
        }
        return instant
    }

    @inline(__always)
    private static func fourDigits(_ bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        guard bytes.count >= 4 else { return nil }
        var year = 0
        for position in 0..<4 {
            let digit = bytes[position] &- UInt8(ascii: "0")
            guard digit < 10 else { return nil }
            year = year * 10 + Int(digit)
        }
        return year
    }

    /// The status code (index into ``statuses``) of exactly `CONFIRMED`, `PENDING`, `CANCELLED` or `AMENDED`.
    ///
    /// - Parameter bytes: The string's bytes.
    /// - Returns: 0 to 3.
    /// - Throws: `invalid_value` for anything else (case matters).
    @inline(__always)
    package static func status(_ bytes: UnsafeBufferPointer<UInt8>) throws(ValidationIssue) -> UInt8 {
        for (code, status) in statusLiterals.enumerated() where status.utf8CodeUnitCount == bytes.count {
            if bytes.elementsEqual(UnsafeBufferPointer(start: status.utf8Start, count: status.utf8CodeUnitCount)) {
                return UInt8(code)
            }
        }
        throw ValidationIssue(
            code: .invalidValue, message: "must be CONFIRMED, PENDING, CANCELLED or AMENDED",
            value: String(decoding: bytes, as: UTF8.self))
    }

    /// The whole-run issue codes: when a record carries one of these, the document itself is broken (not JSON,
    /// bad UTF-8, a lone surrogate, a truncated array) and the run stops.
    package static let fatalCodes: Set<ValidationIssue.Code> = [.invalidJSON, .invalidUTF8, .limitExceeded]
}

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

    /// The smallest valid scaled value.
    package enum Minimum {
        /// Greater than 0.
        case positive
        /// 0 or more.
        case zero
    }

    /// Scales an exact decimal into an integer count of `10^-decimals` units: `12.5` with 3 decimals is 12500.
    /// The value must have at most `decimals` significant decimals, a magnitude below 1e9 and be at least
    /// `minimum`.
    ///
    /// The value decides, not the written form: `12.3450` is 12345 milli, `1.5e1` is 15000, `1e-4` is rejected.
    ///
    /// - Parameters:
    ///   - value: The number as the reader parsed it; `nil` (absent, or already rejected) gives 0.
    ///   - field: Where an issue is located.
    ///   - decimals: 3 for volumes, 2 for prices.
    ///   - minimum: The lower bound, if any.
    ///   - issues: Where an `out_of_range` issue is added.
    /// - Returns: The scaled integer (0 after an issue).
    package static func scaled(
        _ value: ExactDecimal?, at field: RecordField<ExactDecimal>, decimals: Int, minimum: Minimum?,
        issues: inout [ValidationIssue]
    ) -> Int64 {
        guard let value else { return 0 }
        switch scaled(value, decimals: decimals, minimum: minimum) {
        case .success(let units): return units
        case .failure(let issue):
            issues.append(field.locate(issue))
            return 0
        }
    }

    @inline(__always)
    static func scaled(_ value: ExactDecimal, decimals: Int, minimum: Minimum?) -> Result<Int64, ValidationIssue> {
        let scale = Int(value.scale)
        var units = value.significand
        if scale > decimals {
            let divisor = power10(scale - decimals)
            guard units % divisor == 0 else {
                return .failure(
                    ValidationIssue(
                        code: .outOfRange, message: "has more than \(decimals) decimals", value: value.description))
            }
            units /= divisor
        } else if scale < decimals {
            let (product, overflow) = units.multipliedReportingOverflow(by: power10(decimals - scale))
            guard !overflow else { return .failure(tooLarge(value)) }
            units = product
        }
        let limit = 1_000_000_000 * power10(decimals)
        guard units > -limit, units < limit else { return .failure(tooLarge(value)) }
        switch minimum {
        case .positive where units <= 0:
            return .failure(
                ValidationIssue(code: .outOfRange, message: "must be greater than 0", value: value.description))
        case .zero where units < 0:
            return .failure(ValidationIssue(code: .outOfRange, message: "must be 0 or more", value: value.description))
        default:
            return .success(units)
        }
    }

    private static func tooLarge(_ value: ExactDecimal) -> ValidationIssue {
        ValidationIssue(code: .outOfRange, message: "magnitude must be below 1e9", value: value.description)
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

/// A string the feed compares as bytes and puts no rule on (a trade id, a product code), as a ``ValidatedCode``
/// so that reading it from the input allocates nothing: up to 16 bytes are kept inline, longer ones in a
/// `String`.
package struct FeedKey: ValidatedCode {
    private var head: (UInt64, UInt64) = (0, 0)
    private var count: Int
    private var spilled: String?

    package init(_ bytes: UnsafeBufferPointer<UInt8>) {
        count = bytes.count
        if bytes.count <= 16 {
            spilled = nil
            withUnsafeMutableBytes(of: &head) { $0.copyMemory(from: UnsafeRawBufferPointer(bytes)) }
        } else {
            spilled = String(decoding: bytes, as: UTF8.self)
        }
    }

    /// Calls `body` with the key's UTF-8 bytes.
    @inline(__always)
    package func withUTF8<Result>(_ body: (UnsafeBufferPointer<UInt8>) throws -> Result) rethrows -> Result {
        if var spilled { return try spilled.withUTF8(body) }
        return try withUnsafeBytes(of: head) { raw in
            try body(UnsafeBufferPointer(start: raw.bindMemory(to: UInt8.self).baseAddress, count: count))
        }
    }

    package static var noun: String { "a string" }
    package static var issueCode: ValidationIssue.Code { .invalidValue }
    package var description: String { withUTF8 { String(decoding: $0, as: UTF8.self) } }

    package static func validate(_ bytes: UnsafeBufferPointer<UInt8>) -> Result<FeedKey, ValidationIssue> {
        .success(FeedKey(bytes))
    }

    package static func == (left: FeedKey, right: FeedKey) -> Bool {
        left.withUTF8 { a in right.withUTF8 { b in a.elementsEqual(b) } }
    }

    package func hash(into hasher: inout Hasher) {
        withUTF8 { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
    }
}

/// An RFC 3339 timestamp with the feed's profile (``FeedRules/timestamp(_:)``): the year is checked as written.
package struct FeedInstant: ValidatedCode {
    /// Nanoseconds since the epoch, UTC.
    package let nanoseconds: Int64

    package static var noun: String { "a timestamp" }
    package static var issueCode: ValidationIssue.Code { .invalidTimestamp }
    package var description: String { UTCTimestamp(nanosecondsSinceEpoch: nanoseconds).description }

    package static func validate(_ bytes: UnsafeBufferPointer<UInt8>) -> Result<FeedInstant, ValidationIssue> {
        Result { () throws(ValidationIssue) in FeedInstant(nanoseconds: try FeedRules.timestamp(bytes)) }
    }
}

/// A status of ``FeedRules/statuses``, by code.
package struct FeedStatus: ValidatedCode {
    /// Index into ``FeedRules/statuses``.
    package let code: UInt8

    package static var noun: String { "a status" }
    package static var issueCode: ValidationIssue.Code { .invalidValue }
    package var description: String { FeedRules.statuses[Int(code)] }

    package static func validate(_ bytes: UnsafeBufferPointer<UInt8>) -> Result<FeedStatus, ValidationIssue> {
        Result { () throws(ValidationIssue) in FeedStatus(code: try FeedRules.status(bytes)) }
    }
}
